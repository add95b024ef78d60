"""Which public pages show a row: what the page cache makes again when it changes.

``settings.PAGE_CACHE["WATCH"]`` names one of these functions for each model whose rows
public pages show; the page cache (``clinic_site.pagecache``) calls it with a saved or
deleted row, and with the row as it was stored before a save, and marks the pages it
returns stale once the change commits. Each returns URL paths, or ``EVERY_PAGE``.

Today public pages read the working rows: a treatment, its sections, questions and
reminders show on that treatment's pages and in the lists (home, the list of
treatments, the sitemap); a site page on its own address and in the sitemap; the site
settings (header, footer) and pictures (any page's Markdown may show one) on every
page. When public pages read publications instead, ``WATCH`` names the publication
model and its function here, and the working rows leave it.

``NEXT_CHANGE`` names ``next_scheduled_change``: a scheduled treatment goes live with
no save to announce it.
"""

import datetime

from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from treatments.models import Page, Treatment

# The page cache's marker for "every page" (this app does not import the project).
EVERY_PAGE = "*"
# A treatment's pages that the page cache may store; the aftercare calendar is private.
TREATMENT_PAGES = ("detail", "faq", "before", "aftercare")


def listings() -> list[str]:
    """The pages that list every published treatment."""
    return [reverse("treatments:home"), reverse("treatments:list"), reverse("sitemap")]


def treatment_pages(slug: str) -> list[str]:
    return [reverse(f"treatments:{name}", kwargs={"slug": slug}) for name in TREATMENT_PAGES]


def pages_showing_treatment(treatment: Treatment) -> list[str]:
    return [*treatment_pages(treatment.slug), *listings()]


def pages_showing_part(part: Model) -> list[str]:
    """A section, question or reminder: its treatment's pages, and the lists (the
    sitemap dates a treatment by its last change and lists FAQ pages that have
    questions)."""
    slug = _slug_of_treatment(part)
    return [*(treatment_pages(slug) if slug else []), *listings()]


def _slug_of_treatment(part: Model) -> str | None:
    # The admin's inline forms and the importer hand the treatment over with its row;
    # a cascade delete does not, and its treatment row is still there to read.
    if type(part)._meta.get_field("treatment").is_cached(part):
        return part.treatment.slug
    return Treatment.objects.filter(pk=part.treatment_id).values_list("slug", flat=True).first()


def pages_showing_page(page: Page) -> list[str]:
    return [page.get_absolute_url(), reverse("sitemap")]


def every_page(instance: Model) -> str:
    """Site settings (header, footer), pictures (any Markdown may show one)."""
    return EVERY_PAGE


def next_scheduled_change() -> datetime.datetime | None:
    """When the next scheduled treatment goes live: lists and links change then."""
    return (
        Treatment.objects.filter(status=Treatment.Status.PUBLISHED, publish_at__gt=timezone.now())
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )
