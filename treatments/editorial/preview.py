"""A treatment built in memory from unsaved copy, to show it as patients would see it.

The preview goes through the public templates and the same Markdown pipeline as a
save (``Section.render``, ``FAQ.render``), so what staff see is what patients get.
Nothing here writes to the database: the sections and FAQs are handed to the
templates through the related managers' prefetch cache, the way
``prefetch_related`` hands them over, so ``treatment.sections.all`` in a template or
in ``structured_data`` reads the unsaved copy and never the stored one.
"""

from django.db import models

from treatments.content.file_format import META_KEYS, TreatmentDocument
from treatments.models import FAQ, Section, Treatment


def _as_prefetched(model: type[models.Model], rows: list) -> models.QuerySet:
    # .none() so that a filter() on it can never reach the stored rows.
    queryset = model.objects.none()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    return queryset


def build_preview(
    saved: Treatment, document: TreatmentDocument, *, hero_image_id: int | None
) -> Treatment:
    """An unsaved copy of ``saved`` holding the copy in ``document``, rendered for display."""
    treatment = Treatment(
        pk=saved.pk,
        created_at=saved.created_at,
        updated_at=saved.updated_at,
        version=saved.version,
        hero_image_id=hero_image_id,
    )
    for name in META_KEYS:
        value = document.meta.get(name)
        setattr(treatment, name, "" if value is None and name in {"title", "slug"} else value)

    sections = []
    for position, part in enumerate(document.sections, start=1):
        section = Section(treatment=treatment, kind=part.kind, position=position, body=part.body)
        section.render()
        sections.append(section)
    faqs, taken = [], set()
    for position, part in enumerate(document.faqs, start=1):
        faq = FAQ(
            treatment=treatment, position=position, question=part.question, answer=part.answer
        )
        faq.render(taken)
        faqs.append(faq)

    treatment._prefetched_objects_cache = {
        "sections": _as_prefetched(Section, sections),
        "faqs": _as_prefetched(FAQ, faqs),
    }
    return treatment
