"""Small template helpers for treatment pages."""

from django import template
from django.utils.safestring import SafeString

from treatments.models.document import GLANCE, TREATMENT_FIELDS
from treatments.models.section_kinds import SectionKind, section_of
from treatments.public.feedback import page_token
from treatments.public.qr import qr_svg
from treatments.public.timeline import Stage, recovery_stages
from treatments.text.lead_phrases import lead_phrases

register = template.Library()
register.simple_tag(section_of)


@register.inclusion_tag("includes/feedback_form.html", takes_context=True)
def feedback_form(context, treatment, page: str) -> dict:
    """ "Is this page helpful?" for a page patients can see (never a draft or preview),
    with the token that proves the answer comes from it (``public/feedback.py``)."""
    if not treatment.is_public or treatment.publication_id is None:
        return {}
    return {
        "token": page_token(treatment.publication_id, page),
        "site_settings": context.get("site_settings"),
        "public_pages": context.get("public_pages", ()),
    }


@register.simple_tag
def qr_code(url: str, label: str) -> SafeString:
    return qr_svg(url, label)


# The facts a card in a list shows: what a patient weighs up between treatments.
CARD_FIELDS = ("duration", "downtime", "sessions")


@register.simple_tag
def at_a_glance(treatment, *names: str) -> list[tuple[str, str]]:
    """The treatment's filled-in quick facts as (label, text), worded for patients, in the
    order ``models.document`` declares them; empty ones are left out.

    All of them, or only the fields ``names``.
    """
    facts = [
        (f.patient_label, (getattr(treatment, f.name, "") or "").strip())
        for f in TREATMENT_FIELDS
        if f.group == GLANCE and (not names or f.name in names)
    ]
    return [(label, text) for label, text in facts if text]


@register.simple_tag
def card_facts(treatment) -> list[tuple[str, str]]:
    """The quick facts a treatment's card shows in a list (``CARD_FIELDS``)."""
    return at_a_glance(treatment, *CARD_FIELDS)


@register.simple_tag
def contraindication_checklist(treatment) -> tuple[str, ...]:
    """The bold lead phrases of the "Who should not have it" section, for the checklist."""
    section = section_of(treatment, SectionKind.CONTRAINDICATIONS.value)
    return lead_phrases(section.body_html) if section and section.body_html else ()


@register.simple_tag
def care_sheet_text(treatment, sheet: str) -> dict[str, str]:
    """The title and meta description of a printable care sheet, for the page's head."""
    name = treatment.title.lower()
    if sheet == "before":
        return {
            "title": f"{treatment.title}: before your visit",
            "description": f"A printable checklist to prepare for {name}, with when to contact us.",
        }
    return {
        "title": f"{treatment.title}: aftercare",
        "description": f"A printable aftercare sheet for the days after {name}, "
        "with when to contact us and reminders for your calendar.",
    }


@register.simple_tag
def recovery_timeline(treatment) -> list[Stage]:
    """The treatment's aftercare reminders as stages of recovery, for the timeline."""
    return recovery_stages(treatment.reminders.all())
