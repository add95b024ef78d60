"""A full-page cache for anonymous visitors, as fresh as the database.

**What is cached.** A GET or HEAD without a query string (search stays live) and without
a session cookie (staff may see drafts at public addresses), outside the admin and the
health check; and of its answers, a 200 that sets no cookie, does not vary on Cookie, is
not marked private, no-store or no-cache, and did not use the page's CSP nonce (a nonce
must be new on every response). HEAD is answered from a stored GET but never stores one.

**Fresh the moment content changes.** Each page is filed under the content version
(``content_version.py``), a number in the database that every save of public content
moves on after its commit. The number is read on every request *before* the page is made,
so a page made while a change commits is filed under the old number, and once the number
has moved no process on any server finds the old pages again. Pages also expire at the
next scheduled publication (``publish_at``), at midnight (dates on the page) and after
``PAGE_CACHE_SECONDS``; and keys carry a fingerprint of the release (templates, code,
the static files' manifest), so after a deploy no server sends a page made by the old
templates with links to static files that are gone.

**Where pages are kept.** In the cache CACHE_URL names (settings ``PAGE_CACHE_ALIAS``).
When that is shared (Redis), each process also keeps the pages it serves in its own
memory (``PAGE_CACHE_LOCAL_ALIAS``), until they expire as in Redis: a page that one
server made is served by the others, and a page a process serves often costs it no
round trip. Both are always right, since a new content version means new keys.

**On the wire.** A page is stored once as its plain bytes and its brotli and gzip
encodings, each with its own ETag, and sent in the encoding the client accepts with
``Vary: Accept-Encoding``; an ``If-None-Match`` that matches gets 304. ``Cache-Control``
is ``public, max-age=0, must-revalidate`` by default: a browser or CDN may keep the page
but asks each time, and the answer is a cheap 304 until the content changes.
``DJANGO_PAGE_MAX_AGE`` lets them reuse it for that many seconds without asking
(docs/deploy.md). Other responses that carry no secret (search, 404) are compressed on the
fly; nothing a signed-in member of staff sees is compressed (BREACH, clinic_site/compression.py).

**Where it sits.** In MIDDLEWARE after SecurityMiddleware and RequestIdMiddleware, which
add their headers to every response, stored or not (HSTS over https, a new X-Request-ID,
the access log line), and before PermissionsPolicy, CSP and X-Frame-Options, whose headers
a stored page keeps: they are the same for every response to a page without a nonce, and
a page with one is never stored. Also before sessions, CSRF and authentication, which a
page for anonymous visitors never needs. A cache that fails (Redis down) is logged and
bypassed: pages are made as if there were no cache.
"""

import datetime
import functools
import hashlib
import importlib
import logging
import time
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers

from clinic_site import compression
from treatments import content_version
from treatments.models import Publication

logger = logging.getLogger(__name__)

# Tells a test, an operator with curl, or bench/perf whether the cache answered.
STATE_HEADER = "X-Page-Cache"
# Headers a stored page does not keep: they are made per encoding or per request.
_PER_RESPONSE = {"content-length", "content-encoding", "etag", "date"}
_BODY_HEADERS = {"content-length", "content-type", "content-encoding"}
_SOURCE_SUFFIXES = {".py", ".html", ".txt", ".xml"}
_CONDITIONAL_HEADERS = {
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
}


