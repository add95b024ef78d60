"""The middleware: serve anonymous visitors stored pages, store the pages that are safe
to share, and compress what carries no secret. The design is in the package's docstring
(``clinic_site/pagecache/__init__.py``)."""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce

from clinic_site.pagecache import compression, versions
from clinic_site.pagecache.conf import page_cache_settings
from clinic_site.pagecache.pages import STATE_HEADER, encodings, page_key, respond
from clinic_site.pagecache.release import release_fingerprint
from clinic_site.pagecache.store import PageStore

logger = logging.getLogger(__name__)


class PageCacheMiddleware:
    """Serve anonymous visitors stored pages; store the pages that are safe to share."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.store = PageStore()
        # Read every template and source file now, as the worker starts, rather than
        # while the first visitor waits.
        release_fingerprint()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._may_use_cache(request):
            return compression.compress_response(request, self.get_response(request))
        versions.retry_unsent()
        key = page_key(request)
        encoding = compression.negotiate(request.headers.get("Accept-Encoding", ""))
        try:
            found = self.store.lookup(f"{key}:{encoding}", request.path)
        except Exception as exc:
            # Down, timed out: the page is made as if there were no cache, and not
            # stored, since its versions are unknown. One line per request, no traceback.
            logger.warning("Page cache unavailable (%r); making the page", exc)
            response = self.get_response(request)
            response[STATE_HEADER] = "bypass"
            return compression.compress_response(request, response)
        if found.page is not None:
            return respond(request, found.page, "hit")

        response = self.get_response(request)
        if (
            request.method != "GET"
            or found.versions is None
            or not self._may_store(request, response)
        ):
            response[STATE_HEADER] = "miss"
            return compression.compress_response(request, response)
        pages = encodings(response)
        try:
            self.store.save(key, pages, found.versions)
        except Exception as exc:
            logger.warning("Page cache unavailable (%r); page not stored", exc)
        return respond(request, pages[encoding], "miss")

    @staticmethod
    def _may_use_cache(request: HttpRequest) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and not request.META.get("QUERY_STRING")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith(page_cache_settings().never)
        )

    @staticmethod
    def _may_store(request: HttpRequest, response: HttpResponse) -> bool:
        cache_control_header = response.get("Cache-Control", "").lower()
        return (
            response.status_code == 200
            and not response.streaming
            and compression.carries_no_secret(request, response)
            and not any(word in cache_control_header for word in ("no-store", "no-cache"))
            and not response.has_header("Content-Encoding")
            # A nonce in a stored page would not match the next response's CSP header.
            and not get_nonce(request)
        )
