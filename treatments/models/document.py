"""A treatment's content as plain data, and the one declaration of what it holds.

Everything that moves a treatment's copy around works on a ``TreatmentDocument``:
the content files (``content.file_format``), import and export (``content.sync``),
the checks, the edit page's preview and conflict panel, the history compare, a
clinician's sign-off (which is bound to ``clinical_hash``) and the publication
patients read. So what a treatment holds is declared here once:

- ``TREATMENT_FIELDS``: the treatment's own fields, in the order a content file writes
  them, each with the group staff see it in and whether it is clinical copy (part of
  what a clinician signs off) or a publishing detail;
- ``ROW_LISTS``: the lists of small rows kept in the front matter (aftercare reminders,
  sources), with their fields;
- sections and questions, the page's body, which every treatment has.

Labels come from the models' ``verbose_name``\\s, so the admin, the diffs and the
conflict panel name a field the same way, never by its file key.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.text import capfirst

from treatments.models.section_kinds import SectionKind
from treatments.models.treatment import FAQ, Reminder, Section, Source, Treatment

# Groups, in the order the edit page shows them.
PAGE = "The page"
GLANCE = "At a glance"
FACTS = "Facts for search engines"
REVIEW = "Clinical review"
PUBLISHING = "Publishing"


@dataclass(frozen=True)
class Field:
    """One of the treatment's own fields, as content files and staff know it."""

    name: str
    group: str
    # Part of the copy a clinician approves: a change to it needs a new sign-off.
    clinical: bool = True
    required: bool = False
    # How a patient reads it, where the page shows a label (at a glance).
    patient_label: str = ""

    @property
    def model_field(self) -> models.Field:
        return Treatment._meta.get_field(self.name)

    @property
    def label(self) -> str:
        return capfirst(self.model_field.verbose_name)


TREATMENT_FIELDS: tuple[Field, ...] = (
    Field("title", PAGE, required=True),
    Field("slug", PAGE, required=True),
    Field("summary", PAGE),
    Field("description", PAGE),
    Field("duration", GLANCE, patient_label="How long it takes"),
    Field("numbing", GLANCE, patient_label="Numbing"),
    Field("downtime", GLANCE, patient_label="Downtime"),
    Field("sessions", GLANCE, patient_label="Usual number of sessions"),
    Field("results_show", GLANCE, patient_label="When results show"),
    Field("review_interval_months", REVIEW, clinical=False),
    Field("status", PUBLISHING, clinical=False, required=True),
    Field("publish_at", PUBLISHING, clinical=False),
)
FIELDS_BY_NAME = {f.name: f for f in TREATMENT_FIELDS}


@dataclass(frozen=True)
class RowList:
    """Small rows of a treatment kept in the front matter, e.g. aftercare reminders."""

    name: str  # the related name and the front-matter key
    model: type[models.Model]
    fields: tuple[str, ...]
    clinical: bool = True

    @property
    def label(self) -> str:
        return capfirst(self.model._meta.verbose_name_plural)

    def field_label(self, name: str) -> str:
        return capfirst(self.model._meta.get_field(name).verbose_name)


ROW_LISTS: tuple[RowList, ...] = (
    RowList("reminders", Reminder, ("after_days", "title")),
    RowList("sources", Source, ("key", "title", "publisher", "year", "url")),
)
ROW_LISTS_BY_NAME = {rows.name: rows for rows in ROW_LISTS}
SECTIONS_LABEL = capfirst(Section._meta.verbose_name_plural)
FAQS_LABEL = capfirst(FAQ._meta.verbose_name_plural)


@dataclass
class SectionDocument:
    kind: str
    body: str
    line: int = 0  # where it starts in a content file, for error messages

    @property
    def title(self) -> str:
        return SectionKind(self.kind).label


@dataclass
class FaqDocument:
    question: str
    answer: str
    line: int = 0


@dataclass
class SignoffDocument:
    """A clinician's sign-off as a content file records it: who, when, and the exact
    clinical content approved (``content_hash``)."""

    reviewer: str
    title: str
    date: datetime.date
    content_hash: str


@dataclass
class TreatmentDocument:
    meta: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sections: list[SectionDocument] = field(default_factory=list)
    faqs: list[FaqDocument] = field(default_factory=list)
    signoff: SignoffDocument | None = None
    # Where it came from, for error messages: a file's path and each key's line.
    path: str = ""
    meta_lines: dict[str, int] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.meta["slug"]

    def line_of(self, key: str) -> int:
        return self.meta_lines.get(key, 1)

    def rows_of(self, name: str) -> list[dict[str, Any]]:
        return self.rows.get(name, [])


# -- From and to the database --------------------------------------------------------


