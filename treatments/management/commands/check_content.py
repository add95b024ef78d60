"""Report, per treatment, what a reviewer should fix: the same findings the admin shows.

Exits non-zero when anything needs fixing, so CI fails on copy that is incomplete,
too hard to read, overdue for review or linking nowhere.
"""

from django.core.management.base import BaseCommand, CommandError

from treatments.content.checks import DESCRIPTION_LENGTH, Finding, check_document, section_scores
from treatments.models import Page, Treatment
from treatments.models.document import document_from_treatment
from treatments.models.section_kinds import SectionKind
from treatments.models.workflow import review_state


class Command(BaseCommand):
    help = "Check treatment copy: sections, FAQs, reading grades, description, review due, links."

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
            document = document_from_treatment(treatment)
            findings = check_document(document, known_slugs=known_slugs, known_pages=known_pages)
            self._report(treatment, document, findings + self._review(treatment, document))
            failing += bool(findings)
        total = len(treatments)
        if failing:
            raise CommandError(f"{failing} of {total} treatments need attention.")
        self.stdout.write(self.style.SUCCESS(f"All {total} treatments pass."))

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
        if findings:
            write(self.style.ERROR(f"  {len(findings)} to fix:"))
            for finding in findings:
                write(f"    - [{finding.where}] {finding.message}")
        else:
            write(self.style.SUCCESS("  Nothing to fix."))
