"""Moving treatments and pages between ``content/`` files and the database.

``import_content`` and ``export_content`` are the service functions behind the
commands of the same names (and the admin's download). Import is all or nothing:
every file is parsed before the first write, the writes share one transaction,
and a model validation error rolls all of them back.
"""

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import reversion
from django.core.exceptions import ValidationError
from django.db import transaction

from treatments.content.file_format import (
    DATE_KEYS,
    META_KEYS,
    PAGE_META_KEYS,
    REMINDERS_KEY,
    ContentError,
    FaqDocument,
    PageDocument,
    SectionDocument,
    TreatmentDocument,
    dump_document,
    dump_page,
    parse_file,
    parse_page_file,
)
from treatments.models import FAQ, Page, Reminder, Section, Treatment

TREATMENTS_SUBDIR = "treatments"
PAGES_SUBDIR = "pages"
NULLABLE_META = {*DATE_KEYS, "publish_at"}


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    # Changed in the admin since it was imported: left alone unless forced.
    KEPT_EDITED = "kept (edited in the admin since the last import; use --force to overwrite)"


@dataclass
class ImportResult:
    outcomes: list[tuple[str, Outcome]] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for _, o in self.outcomes if o == outcome)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_from_treatment(treatment: Treatment) -> TreatmentDocument:
    """The content-file form of a treatment as it is in the database."""
    meta = {key: getattr(treatment, key) for key in META_KEYS}
    meta[REMINDERS_KEY] = [
        {"after_days": r.after_days, "title": r.title} for r in treatment.reminders.all()
    ]
    return TreatmentDocument(
        meta=meta,
        sections=[SectionDocument(kind=s.kind, body=s.body) for s in treatment.sections.all()],
        faqs=[FaqDocument(question=f.question, answer=f.answer) for f in treatment.faqs.all()],
    )


def export_text(treatment: Treatment) -> str:
    """The exact bytes ``export_content`` writes for a treatment."""
    return dump_document(document_from_treatment(treatment))


def read_directory(content_dir: Path) -> list[TreatmentDocument]:
    """Parse every ``treatments/*.md`` under ``content_dir``; the first bad file raises."""
    folder = Path(content_dir) / TREATMENTS_SUBDIR
    if not folder.is_dir():
        raise ContentError(folder, 0, "There is no such folder.")
    return _checked_names([parse_file(path) for path in sorted(folder.glob("*.md"))])


def read_pages(content_dir: Path) -> list[PageDocument]:
    """Parse every ``pages/*.md`` under ``content_dir`` (the folder is optional)."""
    folder = Path(content_dir) / PAGES_SUBDIR
    paths = sorted(folder.glob("*.md")) if folder.is_dir() else []
    return _checked_names([parse_page_file(path) for path in paths])


def _checked_names(documents: list) -> list:
    """Each slug once, and each file named after its slug, so export writes the same file."""
    slugs: dict[str, str] = {}
    for document in documents:
        if document.slug in slugs:
            raise ContentError(
                document.path,
                document.line_of("slug"),
                f"The slug '{document.slug}' is used by {slugs[document.slug]} too.",
            )
        slugs[document.slug] = document.path
        expected = f"{document.slug}.md"
        if Path(document.path).name != expected:
            raise ContentError(
                document.path,
                document.line_of("slug"),
                f"A file's name must be its slug: rename it to {expected}.",
            )
    return documents


def import_content(content_dir: Path, *, force: bool = False, dry_run: bool = False):
    """Read and import every treatment and page under ``content_dir`` in one transaction."""
    treatments = read_directory(content_dir)
    pages = read_pages(content_dir)
    result = ImportResult()
    with transaction.atomic():
        for document in treatments:
            # Each import is a revision too, so an import can be compared and undone.
            with reversion.create_revision():
                reversion.set_comment(f"Imported from {_shown_path(content_dir, document)}")
                outcome = _import_one(document, force=force)
            result.outcomes.append((f"{TREATMENTS_SUBDIR}/{document.slug}", outcome))
        for document in pages:
            outcome = _import_page(document, force=force)
            result.outcomes.append((f"{PAGES_SUBDIR}/{document.slug}", outcome))
        if dry_run:
            transaction.set_rollback(True)
    return result


def _shown_path(content_dir: Path, document: TreatmentDocument) -> str:
    """The file as people know it, e.g. content/treatments/peel.md, not the full path."""
    return f"{Path(content_dir).name}/{TREATMENTS_SUBDIR}/{Path(document.path).name}"