def document_from_treatment(treatment: Treatment) -> TreatmentDocument:
    """The treatment as it is in the database (or as a preview holds it).

    Reads the related rows through ``.all()``, so a caller that prefetched them, or a
    live page built from a publication, makes no query here.
    """
    return TreatmentDocument(
        meta={f.name: getattr(treatment, f.name) for f in TREATMENT_FIELDS},
        rows={
            rows.name: [
                {name: getattr(row, name) for name in rows.fields}
                for row in getattr(treatment, rows.name).all()
            ]
            for rows in ROW_LISTS
        },
        sections=[SectionDocument(kind=s.kind, body=s.body) for s in treatment.sections.all()],
        faqs=[FaqDocument(question=f.question, answer=f.answer) for f in treatment.faqs.all()],
    )


def document_from_rows(
    fields: dict[str, Any], children: dict[str, list[dict]]
) -> TreatmentDocument:
    """A document from plain field values, as revision history stores them.

    ``children`` maps "sections", "faqs" and each row list's name to its rows' field
    values, in any order: they are put in the order the page shows them.
    """

    def ordered(name: str, key: tuple[str, ...]) -> list[dict]:
        return sorted(children.get(name, []), key=lambda row: tuple(row.get(k) or 0 for k in key))

    return TreatmentDocument(
        meta={f.name: fields.get(f.name) for f in TREATMENT_FIELDS},
        rows={
            rows.name: [
                {name: row.get(name) for name in rows.fields}
                for row in ordered(rows.name, _row_order(rows.model))
            ]
            for rows in ROW_LISTS
        },
        sections=[
            SectionDocument(kind=row["kind"], body=row["body"])
            for row in ordered("sections", ("position", "id"))
            if row["kind"] in SectionKind.values
        ],
        faqs=[
            FaqDocument(question=row["question"], answer=row["answer"])
            for row in ordered("faqs", ("position", "id"))
        ],
    )