@functools.cache
def release_fingerprint() -> str:
    """A short hash of what decides how pages look in this release.

    The templates, the Python of this project's apps and settings, the static files'
    manifest (hashed file names in the pages) and Django's version. Read once per process.
    """
    digest = hashlib.sha256(django.get_version().encode())
    digest.update(getattr(staticfiles_storage, "manifest_hash", "").encode())
    base = Path(settings.BASE_DIR)
    folders = [Path(folder) for template in settings.TEMPLATES for folder in template["DIRS"]]
    # This project's own apps only (Django's and others' change with their version).
    folders += [Path(app.path) for app in apps.get_app_configs() if Path(app.path).parent == base]
    folders.append(Path(importlib.import_module(settings.ROOT_URLCONF).__file__).parent)
    for folder in sorted(set(folders)):
        for path in sorted(folder.rglob("*")):
            if path.suffix in _SOURCE_SUFFIXES and path.is_file():
                digest.update(f"{folder.name}/{path.relative_to(folder)}".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _next_publication() -> datetime.datetime | None:
    """When the next scheduled treatment goes live: lists and links change then."""
    return (
        Publication.objects.scheduled()
        .order_by("live_from")
        .values_list("live_from", flat=True)
        .first()
    )


def stored_seconds() -> int:
    """How long a page made now may be kept: until the next publication, midnight (the
    footer's year, review dates) or ``PAGE_CACHE_SECONDS``, whichever comes first."""
    now = timezone.localtime()
    midnight = datetime.datetime.combine(
        now.date() + datetime.timedelta(days=1), datetime.time(), tzinfo=now.tzinfo
    )
    ends = [midnight, now + datetime.timedelta(seconds=settings.PAGE_CACHE_SECONDS)]
    if (publication := _next_publication()) is not None:
        ends.append(publication)
    return max(1, int((min(ends) - now).total_seconds()))


def cache_control() -> str:
    max_age = settings.PAGE_MAX_AGE
    return f"public, max-age={max_age}" if max_age else "public, max-age=0, must-revalidate"


class PageCacheMiddleware:
    """Serve anonymous visitors stored pages; store the pages that are safe to share."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.cache = caches[settings.PAGE_CACHE_ALIAS]
        # In front of a shared cache (Redis), this process's memory too, so a page it
        # serves often costs no round trip. Always right: keys carry the content version.
        local = isinstance(self.cache, LocMemCache | DummyCache)
        self.local = None if local else caches[settings.PAGE_CACHE_LOCAL_ALIAS]
        self.never_cached = (f"/{settings.ADMIN_PATH}", "/healthz")
        # Read every template and source file now, as the worker starts, rather than
        # while the first visitor waits.
        release_fingerprint()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._may_use_cache(request):
            return compression.compress_response(request, self.get_response(request))
        # Read before the page is made: see "Fresh the moment content changes" above.
        try:
            version = content_version.current()
        except DatabaseError as exc:
            # Without the number no stored page can be trusted; the view meets the same
            # database and fails, or not, exactly as it would without a cache.
            logger.warning("Content version unreadable (%s); page cache bypassed", exc)
            return self.get_response(request)
        key = self._key(request, version)
        encoding = compression.negotiate(request.headers.get("Accept-Encoding", ""))
        stored = self._get(f"{key}:{encoding}")
        if stored is not None:
            return self._respond(request, stored, "hit")

        response = self.get_response(request)
        if request.method != "GET" or not self._may_store(request, response):
            response[STATE_HEADER] = "miss"
            return compression.compress_response(request, response)
        encodings = self._encodings(response)
        self._set({f"{key}:{name}": value for name, value in encodings.items()})
        return self._respond(request, encodings[encoding], "miss")

    def _may_use_cache(self, request: HttpRequest) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and not request.META.get("QUERY_STRING")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith(self.never_cached)
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

    @staticmethod
    def _key(request: HttpRequest, version: int) -> str:
        # The address as a hash: any path is a valid key, whatever characters it holds.
        # SITE_BASE_URL is in it because canonical links and the sitemap are built from it.
        # get_host() validates against ALLOWED_HOSTS: a refused host gets its 400 before
        # any stored page could be sent.
        address = f"{settings.SITE_BASE_URL} {request.scheme}://{request.get_host()}{request.path}"
        digest = hashlib.sha256(address.encode()).hexdigest()[:32]
        return f"page:{release_fingerprint()}:{version}:{digest}"

    @staticmethod
    def _encodings(response: HttpResponse) -> dict[str, HttpResponse]:
        """The page as stored: a complete response for each encoding. Stored whole, as
        Django's own cache middleware does, so serving one needs no header rebuilt."""
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = cache_control()
        patch_vary_headers(response, ("Accept-Encoding",))
        common = {
            name: value for name, value in response.items() if name.lower() not in _PER_RESPONSE
        }
        body = response.content
        etag = hashlib.sha256(body).hexdigest()[:32]

        def entry(encoded: bytes, encoding: str) -> HttpResponse:
            headers = {**common, "Content-Length": str(len(encoded))}
            if encoding == compression.IDENTITY:
                headers["ETag"] = f'"{etag}"'
            else:
                # Each representation has its own strong ETag.
                headers.update({"Content-Encoding": encoding, "ETag": f'"{etag}-{encoding}"'})
            return HttpResponse(encoded, headers=headers)

        plain = entry(body, compression.IDENTITY)
        if not compression.worth_compressing(response):
            return dict.fromkeys((compression.IDENTITY, *compression.ENCODINGS), plain)
        return {
            compression.IDENTITY: plain,
            **{
                name: entry(compression.compress(body, name, thorough=True), name)
                for name in compression.ENCODINGS
            },
        }

    @staticmethod
    def _respond(request: HttpRequest, page: HttpResponse, state: str) -> HttpResponse:
        response = page
        if not _CONDITIONAL_HEADERS.isdisjoint(request.META):
            response = get_conditional_response(request, etag=page["ETag"], response=page)
            if response.status_code == 304:
                # The page's own headers (CSP, Permissions-Policy...), as on the full page;
                # not those that describe a body, which a 304 has none of.
                for name, value in page.items():
                    if name.lower() not in _BODY_HEADERS:
                        response[name] = value
        response[STATE_HEADER] = state
        return response

    # Stored: (when it expires, the page). Any error of the cache backend (Redis down,
    # timed out, full) is caught: the page is made and sent as if there were no cache. One
    # line per request, without a traceback.

    def _get(self, key: str) -> HttpResponse | None:
        if self.local is not None and (stored := self.local.get(key)) is not None:
            return stored[1]
        try:
            stored = self.cache.get(key)
        except Exception as exc:
            logger.warning("Page cache unavailable (%r); making the page", exc)
            return None
        if stored is None:
            return None
        if self.local is not None:
            self.local.set(key, stored, timeout=max(1, stored[0] - time.time()))
        return stored[1]

    def _set(self, pages: dict[str, HttpResponse]) -> None:
        timeout = stored_seconds()
        entries = {key: (time.time() + timeout, page) for key, page in pages.items()}
        try:
            self.cache.set_many(entries, timeout=timeout)
        except Exception as exc:
            logger.warning("Page cache unavailable (%r); page not stored", exc)
        if self.local is not None:
            self.local.set_many(entries, timeout=timeout)
