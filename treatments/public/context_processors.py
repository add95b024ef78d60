"""Values every page template needs."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from treatments.models import Publication, SiteSettings


def site(request: HttpRequest) -> dict:
    return {
        # Lazy: a template that never shows the clinic's details costs no query.
        "site_settings": SimpleLazyObject(SiteSettings.load),
        # The site pages (about, privacy) that are public: a link to one that is not (in
        # production, one no clinician has signed yet) would lead a patient to a 404.
        "public_pages": SimpleLazyObject(Publication.objects.page_slugs),
        # Canonical links are absolute and built from the configured address, never the
        # Host header, so a stray host name cannot become the page's canonical URL.
        "canonical_url": f"{settings.SITE_BASE_URL}{request.path}",
    }
