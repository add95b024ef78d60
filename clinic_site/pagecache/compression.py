"""Compressing HTML and other text for clients that accept it: brotli, else gzip.

Only responses that carry no secret may be compressed. BREACH recovers a secret (a CSRF
token, a session's data) from a page whose compressed size an attacker can watch while
putting guesses into the same page, e.g. through a query string. A page sent to a visitor
without a session, that sets no cookie and does not vary on Cookie, holds nothing that
visitor does not already know, so ``carries_no_secret`` is the rule; the admin and
anything else a signed-in member of staff sees is never compressed
(the page cache middleware decides).

Static files are compressed ahead of time by WhiteNoise (``collectstatic``), not here.
"""

import functools
import gzip

import brotli  # installed with whitenoise[brotli], which serves the static .br files
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

IDENTITY = "identity"
# Best first: brotli makes HTML about a tenth smaller than gzip does.
ENCODINGS = ("br", "gzip")
COMPRESSIBLE_TYPES = (
    "text/",
    "application/xml",
    "application/json",
    "application/ld+json",
    "application/javascript",
)
# Below this many bytes the headers outweigh what compression saves.
MIN_SIZE = 200


@functools.lru_cache(maxsize=64)
def negotiate(accept_encoding: str) -> str:
    """The encoding to send for an ``Accept-Encoding`` header: ``br``, ``gzip`` or identity.

    ``;q=0`` refuses an encoding; other weights are not ranked, since every client that
    accepts brotli also takes it over gzip. Remembered: browsers send a handful of
    different headers, and every request asks.
    """
    accepted = set()
    for part in accept_encoding.lower().split(","):
        name, _, params = part.partition(";")
        weight = params.strip().removeprefix("q=")
        if params and weight.replace(".", "").strip("0") == "":
            continue
        accepted.add(name.strip())
    for encoding in ENCODINGS:
        if encoding in accepted:
            return encoding
    return IDENTITY


def compress(body: bytes, encoding: str, *, thorough: bool = False) -> bytes:
    """``body`` in ``encoding``. The same input always gives the same bytes (gzip's header
    carries no time), so a cached page's encodings keep their ETags.

    ``thorough`` is for a page compressed once and sent many times; brotli's top
    qualities cost tens of milliseconds for a few per cent, so even then it stops at 5.
    """
    if encoding == "br":
        return brotli.compress(body, quality=5 if thorough else 4, mode=brotli.MODE_TEXT)
    if encoding == "gzip":
        return gzip.compress(body, compresslevel=9 if thorough else 6, mtime=0)
    return body


def carries_no_secret(request: HttpRequest, response: HttpResponse) -> bool:
    """True when nothing in ``response`` is private to whoever asked for it."""
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not response.cookies
        and "cookie" not in response.get("Vary", "").lower()
        and "private" not in response.get("Cache-Control", "").lower()
    )


def worth_compressing(response: HttpResponse) -> bool:
    return (
        not response.streaming
        and not response.has_header("Content-Encoding")
        and response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES)
        and len(response.content) >= MIN_SIZE
    )


def compress_response(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Compress ``response`` in place for ``request``'s client, if it is safe and worth it."""
    if not (carries_no_secret(request, response) and worth_compressing(response)):
        return response
    # The answer depends on Accept-Encoding whichever encoding this client gets.
    patch_vary_headers(response, ("Accept-Encoding",))
    encoding = negotiate(request.headers.get("Accept-Encoding", ""))
    if encoding == IDENTITY:
        return response
    response.content = compress(response.content, encoding)
    response["Content-Encoding"] = encoding
    response["Content-Length"] = str(len(response.content))
    if response.has_header("ETag"):
        # Another representation: the plain body's strong ETag no longer names it.
        response["ETag"] = response["ETag"].removesuffix('"') + f'-{encoding}"'
    return response
