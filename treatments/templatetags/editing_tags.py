"""The edit page's own tags: what a closed section or question says about its text."""

from django import template

from treatments.editorial.admin.picture_chooser import PictureTextarea
from treatments.text.readability import MAX_FK_GRADE, measure

register = template.Library()


@register.simple_tag
def text_summary(form) -> str:
    """Words and reading grade of the form's Markdown text box (a section's body, an
    answer), as typed: shown beside a section or question when it is closed."""
    box = next((f for f in form if isinstance(f.field.widget, PictureTextarea)), None)
    text = (box.value() or "") if box is not None else ""
    if not text.strip():
        return "No text yet"
    score = measure(text)
    over = " (aim for 8 or below)" if score.fk_grade > MAX_FK_GRADE else ""
    return f"{score.words} words, reading grade {score.fk_grade:g}{over}"