def _row_order(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(name.lstrip("-") for name in model._meta.ordering) or ("id",)


def child_models() -> dict[str, type[models.Model]]:
    """Every kind of row that belongs to a treatment, by related name."""
    return {"sections": Section, "faqs": FAQ, **{rows.name: rows.model for rows in ROW_LISTS}}


def set_fields(treatment: Treatment, document: TreatmentDocument) -> None:
    """Copy the document's own fields onto ``treatment`` (not saved). A field the
    document leaves out is cleared, so a key deleted from a file clears it too."""
    for f in TREATMENT_FIELDS:
        value = document.meta.get(f.name)
        if value is None and not f.model_field.null:
            value = f.model_field.get_default()
            value = "" if value is None else value
        setattr(treatment, f.name, value)


def unsaved_children(treatment: Treatment, document: TreatmentDocument) -> dict[str, list]:
    """The document's sections, questions and rows as unsaved model instances of
    ``treatment``, numbered in page order. Nothing is rendered or saved."""
    children: dict[str, list] = {
        "sections": [
            Section(treatment=treatment, kind=part.kind, position=number, body=part.body)
            for number, part in enumerate(document.sections, start=1)
        ],
        "faqs": [
            FAQ(treatment=treatment, position=number, question=part.question, answer=part.answer)
            for number, part in enumerate(document.faqs, start=1)
        ],
    }
    for rows in ROW_LISTS:
        children[rows.name] = [
            rows.model(treatment=treatment, **_with_position(rows.model, number, values))
            for number, values in enumerate(document.rows_of(rows.name), start=1)
        ]
    return children


def _with_position(model: type[models.Model], number: int, values: dict) -> dict:
    has_position = any(f.name == "position" for f in model._meta.fields)
    return {**values, "position": number} if has_position else dict(values)


# -- What a clinician signs off ------------------------------------------------------


def clinical_content(document: TreatmentDocument) -> dict[str, Any]:
    """The part of the document patients read as clinical advice, in a fixed form.

    Publishing details (status, go-live time, review interval) are not in it: changing
    them changes no advice. The picture at the top is not in a document at all.
    """
    return {
        "fields": {
            f.name: _plain(document.meta.get(f.name)) for f in TREATMENT_FIELDS if f.clinical
        },
        "rows": {
            rows.name: [
                {name: _plain(row.get(name)) for name in rows.fields}
                for row in document.rows_of(rows.name)
            ]
            for rows in ROW_LISTS
            if rows.clinical
        },
        "sections": [[s.kind, s.body.strip()] for s in document.sections],
        "faqs": [[f.question.strip(), f.answer.strip()] for f in document.faqs],
    }


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def clinical_hash(document: TreatmentDocument) -> str:
    """SHA-256 of ``clinical_content``: what a sign-off is bound to. Any change to the
    advice, however small, gives another hash."""
    text = json.dumps(clinical_content(document), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- What changed, in the words staff use --------------------------------------------


@dataclass(frozen=True)
class Change:
    """One part of a treatment that differs between two documents, named as staff see it
    ("At a glance: Downtime", "Question 3", "Aftercare reminders"), with its text before
    and after ("" when it was added or removed)."""

    label: str
    before: str
    after: str


def _row_text(rows: RowList, row: dict) -> str:
    return "; ".join(
        f"{rows.field_label(name)}: {_plain(row.get(name))}"
        for name in rows.fields
        if _plain(row.get(name)) != ""
    )


def _field_changes(old: TreatmentDocument, new: TreatmentDocument) -> list[Change]:
    changes = []
    for f in TREATMENT_FIELDS:
        before, after = str(_plain(old.meta.get(f.name))), str(_plain(new.meta.get(f.name)))
        if before != after:
            changes.append(Change(f"{f.group}: {f.label}", before, after))
    return changes


def _row_changes(old: TreatmentDocument, new: TreatmentDocument) -> list[Change]:
    changes = []
    for rows in ROW_LISTS:
        before = [_row_text(rows, row) for row in old.rows_of(rows.name)]
        after = [_row_text(rows, row) for row in new.rows_of(rows.name)]
        if before != after:
            changes.append(Change(rows.label, "\n".join(before), "\n".join(after)))
    return changes


def _section_changes(old: TreatmentDocument, new: TreatmentDocument) -> list[Change]:
    before = {s.kind: s.body.strip() for s in old.sections}
    after = {s.kind: s.body.strip() for s in new.sections}
    changes = []
    for kind in SectionKind:
        if before.get(kind.value, "") != after.get(kind.value, ""):
            label = f"{SECTIONS_LABEL[:-1]}: {kind.label}"
            changes.append(Change(label, before.get(kind.value, ""), after.get(kind.value, "")))
    order_before = [s.kind for s in old.sections if s.kind in after]
    order_after = [s.kind for s in new.sections if s.kind in before]
    if order_before != order_after:
        changes.append(
            Change(
                f"{SECTIONS_LABEL}: order",
                ", ".join(SectionKind(k).label for k in order_before),
                ", ".join(SectionKind(k).label for k in order_after),
            )
        )
    return changes


def _faq_text(faq: FaqDocument) -> str:
    return f"{faq.question.strip()}\n{faq.answer.strip()}"


def _faq_changes(old: TreatmentDocument, new: TreatmentDocument) -> list[Change]:
    """Questions matched by their wording, so moving one is a move, not an edit of many."""
    before = {f.question.strip(): f for f in old.faqs}
    after = {f.question.strip(): f for f in new.faqs}
    changes = []
    for number, faq in enumerate(new.faqs, start=1):
        was = before.get(faq.question.strip())
        if was is None:
            changes.append(Change(f"Question {number} (new)", "", _faq_text(faq)))
        elif was.answer.strip() != faq.answer.strip():
            changes.append(Change(f"Question {number}", _faq_text(was), _faq_text(faq)))
    for faq in old.faqs:
        if faq.question.strip() not in after:
            changes.append(Change("Question removed", _faq_text(faq), ""))
    kept_before = [q for q in before if q in after]
    kept_after = [q for q in after if q in before]
    if kept_before != kept_after:
        changes.append(
            Change(f"{FAQS_LABEL}: order", "\n".join(kept_before), "\n".join(kept_after))
        )
    return changes


def changes_between(old: TreatmentDocument, new: TreatmentDocument) -> list[Change]:
    """Every part that differs from ``old`` to ``new``, in the order the edit page shows
    them. An empty list means the two hold the same content."""
    return [
        *_field_changes(old, new),
        *_row_changes(old, new),
        *_section_changes(old, new),
        *_faq_changes(old, new),
    ]


# -- Pages ---------------------------------------------------------------------------

PAGE_FIELDS = ("title", "slug", "description")


@dataclass
class PageDocument:
    """A site page such as "About this information": a few fields and a Markdown body."""

    meta: dict[str, Any]
    body: str
    signoff: SignoffDocument | None = None
    path: str = ""
    meta_lines: dict[str, int] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.meta["slug"]

    def line_of(self, key: str) -> int:
        return self.meta_lines.get(key, 1)


def document_from_page(page) -> PageDocument:
    return PageDocument(meta={name: getattr(page, name) for name in PAGE_FIELDS}, body=page.body)


def page_hash(document: PageDocument) -> str:
    """What a sign-off of a page is bound to: its title, description and body."""
    content = {name: _plain(document.meta.get(name)) for name in PAGE_FIELDS if name != "slug"}
    content["body"] = document.body.strip()
    text = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def page_changes(old: PageDocument, new: PageDocument) -> list[Change]:
    changes = [
        Change(capfirst(name), str(_plain(old.meta.get(name))), str(_plain(new.meta.get(name))))
        for name in PAGE_FIELDS
        if _plain(old.meta.get(name)) != _plain(new.meta.get(name))
    ]
    if old.body.strip() != new.body.strip():
        changes.append(Change("Text", old.body.strip(), new.body.strip()))
    return changes
