"""QR codes that lead a printed care sheet back to its page on the site."""

from functools import lru_cache

import segno
from django.utils.safestring import SafeString, mark_safe


@lru_cache(maxsize=512)
def qr_svg(url: str, label: str) -> SafeString:
    """An inline SVG QR code for ``url``; ``label`` becomes its accessible name.

    Cached per address: the code depends only on its inputs, and a care sheet asks for
    the same one on every print.
    """
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=3, border=2, title=label, svgclass="qr-code", lineclass=None)
    # segno escapes the title; role="img" makes screen readers announce it as a picture.
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308
