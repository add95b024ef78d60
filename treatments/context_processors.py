"""Values every page template needs."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {
        "site_name": settings.SITE_NAME,
        # Canonical links are absolute and built from the configured address, never the
        # Host header, so a stray host name cannot become the page's canonical URL.
        "canonical_url": f"{settings.SITE_BASE_URL}{request.path}",
    }
