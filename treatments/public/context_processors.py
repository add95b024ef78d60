"""Values every page template needs."""

import functools

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from treatments.models import Publication, SiteSettings
from treatments.public.search import freshness


@functools.lru_cache(maxsize=4)
def _public_pages(generation: str, signoff_required: bool) -> frozenset[str]:
    return Publication.objects.page_slugs()


def public_pages() -> frozenset[str]:
    """The addresses of the site pages patients may read now. They change only when a
    publication does (saved, signed, taken off, or its time come), which is what moves
    the generation of search results on: so they are read once per generation in each
    process, not on every search page (5 ms of building and running the query)."""
    generation = freshness.current(timezone.now())
    return _public_pages(generation, settings.CLINICAL_SIGNOFF_REQUIRED)


def site(request: HttpRequest) -> dict:
    return {
        # Lazy: a template that never shows the clinic's details costs no query.
        "site_settings": SimpleLazyObject(SiteSettings.load),
        # The site pages (about, privacy) that are public: a link to one that is not (in
        # production, one no clinician has signed yet) would lead a patient to a 404.
        "public_pages": SimpleLazyObject(public_pages),
        # Canonical links are absolute and built from the configured address, never the
        # Host header, so a stray host name cannot become the page's canonical URL.
        "canonical_url": f"{settings.SITE_BASE_URL}{request.path}",
    }
