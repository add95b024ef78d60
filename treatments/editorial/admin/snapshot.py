"""What the treatment edit page holds right now, saved or not, as a ``TreatmentDocument``.

Preview, the checks panel, the review panel and the edit-conflict page all need the
copy as the editor sees it on the page, which may not validate yet. So values are taken
from ``cleaned_data`` where a field is valid and from the submitted data otherwise; a
date that does not parse is left out rather than guessed. Which fields and rows there
are comes from ``models.document``, like everything else that reads a treatment's copy.
"""

import datetime
from dataclasses import dataclass, field

from django import forms
from django.db import models

from treatments.models import FAQ, Section
from treatments.models.document import (
    ROW_LISTS,
    TREATMENT_FIELDS,
    FaqDocument,
    SectionDocument,
    TreatmentDocument,
)
from treatments.models.section_kinds import SectionKind


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


def _typed(form: forms.Form, model_field: models.Field):
    """A field's value as its model holds it, or None when what was typed does not parse."""
    value = _value(form, model_field.name)
    if isinstance(model_field, models.DateField):
        return value if isinstance(value, datetime.date) else None
    if isinstance(model_field, models.IntegerField):
        try:
            return int(value)
        except (TypeError, ValueError):
            return None
    return "" if value is None else str(value)


def _position(form: forms.Form, default: int) -> int:
    try:
        return int(_value(form, "position"))
    except (TypeError, ValueError):
        return default


def _kept_forms(formset) -> list[forms.Form]:
    """Forms not marked for deletion and not left blank, in the order of their position."""
    kept = []
    for index, form in enumerate(formset.forms):
        if "DELETE" in form.fields and form["DELETE"].value():
            continue
        if form.instance.pk is None and not form.has_changed():
            continue
        kept.append((_position(form, index + 1), index, form))
    return [form for *_, form in sorted(kept, key=lambda item: item[:2])]


def _hero_image_id(form: forms.Form) -> int | None:
    value = _value(form, "hero_image")
    value = getattr(value, "pk", value)
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def snapshot(form: forms.ModelForm, formsets) -> Snapshot:
    """The treatment form and its inline formsets as one document."""
    meta = {f.name: _typed(form, f.model_field) for f in TREATMENT_FIELDS}
    result = Snapshot(document=TreatmentDocument(meta=meta), hero_image_id=_hero_image_id(form))
    row_lists = {rows.model: rows for rows in ROW_LISTS}
    for formset in formsets:
        if formset.model is Section:
            for item in _kept_forms(formset):
                kind = _text(item, "kind")
                if kind in SectionKind.values:
                    result.document.sections.append(
                        SectionDocument(kind=kind, body=_text(item, "body").strip())
                    )
                    result.section_forms.append(item)
        elif formset.model is FAQ:
            for item in _kept_forms(formset):
                result.document.faqs.append(
                    FaqDocument(
                        question=_text(item, "question").strip(),
                        answer=_text(item, "answer").strip(),
                    )
                )
                result.faq_forms.append(item)
        elif formset.model in row_lists:
            rows = row_lists[formset.model]
            result.document.rows[rows.name] = [
                {name: _typed(item, rows.model._meta.get_field(name)) for name in rows.fields}
                for item in _kept_forms(formset)
            ]
    return result
