"""Pictures uploaded by staff: checked by content, cleaned, and cut to web sizes.

Threat: an upload is untrusted bytes that will be decoded on the server and shown
to patients. Before and after photos are of patients, so what a phone writes into
a photo (GPS position, camera serial, date, editing history) must never reach the
public. So an upload is:

- identified by its content, never by its name or the browser's content type;
- refused before decoding when its header claims more than ``MAX_PIXELS`` (a
  decompression bomb), and refused when it is SVG (a drawing that can hold script),
  animated, truncated or larger than ``MAX_BYTES``;
- decoded once, turned upright, converted to sRGB, and copied pixel by pixel into a
  new image, so no metadata survives: EXIF, GPS, XMP, ICC profiles and the JPEG
  comment (which a plain Pillow re-encode would carry over) are all left behind;
- re-encoded as a master in its own family (JPEG, PNG or WebP) and as WebP
  renditions for ``srcset``.

Every refusal is an ``ImageRejected`` whose message a receptionist can act on.
This module knows nothing of Django models or storage: ``models.Image`` stores
what ``process_upload`` returns.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image as PILImage
from PIL import ImageCms, ImageOps, UnidentifiedImageError

# Where the library keeps its files in STORAGES["default"].
IMAGE_FOLDER = "images"
MAX_BYTES = 20 * 1024 * 1024
# Well below Pillow's own bomb limit (about 89 megapixels): 40 MP is a large camera photo.
MAX_PIXELS = 40_000_000
# The master is kept no larger than this on its longest side: plenty for any screen.
MASTER_MAX_SIDE = 2400
# Widths of the WebP renditions offered in srcset (only those narrower than the picture).
RENDITION_WIDTHS = (480, 800, 1200, 1600)
# The rendition a Markdown figure points at: sharp in the text column on a phone or laptop.
FIGURE_WIDTH = 1200

# What Pillow may try to decode: nothing else is even attempted.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# Format of the stored master, by format of the upload; GIF is kept as PNG.
MASTER_FORMAT = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}

TRY_AGAIN = "Please upload a JPEG, PNG or WebP photo instead."


class ImageRejected(ValueError):
    """An upload that cannot be used, with a reason for the person who uploaded it."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class ProcessedImage:
    """A cleaned picture, ready to store: the master and its WebP renditions."""

    data: bytes
    extension: str
    width: int
    height: int
    renditions: tuple[Rendition, ...]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _sniff(head: bytes) -> None:
    """Name the kinds of file people often try, before Pillow says only "unknown"."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in start[:1024]:
        raise ImageRejected(
            "SVG drawings cannot be used, because they can contain code that runs in "
            f"the browser. {TRY_AGAIN}",
            code="svg",
        )
    if head[4:8] == b"ftyp" and head[8:12] in {b"heic", b"heix", b"mif1", b"msf1", b"hevc"}:
        raise ImageRejected(
            "This is an iPhone photo in HEIC format, which web browsers cannot show. "
            "Open it and save or export it as JPEG, then upload that.",
            code="heic",
        )


def _open(file: BinaryIO) -> PILImage.Image:
    """Identify the upload by content and read its header only (nothing is decoded yet)."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice its limit: make that a refusal.
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            return PILImage.open(file, formats=ACCEPTED_FORMATS)
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
        raise _too_many_pixels(None) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected(
            f"This file is not a picture we can use. {TRY_AGAIN}", code="not_an_image"
        ) from exc


def _too_many_pixels(size: tuple[int, int] | None) -> ImageRejected:
    limit = f"{MAX_PIXELS // 1_000_000} megapixels"
    if size is None:
        described = "far too large"
    else:
        width, height = size
        described = f"{width} by {height} pixels ({width * height / 1_000_000:.0f} megapixels)"
    return ImageRejected(
        f"This picture is {described}. The most we accept is {limit}: "
        "make it smaller (for example 3000 pixels wide) and upload it again.",
        code="too_many_pixels",
    )


def _check_header(image: PILImage.Image) -> None:
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageRejected(f"This picture has no pixels. {TRY_AGAIN}", code="empty")
    if width * height > MAX_PIXELS:
        raise _too_many_pixels((width, height))
    if getattr(image, "is_animated", False) or getattr(image, "n_frames", 1) > 1:
        raise ImageRejected(
            "Moving pictures (animations) cannot be used. Upload a still photo.",
            code="animated",
        )


def _decode(image: PILImage.Image) -> PILImage.Image:
    """Decode every pixel: a truncated or corrupt file fails here, not later."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            image.load()
            # Turn a phone photo upright before its orientation tag is thrown away.
            return ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRejected(
            "This picture file is damaged or incomplete, so it cannot be used. "
            "Try saving it again from the original, then upload it.",
            code="damaged",
        ) from exc


def _to_srgb(image: PILImage.Image, icc_profile: bytes | None) -> PILImage.Image:
    """Convert to 8-bit sRGB (with alpha when there is any), so no colour profile is needed."""
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )
    target = "RGBA" if has_alpha else "RGB"
    if icc_profile and image.mode in {"RGB", "RGBA", "CMYK", "L"}:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            srgb = ImageCms.createProfile("sRGB")
            mode = target if image.mode != "L" else "RGB"
            converted = ImageCms.profileToProfile(image, source, srgb, outputMode=mode)
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # A broken profile: keep the pixels as they are rather than refuse the photo.
    return image if image.mode == target else image.convert(target)


def _pixels_only(image: PILImage.Image) -> PILImage.Image:
    """A new image holding the pixels and nothing else: no info dict, no EXIF, no comment."""
    clean = PILImage.new(image.mode, image.size)
    clean.paste(image)
    return clean


def _encode(image: PILImage.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
    elif fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=80, method=4)
    return out.getvalue()


def _renditions(image: PILImage.Image) -> tuple[Rendition, ...]:
    widths = sorted({min(width, image.width) for width in RENDITION_WIDTHS})
    renditions = []
    for width in widths:
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), PILImage.LANCZOS)
        renditions.append(Rendition(width, height, _encode(resized, "WEBP")))
    return tuple(renditions)


def process_upload(file: BinaryIO, size: int | None = None) -> ProcessedImage:
    """Check an uploaded file and return the cleaned picture, or raise ``ImageRejected``."""
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    file.seek(0)
    if size > MAX_BYTES:
        raise ImageRejected(
            f"This file is {_megabytes(size)}. Pictures can be at most {_megabytes(MAX_BYTES)}: "
            "save it smaller or at a lower quality, then upload it again.",
            code="too_big",
        )
    if size == 0:
        raise ImageRejected(f"This file is empty. {TRY_AGAIN}", code="empty")
    _sniff(file.read(2048))
    file.seek(0)

    with _open(file) as opened:
        source_format = opened.format
        _check_header(opened)
        icc_profile = opened.info.get("icc_profile")
        decoded = _decode(opened)
        clean = _pixels_only(_to_srgb(decoded, icc_profile))

    clean.thumbnail((MASTER_MAX_SIDE, MASTER_MAX_SIDE), PILImage.LANCZOS)
    master_format = MASTER_FORMAT[source_format]
    if master_format == "JPEG" and clean.mode == "RGBA":
        master_format = "PNG"  # JPEG has no transparency
    return ProcessedImage(
        data=_encode(clean, master_format),
        extension=EXTENSIONS[master_format],
        width=clean.width,
        height=clean.height,
        renditions=_renditions(clean),
    )
