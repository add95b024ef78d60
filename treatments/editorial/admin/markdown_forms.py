"""Section, answer and page forms that refuse Markdown which would show patients broken text.

The mistakes are those ``content.markdown_problems`` finds (the page flags them as the
editor types, from the same function); each is an error on its box, with its line.
"""

from django import forms
from django.core.exceptions import ValidationError

from treatments.content.markdown_problems import PictureLibrary, find_problems
from treatments.models import Page
from treatments.text.markdown import SECTION_HEADING_LEVEL

REFUSED = (
    "Not saved: patients would see this text broken. Fix what is listed here, then save again."
)


class MarkdownCheckedForm(forms.ModelForm):
    """A form whose ``markdown_box`` is checked for Markdown mistakes before it is saved."""

    markdown_box = ""
    # Where the box's own headings start on the page, as it is rendered.
    top_heading_level = SECTION_HEADING_LEVEL

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get(self.markdown_box) or ""
        problems = find_problems(
            text, library=PictureLibrary(), top_heading_level=self.top_heading_level
        )
        if problems:
            self.add_error(
                self.markdown_box,
                [ValidationError(REFUSED, code="markdown")]
                + [ValidationError(str(p), code=p.code) for p in problems],
            )
        return cleaned


class SectionForm(MarkdownCheckedForm):
    markdown_box = "body"


class FAQForm(MarkdownCheckedForm):
    markdown_box = "answer"


class PageForm(MarkdownCheckedForm):
    """A site page's body sits straight under the page's title."""

    markdown_box = "body"
    top_heading_level = 2

    class Meta:
        model = Page
        fields = ["title", "slug", "description", "body"]
