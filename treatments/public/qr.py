"""QR codes that lead a printed care sheet back to its page on the site."""

from functools import lru_cache

import segno
from django.utils.safestring import SafeString, mark_safe

# The quiet zone the QR standard asks for around the code, in modules: without it a phone
# camera may not find the code's edges on a busy page.
QUIET_ZONE = 4


@lru_cache(maxsize=512)
def qr_svg(url: str, label: str) -> SafeString:
    """An inline SVG QR code for ``url``; ``label`` becomes its accessible name.

    Scalable: a viewBox and no width or height, so site.css sizes it, in millimetres
    on paper, without the browser shrinking a fixed pixel size to fit. The light
    background is drawn in the SVG itself, so the quiet zone stays light in any colour
    scheme. Cached per address: the code depends only on its inputs, and a care sheet
    asks for the same one on every print.
    """
    code = segno.make(url, error="m")
    svg = code.svg_inline(
        scale=1,
        border=QUIET_ZONE,
        omitsize=True,
        dark="#000",
        light="#fff",
        title=label,
        svgclass="qr-code",
        lineclass=None,
    )
    # segno escapes the title; role="img" makes screen readers announce it as a picture.
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308