def _left_as_it_is(
    existing: Treatment | Page, current: str, text: str, *, force: bool
) -> Outcome | None:
    """UNCHANGED when the row already holds ``text``, KEPT_EDITED when it was edited in the
    admin since its last import (and not ``force``); None when the import may write it."""
    if current == text:
        if existing.source_hash != content_hash(text):
            type(existing).objects.filter(pk=existing.pk).update(source_hash=content_hash(text))
        return Outcome.UNCHANGED
    if existing.source_hash != content_hash(current) and not force:
        return Outcome.KEPT_EDITED
    return None


def _import_one(document: TreatmentDocument, *, force: bool) -> Outcome:
    text = dump_document(document)
    existing = Treatment.objects.with_content().filter(slug=document.slug).first()
    if existing is not None:
        outcome = _left_as_it_is(existing, export_text(existing), text, force=force)
        if outcome is not None:
            return outcome

    treatment = existing or Treatment()
    # Every key is set, so a key deleted from the file clears the field too.
    for key in META_KEYS:
        value = document.meta.get(key)
        setattr(treatment, key, "" if value is None and key not in NULLABLE_META else value)
    treatment.status = document.meta.get("status") or Treatment.Status.DRAFT
    treatment.source_hash = content_hash(text)
    # The save moves the edit-lock version on, so an editor with the page open cannot
    # overwrite the import unawares; the page was last changed by no one in the admin.
    treatment.updated_by = None
    _validate(treatment, document, exclude=["slug"] if existing else None)
    treatment.save()

    if existing:  # a new treatment has nothing to replace
        treatment.sections.all().delete()
        treatment.faqs.all().delete()
        treatment.reminders.all().delete()
    # Each row is saved on its own, which renders its Markdown. The treatment was saved just
    # above, in this transaction, so its last-changed time has moved already: the rows
    # need not move it again one by one, and the questions' anchors are tracked here
    # instead of queried for each question.
    for position, section in enumerate(document.sections, start=1):
        row = Section(treatment=treatment, kind=section.kind, position=position, body=section.body)
        _validate(row, document, line=section.line, exclude=["treatment"])
        row.save(mark_changed=False)
    anchors: set[str] = set()
    for position, faq in enumerate(document.faqs, start=1):
        row = FAQ(treatment=treatment, position=position, question=faq.question, answer=faq.answer)
        _validate(row, document, line=faq.line, exclude=["treatment", "anchor"])
        row.save(taken_anchors=anchors, mark_changed=False)
    for item in document.meta.get(REMINDERS_KEY) or []:
        row = Reminder(treatment=treatment, after_days=item["after_days"], title=item["title"])
        _validate(row, document, line=document.line_of(REMINDERS_KEY), exclude=["treatment"])
        row.save()
    return Outcome.UPDATED if existing else Outcome.CREATED


def page_text(page: Page) -> str:
    meta = {"title": page.title, "slug": page.slug, "description": page.description}
    return dump_page(PageDocument(meta=meta, body=page.body))


def _import_page(document: PageDocument, *, force: bool) -> Outcome:
    text = dump_page(document)
    existing = Page.objects.filter(slug=document.slug).first()
    if existing is not None:
        outcome = _left_as_it_is(existing, page_text(existing), text, force=force)
        if outcome is not None:
            return outcome
    page = existing or Page()
    for key in PAGE_META_KEYS:
        setattr(page, key, document.meta.get(key) or "")
    page.body = document.body
    page.source_hash = content_hash(text)
    _validate(page, document, exclude=["slug"] if existing else None)
    page.save()
    return Outcome.UPDATED if existing else Outcome.CREATED


def _validate(
    obj, document: TreatmentDocument | PageDocument, *, line: int = 0, exclude=None
) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field_name, messages = next(iter(exc.message_dict.items()))
        raise ContentError(
            document.path,
            line or document.line_of(field_name),
            f"'{field_name}': {' '.join(messages)}",
        ) from exc


def export_content(content_dir: Path) -> list[Path]:
    """Write every treatment and page under ``content_dir``; returns the paths written."""
    written = []
    for subdir, rows, to_text in (
        (
            TREATMENTS_SUBDIR,
            Treatment.objects.with_content().prefetch_related("reminders").order_by("slug"),
            export_text,
        ),
        (PAGES_SUBDIR, Page.objects.order_by("slug"), page_text),
    ):
        folder = Path(content_dir) / subdir
        folder.mkdir(parents=True, exist_ok=True)
        for row in rows:
            path = folder / f"{row.slug}.md"
            path.write_text(to_text(row), encoding="utf-8")
            written.append(path)
    return written
