"""Moving treatments and pages between ``content/`` files and the database.

``import_content`` and ``export_content`` are the service functions behind the
commands of the same names (and the admin's download).

Import is all or nothing, and short on the database: every file is parsed, checked
and rendered to HTML first, with no transaction open, and only then are the rows
written, in one transaction, so staff saving in the admin meanwhile wait seconds, not
minutes. Any error names the file and line and writes nothing.

What goes live follows the clinical sign-off rules (``models.workflow``): a file's
``signoff`` counts only when its ``content_hash`` is the hash of the file's own text;
without one, a page goes live unreviewed only where the site allows it.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import reversion
from django.core.exceptions import ValidationError
from django.db import transaction

from treatments.content.checks import incomplete
from treatments.content.file_format import (
    ContentError,
    PageDocument,
    TreatmentDocument,
    dump_document,
    dump_page,
    parse_file,
    parse_page_file,
)
from treatments.content.markdown_problems import PictureLibrary, find_problems
from treatments.models import Page, Treatment
from treatments.models.document import (
    SignoffDocument,
    clinical_hash,
    document_from_page,
    document_from_treatment,
    page_hash,
    set_fields,
    unsaved_children,
)
from treatments.models.live import content_snapshot
from treatments.models.workflow import (
    live_publication,
    matching_signoff,
    take_off_by_import,
    workflow_import,
)

TREATMENTS_SUBDIR = "treatments"
PAGES_SUBDIR = "pages"


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    # Changed in the admin since it was imported: left alone unless forced.
    KEPT_EDITED = "kept (edited in the admin since the last import; use --force to overwrite)"
    # In the database, no longer in content/.
    MISSING = "not in the content folder"


@dataclass
class FileResult:
    name: str
    outcome: Outcome
    # What happened to the page patients see, in plain words.
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    files: list[FileResult] = field(default_factory=list)

    @property
    def outcomes(self) -> list[tuple[str, Outcome]]:
        return [(f.name, f.outcome) for f in self.files]

    def count(self, outcome: Outcome) -> int:
        return sum(1 for f in self.files if f.outcome == outcome)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_signoff(subject: Treatment | Page, digest: str) -> SignoffDocument | None:
    """The sign-off a content file records: the newest of exactly this text, if any."""
    signoff = matching_signoff(subject, digest) if subject.pk else None
    if signoff is None:
        return None
    return SignoffDocument(
        reviewer=signoff.reviewer_name,
        title=signoff.reviewer_title,
        date=signoff.signed_on,
        content_hash=signoff.content_hash,
    )


def export_document(treatment: Treatment) -> TreatmentDocument:
    document = document_from_treatment(treatment)
    document.signoff = file_signoff(treatment, clinical_hash(document))
    return document


def export_text(treatment: Treatment) -> str:
    """The exact bytes ``export_content`` writes for a treatment."""
    return dump_document(export_document(treatment))


def page_text(page: Page) -> str:
    document = document_from_page(page)
    document.signoff = file_signoff(page, page_hash(document))
    return dump_page(document)


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


# -- Import: everything that can fail or takes time happens before the transaction --


@dataclass
class _Prepared:
    """One treatment file, parsed, checked and rendered, ready to write."""

    document: TreatmentDocument
    text: str
    digest: str
    children: dict[str, list]
    snapshot: dict[str, Any]
    reasons_incomplete: list[str]


def _prepare(
    document: TreatmentDocument, *, allow_incomplete: bool, library: PictureLibrary
) -> _Prepared:
    _refuse_markdown_problems(document, library)
    reasons = [finding.message for finding in incomplete(document)]
    if reasons and document.meta.get("status") == Treatment.Status.PUBLISHED:
        if not allow_incomplete:
            raise ContentError(
                document.path,
                document.line_of("status"),
                "This page is not ready to publish: "
                + " ".join(reasons)
                + " Finish it, set 'status: draft', or import with --allow-incomplete "
                "to load it as a draft.",
            )
        document.meta["status"] = Treatment.Status.DRAFT
    probe = Treatment(slug=document.slug)
    set_fields(probe, document)
    _validate(probe, document, exclude=["slug", "hero_image"])
    children = unsaved_children(probe, document)
    for name, rows in children.items():
        for number, row in enumerate(rows):
            _validate(
                row,
                document,
                line=_line_of_child(document, name, number),
                exclude=["treatment", "anchor"],
            )
    return _Prepared(
        document=document,
        text=dump_document(document),
        digest=clinical_hash(document),
        children=children,
        snapshot=content_snapshot(document, children),
        reasons_incomplete=reasons,
    )


def _file_lines(path: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").split("\n")
    except OSError:  # a document parsed from text, not a file
        return []


def _first_text_line(lines: list[str], after: int) -> int:
    """The line of the first text after line ``after``: where a body starts."""
    return next((n for n in range(after + 1, len(lines) + 1) if lines[n - 1].strip()), after + 1)


def _refuse_markdown_problems(document: TreatmentDocument, library: PictureLibrary) -> None:
    """Markdown that would show patients broken text stops the import at its line."""
    parts = [(s.title, s.body, s.line) for s in document.sections]
    parts += [(f"The answer to '{f.question}'", f.answer, f.line) for f in document.faqs]
    for name, text, heading_line in parts:
        problems = find_problems(text, library=library)
        if problems:
            line = _first_text_line(_file_lines(document.path), heading_line)
            raise ContentError(
                document.path, line + problems[0].line - 1, f"{name}: {problems[0].message}"
            )


def _refuse_page_markdown_problems(document: PageDocument, library: PictureLibrary) -> None:
    """The same for a page, whose body comes after its front matter's closing line."""
    problems = find_problems(document.body, library=library, top_heading_level=2)
    if problems:
        lines = _file_lines(document.path)
        closing = [n for n, text in enumerate(lines, start=1) if text.strip() == "---"][1:2]
        line = _first_text_line(lines, closing[0] if closing else 0) + problems[0].line - 1
        raise ContentError(document.path, line, problems[0].message)


