"""Small template helpers for treatment pages."""

from django import template
from django.utils.safestring import SafeString

from ..qr import qr_svg

register = template.Library()


@register.simple_tag
def section_of(treatment, kind: str):
    """The treatment's section of ``kind`` from its prefetched sections, or None."""
    return next((s for s in treatment.sections.all() if s.kind == kind), None)


@register.simple_tag
def qr_code(url: str, label: str) -> SafeString:
    return qr_svg(url, label)
