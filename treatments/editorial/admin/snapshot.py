"""What the treatment edit page holds right now, saved or not, as a ``TreatmentDocument``.

Preview, the checks panel and the edit-conflict page all need the copy as the
editor sees it on the page, which may not validate yet. So values are taken from
``cleaned_data`` where a field is valid and from the submitted data otherwise;
a date that does not parse is left out rather than guessed.
"""

import datetime
from dataclasses import dataclass, field

from django import forms

from treatments.content.file_format import FaqDocument, SectionDocument, TreatmentDocument
from treatments.models import FAQ, Section
from treatments.models.section_kinds import SectionKind

META_FIELDS = ("title", "slug", "summary", "description", "reviewed_by", "status")
DATE_FIELDS = ("last_reviewed", "next_review")


@dataclass
class Snapshot:
    """The copy on the edit page; ``section_forms``/``faq_forms`` line up with the document's."""

    document: TreatmentDocument
    hero_image_id: int | None = None
    section_forms: list[forms.Form] = field(default_factory=list)
    faq_forms: list[forms.Form] = field(default_factory=list)


def _value(form: forms.Form, name: str):
    cleaned = getattr(form, "cleaned_data", None) or {}
    if name in cleaned:
        return cleaned[name]
    if name not in form.fields:
        return None
    return form[name].value()


def _text(form: forms.Form, name: str) -> str:
    value = _value(form, name)
    return "" if value is None else str(value)


def _position(form: forms.Form, default: int) -> int:
    try:
        return int(_value(form, "position"))
    except (TypeError, ValueError):
        return default


def _kept_forms(formset) -> list[tuple[int, int, forms.Form]]:
    """Forms not marked for deletion and not left blank, with their position and order."""
    kept = []
    for index, form in enumerate(formset.forms):
        if "DELETE" in form.fields and form["DELETE"].value():
            continue
        if form.instance.pk is None and not form.has_changed():
            continue
        kept.append((_position(form, index + 1), index, form))
    return sorted(kept, key=lambda item: item[:2])


def _hero_image_id(form: forms.Form) -> int | None:
    value = _value(form, "hero_image")
    value = getattr(value, "pk", value)
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def snapshot(form: forms.ModelForm, formsets) -> Snapshot:
    """The treatment form and its section and FAQ formsets as one document."""
    meta = {name: _text(form, name) for name in META_FIELDS}
    for name in DATE_FIELDS:
        value = _value(form, name)
        meta[name] = value if isinstance(value, datetime.date) else None
    publish_at = _value(form, "publish_at")
    meta["publish_at"] = publish_at if isinstance(publish_at, datetime.datetime) else None

    result = Snapshot(document=TreatmentDocument(meta=meta), hero_image_id=_hero_image_id(form))
    for formset in formsets:
        if formset.model is Section:
            for _, _, item in _kept_forms(formset):
                kind = _text(item, "kind")
                if kind in SectionKind.values:
                    result.document.sections.append(
                        SectionDocument(kind=kind, body=_text(item, "body").strip())
                    )
                    result.section_forms.append(item)
        elif formset.model is FAQ:
            for _, _, item in _kept_forms(formset):
                result.document.faqs.append(
                    FaqDocument(
                        question=_text(item, "question").strip(),
                        answer=_text(item, "answer").strip(),
                    )
                )
                result.faq_forms.append(item)
    return result
