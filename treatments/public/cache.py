"""Which public pages show a row: what the page cache makes again when it changes.

``settings.PAGE_CACHE["WATCH"]`` names one of these functions for each model whose rows
public pages show; the page cache (``clinic_site.pagecache``) calls it with a saved or
deleted row, and with the row as it was stored before a save, and marks the pages it
returns stale once the change commits. Each returns URL paths, or ``EVERY_PAGE``.

Public pages read publications, never the working rows (an edit to a draft changes
nothing a patient sees): a treatment's publication shows on that treatment's pages and
in the lists (home, the list of treatments, the sitemap), and a site page's on every
page, whose footer links the site pages that are public. A treatment's earlier
publications may carry another slug (it was renamed): those addresses change too, from
a page to a redirect. The site
settings (header, footer) and pictures (any page's Markdown may show one) show on every
page.

``NEXT_CHANGE`` names ``next_scheduled_change``: a scheduled treatment goes live with
no save to announce it.
"""

import datetime

from django.db.models import Model
from django.urls import reverse

from treatments.models import Page, Publication

# The page cache's marker for "every page" (this app does not import the project).
EVERY_PAGE = "*"
# A treatment's pages that the page cache may store; the aftercare calendar is private.
TREATMENT_PAGES = ("detail", "faq", "before", "aftercare")


def listings() -> list[str]:
    """The pages that list every published treatment."""
    return [reverse("treatments:home"), reverse("treatments:list"), reverse("sitemap")]


def treatment_pages(slug: str) -> list[str]:
    return [reverse(f"treatments:{name}", kwargs={"slug": slug}) for name in TREATMENT_PAGES]


def pages_showing_publication(publication: Publication) -> list[str] | str:
    """A publication's pages: for a treatment, those of every slug it went live under."""
    if publication.content_type.model_class() is Page:
        # Every page's footer links the site pages that are public.
        return EVERY_PAGE
    slugs = set(
        Publication.objects.filter(
            content_type_id=publication.content_type_id, object_id=publication.object_id
        ).values_list("slug", flat=True)
    ) | {publication.slug}
    return [*(path for slug in slugs for path in treatment_pages(slug)), *listings()]


def every_page(instance: Model) -> str:
    """Site settings (header, footer), pictures (any Markdown may show one)."""
    return EVERY_PAGE


def next_scheduled_change() -> datetime.datetime | None:
    """When the next scheduled publication goes live: lists and links change then."""
    return (
        Publication.objects.scheduled()
        .order_by("live_from")
        .values_list("live_from", flat=True)
        .first()
    )
