"""Pages as patients read them, built from a publication's snapshot or an unsaved draft.

A ``LiveTreatment`` answers the same names a ``Treatment`` does in templates and in
the JSON-LD (title, the at-a-glance fields, ``sections.all``, ``faqs.all``,
``get_absolute_url``...), so the public pages, the preview of an unsaved draft and
the structured data are made by the same templates from the same kind of object, and
nothing on a public page reads the rows staff are editing.

``content_snapshot`` freezes a document for a publication: the fields and rows as
plain JSON values and each section's and answer's Markdown rendered to HTML once, when
the page goes live. ``LiveTreatment`` cleans that stored HTML again as it reads it, so
HTML put into the database by any other route (a fixture, a raw UPDATE) can never
reach a patient unsanitized; the page cache means this runs once per change.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from treatments.models.document import (
    PAGE_FIELDS,
    ROW_LISTS,
    TREATMENT_FIELDS,
    FaqDocument,
    PageDocument,
    SectionDocument,
    TreatmentDocument,
    unsaved_children,
)
from treatments.models.treatment import Treatment
from treatments.text.markdown import render_markdown, sanitize_html

DATETIME_FIELDS = {f.name for f in TREATMENT_FIELDS if f.name == "publish_at"}


class Rows(list):
    """A list that answers ``.all()`` as a related manager does, so templates and the
    JSON-LD read a live page's rows the way they would read a saved treatment's."""

    def all(self) -> Rows:
        return self


# -- Documents as JSON ---------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def document_to_json(document: TreatmentDocument) -> dict[str, Any]:
    """The document as JSON values: what a review request keeps of a submitted draft."""
    return {
        "fields": {f.name: _json_value(document.meta.get(f.name)) for f in TREATMENT_FIELDS},
        "rows": {r.name: [dict(row) for row in document.rows_of(r.name)] for r in ROW_LISTS},
        "sections": [{"kind": s.kind, "body": s.body} for s in document.sections],
        "faqs": [{"question": f.question, "answer": f.answer} for f in document.faqs],
    }


def document_from_json(data: dict[str, Any]) -> TreatmentDocument:
    fields = dict(data.get("fields", {}))
    for name in DATETIME_FIELDS:
        if fields.get(name):
            fields[name] = parse_datetime(fields[name])
    return TreatmentDocument(
        meta=fields,
        rows={
            r.name: [dict(row) for row in data.get("rows", {}).get(r.name, [])] for r in ROW_LISTS
        },
        sections=[
            SectionDocument(kind=s["kind"], body=s["body"]) for s in data.get("sections", [])
        ],
        faqs=[
            FaqDocument(question=f["question"], answer=f["answer"]) for f in data.get("faqs", [])
        ],
    )


def content_snapshot(
    document: TreatmentDocument, children: dict[str, list] | None = None
) -> dict[str, Any]:
    """What a publication stores: the document as JSON, each section's and answer's HTML
    rendered now, and each answer's anchor.

    ``children`` are the document's unsaved rows (``unsaved_children``); they are
    rendered here, so a caller that goes on to save them saves them rendered.
    """
    snapshot = document_to_json(document)
    if children is None:
        children = unsaved_children(Treatment(slug=document.meta.get("slug") or ""), document)
    for part, section in zip(snapshot["sections"], children["sections"], strict=True):
        section.render()
        part["html"] = section.body_html
    taken: set[str] = set()
    for part, faq in zip(snapshot["faqs"], children["faqs"], strict=True):
        faq.render(taken)
        part.update(html=faq.answer_html, anchor=faq.anchor)
    return snapshot


# -- The page patients read ----------------------------------------------------------


@dataclass(frozen=True)
class ReviewStamp:
    """Who approved the copy a page shows, and when it is due for review again: shown only
    from a recorded sign-off."""

    name: str
    title: str
    reviewed_on: datetime.date
    next_review_due: datetime.date


@dataclass
class LiveTreatment:
    """A treatment page's content, ready for the public templates.

    Every field of ``TREATMENT_FIELDS`` is an attribute, as on a ``Treatment``; so are
    ``sections``, ``faqs`` and the row lists, as ``Rows`` of unsaved model instances with
    their HTML set.
    """

    pk: int | None
    fields: dict[str, Any]
    sections: Rows = field(default_factory=Rows)
    faqs: Rows = field(default_factory=Rows)
    rows: dict[str, Rows] = field(default_factory=dict)
    hero_image: Any = None
    hero_image_id: int | None = None
    # When this copy went live: the page's "Last updated" date and the sitemap's lastmod.
    updated_at: datetime.datetime | None = None
    review: ReviewStamp | None = None
    # False for a preview or a draft shown to staff: never cached, never indexed.
    is_public: bool = True
    # The publication this page was made from: the version a patient's feedback is about.
    publication_id: int | None = None
    content_hash: str = ""

    def __getattr__(self, name: str) -> Any:
        # Only called for names not found the usual way: the fields and row lists.
        fields = self.__dict__.get("fields", {})
        if name in fields:
            return fields[name]
        rows = self.__dict__.get("rows", {})
        if name in rows:
            return rows[name]
        raise AttributeError(name)

    def __str__(self) -> str:
        return self.fields.get("title", "")

    def get_absolute_url(self) -> str:
        return reverse("treatments:detail", kwargs={"slug": self.fields["slug"]})

    def get_faq_url(self) -> str:
        return reverse("treatments:faq", kwargs={"slug": self.fields["slug"]})


def _fields_from_json(fields: dict[str, Any]) -> dict[str, Any]:
    values = {f.name: fields.get(f.name) for f in TREATMENT_FIELDS}
    for name in DATETIME_FIELDS:
        if isinstance(values.get(name), str):
            values[name] = parse_datetime(values[name])
    for f in TREATMENT_FIELDS:
        if values[f.name] is None and not f.model_field.null:
            values[f.name] = ""
    return values


def live_treatment(
    snapshot: dict[str, Any],
    *,
    pk: int | None,
    hero_image: Any = None,
    updated_at: datetime.datetime | None = None,
    review: ReviewStamp | None = None,
    is_public: bool = True,
    publication: Any = None,
) -> LiveTreatment:
    """A page from a publication's snapshot (or a preview's), its stored HTML cleaned again."""
    fields = _fields_from_json(snapshot.get("fields", {}))
    treatment = Treatment(pk=pk, **{f.name: fields[f.name] for f in TREATMENT_FIELDS})
    document = document_from_json(snapshot)
    children = unsaved_children(treatment, document)
    for section, part in zip(children["sections"], snapshot.get("sections", []), strict=True):
        section.body_html = sanitize_html(part.get("html", ""))
    for faq, part in zip(children["faqs"], snapshot.get("faqs", []), strict=True):
        faq.answer_html = sanitize_html(part.get("html", ""))
        faq.anchor = part.get("anchor", "")
    return LiveTreatment(
        pk=pk,
        fields=fields,
        sections=Rows(children["sections"]),
        faqs=Rows(children["faqs"]),
        rows={r.name: Rows(children[r.name]) for r in ROW_LISTS},
        hero_image=hero_image,
        hero_image_id=getattr(hero_image, "pk", None),
        updated_at=updated_at,
        review=review,
        is_public=is_public,
        publication_id=getattr(publication, "pk", None),
        content_hash=getattr(publication, "content_hash", ""),
    )


def preview_treatment(
    document: TreatmentDocument, *, pk: int | None, hero_image: Any = None
) -> LiveTreatment:
    """An unsaved draft as patients would see it once live: rendered now, never stored."""
    return live_treatment(
        content_snapshot(document),
        pk=pk,
        hero_image=hero_image,
        updated_at=timezone.now(),
        is_public=False,
    )


def parse_snapshot_date(value: str | None) -> datetime.date | None:
    return parse_date(value) if value else None


# -- Site pages ----------------------------------------------------------------------


def page_snapshot(document: PageDocument) -> dict[str, Any]:
    return {
        "fields": {name: document.meta.get(name) or "" for name in PAGE_FIELDS},
        "body": document.body,
        "html": render_markdown(document.body, top_heading_level=2),
    }


def page_document_from_json(data: dict[str, Any]) -> PageDocument:
    return PageDocument(meta=dict(data.get("fields", {})), body=data.get("body", ""))


@dataclass
class LivePage:
    """A site page as patients read it: the names a ``Page`` has in templates."""

    pk: int | None
    title: str
    slug: str
    description: str
    body_html: str
    updated_at: datetime.datetime | None = None
    review: ReviewStamp | None = None
    is_public: bool = True

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("treatments:page", kwargs={"slug": self.slug})


def live_page(
    snapshot: dict[str, Any],
    *,
    pk: int | None,
    updated_at: datetime.datetime | None = None,
    review: ReviewStamp | None = None,
    is_public: bool = True,
) -> LivePage:
    fields = snapshot.get("fields", {})
    return LivePage(
        pk=pk,
        title=fields.get("title", ""),
        slug=fields.get("slug", ""),
        description=fields.get("description", ""),
        body_html=sanitize_html(snapshot.get("html", "")),
        updated_at=updated_at,
        review=review,
        is_public=is_public,
    )
