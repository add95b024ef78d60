"""Report, per treatment and site page, what a reviewer should fix: the findings the admin
shows, each at the file and line to change.

Exits non-zero when anything needs fixing, so CI fails on copy that is incomplete, too
hard to read, overdue for review, linking nowhere, missing a reason not to have the
treatment, using words it does not explain, repeating a seed claim or claiming a
clinical review; and on a template that claims a review outside the sign-off data.

Lines are those of the files in ``settings.CONTENT_DIR`` when they hold the same copy as
the database (as after ``import_content``), else of the file ``export_content`` would
write.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.utils import get_app_template_dirs

from treatments.content.checks import (
    DESCRIPTION_LENGTH,
    Finding,
    check_document,
    check_page,
    locate,
    part_scores,
    section_scores,
)
from treatments.content.claims import REVIEW_ADVICE, review_claims_in_templates
from treatments.content.file_format import (
    ContentError,
    dump_document,
    dump_page,
    parse_page_text,
    parse_text,
)
from treatments.models import Page, Treatment
from treatments.models.document import document_from_page, document_from_treatment
from treatments.models.section_kinds import SectionKind
from treatments.models.workflow import review_state


class Command(BaseCommand):
    help = (
        "Check treatment and page copy: sections, FAQs, reading grades, description, review "
        "due, links, required contraindications, words to explain, claims; and templates."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Only these treatments (default: all).")

    def handle(self, *args, slugs: list[str], **options):
        treatments = Treatment.objects.with_content().order_by("slug")
        if slugs:
            treatments = treatments.filter(slug__in=slugs)
            unknown = set(slugs) - {t.slug for t in treatments}
            if unknown:
                raise CommandError(f"No treatment with slug: {', '.join(sorted(unknown))}")
        known_slugs = set(Treatment.objects.values_list("slug", flat=True))
        known_pages = set(Page.objects.values_list("slug", flat=True))

        failing = 0
        for treatment in treatments:
            document = self._located_treatment(document_from_treatment(treatment))
            findings = check_document(document, known_slugs=known_slugs, known_pages=known_pages)
            self._report(treatment, document, findings + self._review(treatment, document))
            failing += bool(findings)
        total, checked = len(treatments), "treatments"
        if not slugs:
            pages = Page.objects.order_by("slug")
            failing += sum(self._check_page(page, known_slugs, known_pages) for page in pages)
            failing += self._check_templates()
            total, checked = total + len(pages) + 1, "treatments, pages and templates"
        if failing:
            raise CommandError(f"{failing} of {total} {checked} need attention.")
        self.stdout.write(self.style.SUCCESS(f"All {total} {checked} pass."))

    # -- Where each finding is in the files -----------------------------------------------

    @staticmethod
    def _file(folder: str, slug: str) -> Path:
        return Path(settings.CONTENT_DIR) / folder / f"{slug}.md"

    @staticmethod
    def _shown(path: Path) -> str:
        try:
            return str(path.relative_to(settings.BASE_DIR))
        except ValueError:
            return str(path)

    def _located_treatment(self, document):
        """The same copy with the line of each section and question: from its content
        file when that holds this copy, else from the file an export would write."""
        path = self._file("treatments", document.slug)
        for text in (_read(path), dump_document(document)):
            try:
                located = parse_text(text, self._shown(path))
            except ContentError:
                continue
            if (_sections(located), _faqs(located)) == (_sections(document), _faqs(document)):
                located.meta, located.rows = document.meta, document.rows
                return located
        return document

    def _page_body_line(self, document) -> tuple[str, int]:
        path = self._file("pages", document.slug)
        for text in (_read(path), dump_page(document)):
            try:
                if parse_page_text(text, path).body != document.body:
                    continue
            except ContentError:
                continue
            lines = text.split("\n")
            closing = lines.index("---", 1)
            start = next(n for n in range(closing + 1, len(lines)) if lines[n].strip())
            return self._shown(path), start + 1
        return self._shown(path), 0

    # -- Reports ---------------------------------------------------------------------------

    @staticmethod
    def _review(treatment, document) -> list:
        """An overdue clinical review is something to fix; a page never reviewed is not
        (yet): the site says so on the page, and the review queue lists it."""
        state = review_state(treatment, document)
        if state.overdue:
            due = state.next_review_due
            return [
                Finding(
                    "review", f"The clinical review was due on {due:%d %B %Y}; ask a clinician."
                )
            ]
        return []

    def _write_findings(self, located: list[tuple[str, int, Finding]]) -> None:
        """Each finding after the file and line to change: (path, line or 0, finding)."""
        if not located:
            self.stdout.write(self.style.SUCCESS("  Nothing to fix."))
            return
        self.stdout.write(self.style.ERROR(f"  {len(located)} to fix:"))
        for path, line, finding in located:
            at = f"{path}, line {line}" if line else path
            self.stdout.write(f"    - {at}: [{finding.where}] {finding.message}")

    def _report(self, treatment, document, findings) -> None:
        write = self.stdout.write
        write(
            self.style.MIGRATE_HEADING(f"{treatment.title} ({treatment.slug}, {treatment.status})")
        )
        present = sum(1 for s in document.sections if s.body.strip())
        write(f"  Sections with text: {present} of {len(SectionKind)}")
        write(f"  Questions: {len(document.faqs)}")
        low, high = DESCRIPTION_LENGTH
        write(f"  Meta description: {len(treatment.description)} characters (aim {low}-{high})")
        state = review_state(treatment, document)
        if state.signoff:
            write(f"  Approved by {state.signoff.reviewer_name} on {state.signoff.signed_on}")
        write(f"  Next review due: {state.next_review_due or 'never reviewed by a clinician'}")
        write("  Reading grade (Flesch-Kincaid / SMOG / words):")
        for kind, scores in section_scores(document).items():
            label = SectionKind(kind).label
            write(f"    {label:<26} {scores.fk_grade:>4} / {scores.smog:>4} / {scores.words}")
        path = document.path or self._shown(self._file("treatments", document.slug))
        self._write_findings([(path, locate(document, f), f) for f in findings])

    def _check_page(self, page, known_slugs, known_pages) -> bool:
        document = document_from_page(page)
        findings = check_page(document, known_slugs=known_slugs, known_pages=known_pages)
        write = self.stdout.write
        write(self.style.MIGRATE_HEADING(f"Page: {page.title} ({page.slug})"))
        write("  Reading grade (Flesch-Kincaid / SMOG / words):")
        for title, scores in part_scores(document):
            write(f"    {title[:30]:<30} {scores.fk_grade:>4} / {scores.smog:>4} / {scores.words}")
        path, body_line = self._page_body_line(document)
        self._write_findings([(path, locate(document, f, body_line), f) for f in findings])
        return bool(findings)

    def _check_templates(self) -> bool:
        """Claims of clinical review in the site's own templates (not Django's)."""
        base = Path(settings.BASE_DIR)
        folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
        folders += [Path(folder) for folder in get_app_template_dirs("templates")]
        folders = [folder for folder in folders if folder.is_relative_to(base)]
        self.stdout.write(self.style.MIGRATE_HEADING("Templates"))
        located = [
            (
                self._shown(path),
                claim.line,
                Finding(
                    "template",
                    f'Claims clinical review ({claim.claim.name}): "{claim.sentence}" Outside '
                    "an {% if review %} branch, a template may not say this: "
                    f"{REVIEW_ADVICE}.",
                ),
            )
            for path, claim in review_claims_in_templates(folders)
        ]
        self._write_findings(located)
        return bool(located)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _sections(document) -> list[tuple[str, str]]:
    return [(s.kind, s.body) for s in document.sections]


def _faqs(document) -> list[tuple[str, str]]:
    return [(f.question, f.answer) for f in document.faqs]
