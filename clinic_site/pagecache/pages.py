"""A page as stored: its key, its encodings, how long it is kept and how it is sent."""

import datetime
import hashlib

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers

from clinic_site.pagecache import compression
from clinic_site.pagecache.conf import imported, page_cache_settings
from clinic_site.pagecache.release import release_fingerprint

# Tells a test, an operator with curl, or bench/perf whether the cache answered.
STATE_HEADER = "X-Page-Cache"
# Headers a stored page does not keep: they are made per encoding or per request.
_PER_RESPONSE = {"content-length", "content-encoding", "etag", "date"}
_BODY_HEADERS = {"content-length", "content-type", "content-encoding"}
_CONDITIONAL_HEADERS = {
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
}


def page_key(request: HttpRequest) -> str:
    """The key of the page ``request`` asks for, without its encoding.

    The address as a hash: any path is a valid key, whatever characters it holds.
    SITE_BASE_URL is in it because canonical links and sitemaps are built from it, the
    release fingerprint because templates and static file names change with a release.
    ``get_host()`` validates against ALLOWED_HOSTS: a refused host gets its 400 before
    any stored page could be sent.
    """
    base = getattr(settings, "SITE_BASE_URL", "")
    address = f"{base} {request.scheme}://{request.get_host()}{request.path}"
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"pagecache:page:{release_fingerprint()}:{digest}"


def stored_seconds() -> int:
    """How long a page made now may be kept: until the next change no save announces
    (``NEXT_CHANGE``), midnight (dates on the page, the footer's year) or ``SECONDS``,
    whichever comes first."""
    conf = page_cache_settings()
    now = timezone.localtime()
    midnight = datetime.datetime.combine(
        now.date() + datetime.timedelta(days=1), datetime.time(), tzinfo=now.tzinfo
    )
    ends = [midnight, now + datetime.timedelta(seconds=conf.seconds)]
    if conf.next_change and (next_change := imported(conf.next_change)()) is not None:
        ends.append(next_change)
    return max(1, int((min(ends) - now).total_seconds()))


def cache_control() -> str:
    max_age = page_cache_settings().max_age
    return f"public, max-age={max_age}" if max_age else "public, max-age=0, must-revalidate"


def encodings(response: HttpResponse) -> dict[str, HttpResponse]:
    """The page as stored: a complete response for each encoding, each with its own
    strong ETag. Stored whole, as Django's own cache middleware does, so serving one
    needs no header rebuilt."""
    if not response.has_header("Cache-Control"):
        response["Cache-Control"] = cache_control()
    patch_vary_headers(response, ("Accept-Encoding",))
    common = {name: value for name, value in response.items() if name.lower() not in _PER_RESPONSE}
    body = response.content
    etag = hashlib.sha256(body).hexdigest()[:32]

    def entry(encoded: bytes, encoding: str) -> HttpResponse:
        headers = {**common, "Content-Length": str(len(encoded))}
        if encoding == compression.IDENTITY:
            headers["ETag"] = f'"{etag}"'
        else:
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


def respond(request: HttpRequest, page: HttpResponse, state: str) -> HttpResponse:
    """``page`` for ``request``: a 304 when its ``If-None-Match`` names the page."""
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
