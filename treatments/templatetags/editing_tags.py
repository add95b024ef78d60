"""The edit page's own tags: what a closed section or question says about its text."""

from django import template

from treatments.editorial.admin.live import closed_summary
from treatments.editorial.admin.picture_chooser import PictureTextarea

register = template.Library()


@register.simple_tag
def text_summary(form) -> str:
    """Words and reading grade of the form's Markdown text box (a section's body, an
    answer), as typed: shown beside a section or question when it is closed."""
    box = next((f for f in form if isinstance(f.field.widget, PictureTextarea)), None)
    return closed_summary((box.value() or "") if box is not None else "")