def _line_of_child(document: TreatmentDocument, name: str, number: int) -> int:
    if name == "sections":
        return document.sections[number].line
    if name == "faqs":
        return document.faqs[number].line
    return document.line_of(name)


def import_content(
    content_dir: Path,
    *,
    force: bool = False,
    dry_run: bool = False,
    allow_incomplete: bool = False,
    prune: bool = False,
) -> ImportResult:
    """Read, check and render every file under ``content_dir``, then write them, each
    file in a short transaction of its own. ``prune`` takes pages whose file was removed
    off the site (their rows and history are kept)."""
    library = PictureLibrary()
    treatments = [
        _prepare(d, allow_incomplete=allow_incomplete, library=library)
        for d in read_directory(content_dir)
    ]
    pages = read_pages(content_dir)
    for document in pages:
        _check_page(document)
        _refuse_page_markdown_problems(document, library)
    result = ImportResult()
    # Everything that can fail on the content has failed by now, before any write. Each
    # file is then written in a transaction of its own, so a staff save waits for one
    # file at most, never for the whole import; only a database error can stop it here,
    # and the files before it stay written, each whole. A dry run writes everything in
    # one transaction and rolls it back.
    with transaction.atomic() if dry_run else contextlib.nullcontext():
        for prepared in treatments:
            # Each import is a revision too, so an import can be compared and undone.
            with transaction.atomic(), reversion.create_revision():
                reversion.set_comment(
                    f"Imported from {_shown_path(content_dir, prepared.document)}"
                )
                result.files.append(_import_one(prepared, force=force))
        for document in pages:
            with transaction.atomic(), reversion.create_revision():
                reversion.set_comment(f"Imported from {Path(content_dir).name}/{PAGES_SUBDIR}")
                result.files.append(_import_page(document, force=force))
        with transaction.atomic():
            result.files += _missing(treatments, prune=prune)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _shown_path(content_dir: Path, document: TreatmentDocument) -> str:
    """The file as people know it, e.g. content/treatments/peel.md, not the full path."""
    return f"{Path(content_dir).name}/{TREATMENTS_SUBDIR}/{Path(document.path).name}"


def _left_as_it_is(existing, current: str, text: str, *, force: bool) -> Outcome | None:
    """UNCHANGED when the row already holds ``text``, KEPT_EDITED when it was edited in the
    admin since its last import (and not ``force``); None when the import may write it."""
    if current == text:
        if existing.source_hash != content_hash(text):
            type(existing).objects.filter(pk=existing.pk).update(source_hash=content_hash(text))
        return Outcome.UNCHANGED
    if existing.source_hash != content_hash(current) and not force:
        return Outcome.KEPT_EDITED
    return None


