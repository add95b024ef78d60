"""Site-level pages such as "About this information"."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.text import normalize_newlines

from treatments.models.treatment import MARKDOWN_HELP
from treatments.text.markdown import render_markdown

# Pages live at /<slug>/, so they may not take the first part of another route.
RESERVED_PAGE_SLUGS = {
    "admin",
    "treatments",
    "static",
    "media",
    "healthz",
    "search",
    "feedback",
}


class Page(models.Model):
    """A site-level page such as "About this information", from ``content/pages/``."""

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField("meta description", max_length=300)
    body = models.TextField(help_text=MARKDOWN_HELP)
    body_html = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    source_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.body = normalize_newlines(self.body)
        self.body_html = render_markdown(self.body, top_heading_level=2)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("treatments:page", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.slug in RESERVED_PAGE_SLUGS:
            raise ValidationError(
                {"slug": f"'{self.slug}' is already a part of the site; choose another."},
                code="reserved",
            )
