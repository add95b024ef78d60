"""JSON-LD as a page carries it: addresses, the site's language, and the script block.

Each graph (``seo.graphs``) is a ``@graph`` of nodes linked by ``@id``: the page
address plus a fragment such as ``#procedure``, so a crawler can join the web page,
its breadcrumb trail and what it is about without the data being repeated.

The text is staff copy. ``json_ld_script`` escapes ``<``, ``>`` and ``&`` the way
Django's ``json_script`` does, so an answer containing ``</script>`` or ``<!--``
stays inside its block.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

SCHEMA_ORG = "https://schema.org"

_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data: dict[str, Any]) -> SafeString:
    """Render ``data`` as a ``<script type="application/ld+json">`` block.

    ``<``, ``>`` and ``&`` become JSON ``\\u`` escapes, so no string in the data can
    close the element or open a comment.
    """
    # No CSP nonce: a JSON-LD block is data, which script-src does not govern, and a
    # nonce would make every response of a public page unique, defeating the page cache
    # and ETags.
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    body = mark_safe(payload)  # noqa: S308 - every <, > and & is escaped above
    return format_html('<script type="application/ld+json">{}</script>', body)


def compact(value: Any) -> Any:
    """Drop empty properties: schema.org has no use for ``""``, ``None`` or ``[]``."""
    if isinstance(value, dict):
        pairs = ((key, compact(item)) for key, item in value.items())
        return {key: item for key, item in pairs if item not in (None, "", [], {})}
    if isinstance(value, list):
        return [item for item in (compact(item) for item in value) if item not in (None, "", {})]
    return value


def graph(*nodes: dict[str, Any] | None) -> dict[str, Any]:
    """One JSON-LD document of ``nodes``, empty properties left out."""
    return {"@context": SCHEMA_ORG, "@graph": [compact(node) for node in nodes if node]}


def absolute_url(path: str) -> str:
    """The public address of ``path``, from SITE_BASE_URL and never the Host header."""
    return f"{settings.SITE_BASE_URL}{path}"


def language_tag() -> str:
    """The site's language as a BCP 47 tag (``en-gb`` becomes ``en-GB``)."""
    language, _, region = settings.LANGUAGE_CODE.partition("-")
    return f"{language}-{region.upper()}" if region else language


def clinic_id() -> str:
    return absolute_url("/#clinic")


def website_id() -> str:
    return absolute_url("/#website")
