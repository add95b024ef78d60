"""Section and answer forms that refuse Markdown which would show patients broken text.

The mistakes are those ``content.markdown_problems`` finds (the page flags them as the
editor types, from the same function); each is an error on its box, with its line.
"""

from django import forms
from django.core.exceptions import ValidationError

from treatments.content.markdown_problems import PictureLibrary, find_problems

REFUSED = (
    "Not saved: patients would see this text broken. Fix what is listed here, then save again."
)


class MarkdownCheckedForm(forms.ModelForm):
    """A form whose ``markdown_box`` is checked for Markdown mistakes before it is saved."""

    markdown_box = ""

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get(self.markdown_box) or ""
        problems = find_problems(text, library=PictureLibrary())
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
