"""Where in the preview the part being edited is, so a preview opens there.

An answer is on the questions page, at its question; a section, the at-a-glance box,
the aftercare reminders (the recovery timeline) and the sources each have their place
on the treatment page; anything else opens the treatment page at the top.
"""

import re

from treatments.editorial.admin.snapshot import Snapshot
from treatments.models import Treatment
from treatments.models.document import FIELDS_BY_NAME, GLANCE, unsaved_children
from treatments.models.section_kinds import SectionKind

DETAIL = "detail"
FAQ_PAGE = "faq"

# The ids the public templates give these parts (templates/includes/).
GLANCE_ANCHOR = "at-a-glance"
SOURCES_ANCHOR = "sources"

_INLINE_FIELD = re.compile(r"^(sections|faqs|reminders|sources)-(\d+)-")


def _faq_anchors(copy: Snapshot) -> list[str]:
    """Each kept question's anchor, made as a publication makes it."""
    taken: set[str] = set()
    faqs = unsaved_children(Treatment(), copy.document)["faqs"]
    for faq in faqs:
        faq.set_anchor(taken)
    return [faq.anchor for faq in faqs]


def place_in_preview(copy: Snapshot, field_name: str) -> tuple[str, str]:
    """The preview page ("detail" or "faq") and the anchor on it where ``field_name``, the
    name of a box on the edit page (``faqs-2-answer``, ``summary``), shows its text."""
    match = _INLINE_FIELD.match(field_name)
    if match is None:
        field = FIELDS_BY_NAME.get(field_name)
        return DETAIL, GLANCE_ANCHOR if field is not None and field.group == GLANCE else ""
    group, prefix = match[1], f"{match[1]}-{match[2]}"
    if group == "reminders":
        return DETAIL, SectionKind.AFTERCARE.anchor
    if group == "sources":
        return DETAIL, SOURCES_ANCHOR
    forms = copy.section_forms if group == "sections" else copy.faq_forms
    index = next((i for i, form in enumerate(forms) if form.prefix == prefix), None)
    if index is None:  # a part that is empty or marked for deletion: not on the page
        return (DETAIL, "") if group == "sections" else (FAQ_PAGE, "")
    if group == "sections":
        return DETAIL, SectionKind(copy.document.sections[index].kind).anchor
    return FAQ_PAGE, _faq_anchors(copy)[index]