def _import_one(prepared: _Prepared, *, force: bool) -> FileResult:
    document = prepared.document
    name = f"{TREATMENTS_SUBDIR}/{document.slug}"
    existing = Treatment.objects.with_content().filter(slug=document.slug).first()
    if existing is not None:
        outcome = _left_as_it_is(existing, export_text(existing), prepared.text, force=force)
        if outcome == Outcome.KEPT_EDITED:
            return FileResult(name, outcome)
        if outcome == Outcome.UNCHANGED:
            notes = workflow_import(existing, document.signoff, prepared.digest, prepared.snapshot)
            return FileResult(name, outcome, notes)

    treatment = existing or Treatment()
    set_fields(treatment, document)
    treatment.source_hash = content_hash(prepared.text)
    # The save moves the edit-lock version on, so an editor with the page open cannot
    # overwrite the import unawares; the page was last changed by no one in the admin.
    treatment.updated_by = None
    treatment.save()
    _write_children(treatment, prepared.children, replace=existing is not None)
    # Written after the treatment: added again so the revision holds the new rows.
    reversion.add_to_revision(treatment)
    notes = workflow_import(treatment, document.signoff, prepared.digest, prepared.snapshot)
    notes = [
        f"not ready to publish, loaded as a draft: {' '.join(prepared.reasons_incomplete)}"
    ] * bool(prepared.reasons_incomplete) + notes
    return FileResult(name, Outcome.UPDATED if existing else Outcome.CREATED, notes)


def _write_children(treatment: Treatment, children: dict[str, list], *, replace: bool) -> None:
    """Write the rendered rows in a few statements; the import's revision records them."""
    for name, rows in children.items():
        if replace:
            getattr(treatment, name).all().delete()
        for row in rows:
            row.treatment = treatment
        if name in ("sections", "faqs"):
            # Rendered already (see _prepare): no Markdown runs inside the transaction.
            type(rows[0]).objects.bulk_create(rows) if rows else None
        else:
            for row in rows:
                row.save()


def _page_fields(page: Page, document: PageDocument) -> Page:
    for key, value in document.meta.items():
        setattr(page, key, value or "")
    page.body = document.body
    return page


def _check_page(document: PageDocument) -> None:
    """Refuse a page file whose fields the model would refuse, before anything is written."""
    exists = Page.objects.filter(slug=document.slug).exists()
    _validate(_page_fields(Page(), document), document, exclude=["slug"] if exists else None)


def _import_page(document: PageDocument, *, force: bool) -> FileResult:
    text = dump_page(document)
    name = f"{PAGES_SUBDIR}/{document.slug}"
    existing = Page.objects.filter(slug=document.slug).first()
    if existing is not None:
        outcome = _left_as_it_is(existing, page_text(existing), text, force=force)
        if outcome == Outcome.KEPT_EDITED:
            return FileResult(name, outcome)
        if outcome == Outcome.UNCHANGED:
            return FileResult(
                name, outcome, workflow_import(existing, document.signoff, page_hash(document))
            )
    page = _page_fields(existing or Page(), document)
    page.source_hash = content_hash(text)
    page.save()
    notes = workflow_import(page, document.signoff, page_hash(document))
    return FileResult(name, Outcome.UPDATED if existing else Outcome.CREATED, notes)


def _missing(prepared: list[_Prepared], *, prune: bool) -> list[FileResult]:
    """Treatments in the database whose file is gone: reported, and taken off the site
    with ``prune``. Nothing is deleted: the rows and their history stay."""
    in_files = {p.document.slug for p in prepared}
    results = []
    for treatment in Treatment.objects.exclude(slug__in=in_files).order_by("slug"):
        notes = []
        if live_publication(treatment) is not None:
            if prune:
                take_off_by_import(treatment)
                notes.append("taken off the site (--prune); its history is kept")
            else:
                notes.append("still on the site: import with --prune to take it off")
        results.append(FileResult(f"{TREATMENTS_SUBDIR}/{treatment.slug}", Outcome.MISSING, notes))
    return results


def _validate(obj, document, *, line: int = 0, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field_name, messages = next(iter(exc.message_dict.items()))
        raise ContentError(
            document.path,
            line or document.line_of(field_name),
            f"'{field_name}': {' '.join(messages)}",
        ) from exc


# -- Export ------------------------------------------------------------------------


def export_content(content_dir: Path) -> list[Path]:
    """Write every treatment and page under ``content_dir``; returns the paths written."""
    written = []
    for subdir, rows, to_text in (
        (TREATMENTS_SUBDIR, Treatment.objects.with_content().order_by("slug"), export_text),
        (PAGES_SUBDIR, Page.objects.order_by("slug"), page_text),
    ):
        folder = Path(content_dir) / subdir
        folder.mkdir(parents=True, exist_ok=True)
        for row in rows:
            path = folder / f"{row.slug}.md"
            path.write_text(to_text(row), encoding="utf-8")
            written.append(path)
    return written
