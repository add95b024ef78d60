"""Template tags for what search engines and link previews read: the head and JSON-LD.

``{% load seo %}`` gives the ``*_json_ld`` tags, which render a page's structured
data from ``treatments.seo.structured_data``, and the filters the head partial
(``includes/head_meta.html``) uses to keep titles and descriptions within what
search engines show.
"""

from django import template
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from treatments.models import Publication, SiteSettings, Treatment
from treatments.seo import structured_data

register = template.Library()

# Search engines show about this much of a title and a description.
TITLE_MAX_CHARS = 60


def _site_settings(context: template.Context) -> SiteSettings:
    return context.get("site_settings") or SiteSettings.load()


@register.simple_tag(takes_context=True)
def home_json_ld(context: template.Context, name: str, description: str) -> SafeString:
    graph = structured_data.home_graph(_site_settings(context), name, description)
    return structured_data.json_ld_script(graph)


@register.simple_tag
def treatment_list_json_ld(treatments, name: str, description: str) -> SafeString:
    graph = structured_data.treatment_list_graph(treatments, name, description)
    return structured_data.json_ld_script(graph)


@register.simple_tag
def treatment_json_ld(treatment: Treatment) -> SafeString:
    return structured_data.json_ld_script(structured_data.treatment_graph(treatment))


@register.simple_tag
def faq_json_ld(treatment: Treatment) -> SafeString:
    return structured_data.json_ld_script(structured_data.faq_graph(treatment))


@register.simple_tag
def page_json_ld(page) -> SafeString:
    return structured_data.json_ld_script(structured_data.page_graph(page))


@register.simple_tag
def language_tag() -> str:
    """For ``<html lang>``: the same tag the JSON-LD gives as ``inLanguage``."""
    return structured_data.language_tag()


@register.simple_tag
def og_locale() -> str:
    """Open Graph wants a locale (``en_GB``), not a language tag."""
    return translation.to_locale(structured_data.language_tag())


@register.filter
def title_tag(title: str, clinic_name: str) -> str:
    """``Title | Clinic`` when that fits in 60 characters, else the title alone, cut to fit."""
    if not title:
        return Truncator(clinic_name).chars(TITLE_MAX_CHARS)
    with_clinic = f"{title} | {clinic_name}"
    if len(with_clinic) <= TITLE_MAX_CHARS:
        return with_clinic
    return Truncator(title).chars(TITLE_MAX_CHARS)


@register.filter
def meta_description(text: str) -> str:
    """At most 160 characters, cut at a sentence or word rather than mid-word."""
    text = " ".join(str(text).split())
    return structured_data.shorten(text, structured_data.DESCRIPTION_MAX_CHARS)


@register.filter
def hero_image(treatment: Treatment):
    """The treatment's hero image (absolute ``url`` and ``alt``), or None."""
    return structured_data.hero_image(treatment)


@register.filter
def faq_title(treatment: Treatment) -> str:
    return structured_data.faq_page_title(treatment)


@register.filter
def faq_description(treatment: Treatment) -> str:
    return structured_data.faq_page_description(treatment)


@register.inclusion_tag("includes/treatment_links.html")
def treatment_links() -> dict:
    """Every published treatment with its guide and questions: the way on from a dead end."""
    return {"treatments": Publication.objects.treatments()}
