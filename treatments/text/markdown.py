"""Markdown written by clinic staff, turned into HTML that is safe to show patients.

Threat: staff copy becomes public HTML. A mistaken paste or a compromised staff
account must not be able to run script in a patient's browser, load third-party
content or restyle the page. Two layers stand in the way:

1. Python-Markdown is run with raw HTML switched off: ``<script>`` typed into a
   field is shown as text, never passed through.
2. The output is cleaned by nh3 (the Rust ``ammonia`` sanitizer) against an
   allowlist of tags, attributes and URL schemes, so a bug or an extension in
   layer 1 still cannot produce an event handler, a ``style`` attribute or a
   ``javascript:``/``data:`` URL. Images must come from this site: a picture on
   another server would tell that server who reads which treatment page.

This module is the only place Markdown becomes HTML. It runs when content is
saved; pages serve the stored result.
"""

import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import markdown
import nh3
from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.text import slugify
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

# Section bodies sit under the page's h1 and a section h2, so their own headings start at h3.
SECTION_HEADING_LEVEL = 3

HEADINGS = {"h2", "h3", "h4", "h5", "h6"}
ALLOWED_TAGS = {
    *("p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote", "abbr"),
    *("ul", "ol", "li", "a", "img"),
    # A picture with its caption (_Figures): plain structure, no attributes of their own.
    *("figure", "figcaption"),
    *("table", "thead", "tbody", "tr", "th", "td"),
    *HEADINGS,
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    # loading and decoding are set by _LazyImages below, srcset and sizes by
    # _LibraryPictures, never taken from staff copy.
    "img": {"src", "alt", "title", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "abbr": {"title"},
    "ol": {"start"},
    # Heading ids are what the table of contents and deep links point at.
    **{heading: {"id"} for heading in HEADINGS},
}
# The only values an image's loading and decoding may have: the ones _LazyImages sets.
LAZY_IMAGE_VALUES = {"loading": "lazy", "decoding": "async"}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Stripped with their content, not unwrapped into text.
REMOVED_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "embed"}


class _DemoteHeadings(Treeprocessor):
    """Shift headings so the body's highest heading sits at ``top_level`` (never past h6)."""

    def __init__(self, md: markdown.Markdown, top_level: int):
        super().__init__(md)
        self.top_level = top_level

    def run(self, root: etree.Element) -> None:
        headings = [el for el in root.iter() if el.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}]
        if not headings:
            return
        shift = self.top_level - min(int(el.tag[1]) for el in headings)
        if shift <= 0:
            return
        for el in headings:
            el.tag = f"h{min(int(el.tag[1]) + shift, 6)}"


class _MarkExternalLinks(Treeprocessor):
    """Give links to other sites rel="noopener", so they cannot reach back to this tab."""

    def run(self, root: etree.Element) -> None:
        own_host = urlsplit(settings.SITE_BASE_URL).hostname
        for link in root.iter("a"):
            parts = urlsplit(link.get("href", ""))
            if parts.scheme in {"http", "https"} and parts.hostname != own_host:
                link.set("rel", "noopener")


class _LazyImages(Treeprocessor):
    """Pictures in the copy sit below the page's heading, summary and contents: the
    browser fetches them only as they near the screen, and decodes them off the main
    thread, so they never hold up the text."""

    def run(self, root: etree.Element) -> None:
        for image in root.iter("img"):
            image.set("loading", "lazy")
            image.set("decoding", "async")


# Drawings shipped with the site (static/img/diagrams/), which copy may show by address:
# the one kind of SVG a page shows, since the image library refuses SVG uploads. Loaded
# through <img>, an SVG cannot run script.
DIAGRAMS_DIR = "img/diagrams/"
_SVG_SIZE = re.compile(r'<svg\b[^>]*?\bviewBox="\s*0[ ,]+0[ ,]+([\d.]+)[ ,]+([\d.]+)\s*"')


def _diagram_size(src: str) -> tuple[str, str] | None:
    """The width and height of a shipped diagram at ``src`` (from its viewBox), or None
    when ``src`` is not one. Read when copy is saved, so the page reserves the space."""
    prefix = settings.STATIC_URL + DIAGRAMS_DIR
    name = src.removeprefix(prefix)
    if name == src or not re.fullmatch(r"[a-z0-9-]+\.svg", name):
        return None
    path = finders.find(DIAGRAMS_DIR + name)
    if not path:
        return None
    with open(path, encoding="utf-8") as svg:
        match = _SVG_SIZE.search(svg.read(2000))
    return (match[1], match[2]) if match else None


class _Figures(Treeprocessor):
    """A paragraph that holds only a picture with a title becomes a figure whose caption,
    shown under it, is that title: ``![what it shows](address "caption")``.

    The alt text describes the picture for those who cannot see it; the caption says
    what it means to everyone. A shipped diagram also gets its width and height.
    """

    def run(self, root: etree.Element) -> None:
        for paragraph in root.iter("p"):
            children = list(paragraph)
            if len(children) != 1 or children[0].tag != "img":
                continue
            image = children[0]
            caption = (image.get("title") or "").strip()
            if not caption or (paragraph.text or "").strip() or (image.tail or "").strip():
                continue
            paragraph.tag = "figure"
            paragraph.text = image.tail = None
            del image.attrib["title"]
            if size := _diagram_size(image.get("src", "")):
                image.set("width", size[0])
                image.set("height", size[1])
            etree.SubElement(paragraph, "figcaption").text = caption


@dataclass(frozen=True)
class PictureSize:
    """What a page needs to lay out a library picture before it loads, and to let a
    phone fetch a narrow copy: its shape and the copies there are."""

    width: int
    height: int
    srcset: str


# The text column a picture in the copy fills (static/css/site.css), as the hero's.
FIGURE_SIZES = "(min-width: 37rem) 35rem, calc(100vw - 2rem)"
_SIZES_VALUE = re.compile(r"[\w\s().,:%+-]*")

# Finds a library picture by its address. This layer reads no database, so the image
# library (models.image) hands its lookup in when it is imported.
_picture_lookup: Callable[[str], PictureSize | None] | None = None


def use_picture_lookup(lookup: Callable[[str], PictureSize | None] | None) -> None:
    """Let pictures from the library get their width, height and srcset when rendered."""
    global _picture_lookup
    _picture_lookup = lookup


class _LibraryPictures(Treeprocessor):
    """A picture from the image library gets its width and height (so the text does not
    jump as it loads) and its narrower copies (so a phone fetches a small one), as the
    picture at the top of the page does."""

    def run(self, root: etree.Element) -> None:
        if _picture_lookup is None:
            return
        for image in root.iter("img"):
            if image.get("width"):
                continue
            size = _picture_lookup(image.get("src", ""))
            if size is None:
                continue
            image.set("width", str(size.width))
            image.set("height", str(size.height))
            if size.srcset:
                image.set("srcset", size.srcset)
                image.set("sizes", FIGURE_SIZES)


class _ClinicMarkdown(Extension):
    def __init__(self, top_heading_level: int, **kwargs):
        self.top_heading_level = top_heading_level
        super().__init__(**kwargs)

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Raw HTML is escaped as text instead of passed through.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # Before the toc extension (priority 5), so ids are made for the final levels;
        # after inline parsing (priority 20), which is where links come into being.
        md.treeprocessors.register(
            _DemoteHeadings(md, self.top_heading_level), "clinic_demote_headings", 10
        )
        md.treeprocessors.register(_MarkExternalLinks(md), "clinic_external_links", 9)
        md.treeprocessors.register(_LazyImages(md), "clinic_lazy_images", 8)
        md.treeprocessors.register(_Figures(md), "clinic_figures", 7)
        md.treeprocessors.register(_LibraryPictures(md), "clinic_library_pictures", 6)


class _Converters(threading.local):
    """Each thread's Markdown instances, one per heading level, and the heading-id prefix
    of the text being converted.

    Building an instance with its extensions costs about a third as much as converting a
    section, and an import converts thousands of texts: Python-Markdown documents
    ``reset()`` as the way to reuse one. Per thread, because an instance holds the state
    of the text it is converting.
    """

    def __init__(self):
        self.by_level: dict[int, markdown.Markdown] = {}
        self.id_prefix = ""


_converters = _Converters()


def _heading_id(value: str, separator: str) -> str:
    base = slugify(value) or "part"
    prefix = _converters.id_prefix
    return f"{prefix}-{base}" if prefix else base


def _converter(top_heading_level: int) -> markdown.Markdown:
    md = _converters.by_level.get(top_heading_level)
    if md is None:
        md = markdown.Markdown(
            extensions=[
                "tables",
                "fenced_code",
                "sane_lists",
                "toc",
                _ClinicMarkdown(top_heading_level=top_heading_level),
            ],
            extension_configs={"toc": {"slugify": _heading_id, "permalink": False}},
            output_format="html",
        )
        _converters.by_level[top_heading_level] = md
    return md.reset()


def render_markdown(
    text: str, *, id_prefix: str = "", top_heading_level: int = SECTION_HEADING_LEVEL
) -> str:
    """Render staff Markdown to sanitized HTML.

    ``id_prefix`` keeps heading ids unique on a page that joins several bodies
    (each section passes its own). ``top_heading_level`` is where the body's
    highest heading lands: 3 under a section's h2, 2 directly under the page's h1.
    """
    if not text.strip():
        return ""
    _converters.id_prefix = id_prefix
    html = _converter(top_heading_level).convert(text)
    return sanitize_html(html)


def _is_own_address(url: str) -> bool:
    """True for a relative address or one on SITE_BASE_URL's host.

    Read the way a browser reads it: tabs and newlines dropped, leading and trailing
    controls and spaces stripped, and a backslash taken as a slash, so ``\\\\evil/x.png``
    counts as the other host it is.
    """
    cleaned = re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(0x21))))
    parts = urlsplit(cleaned.replace("\\", "/"))
    if not parts.scheme and not parts.netloc:
        return True
    return (
        parts.scheme in {"http", "https"}
        and parts.hostname == urlsplit(settings.SITE_BASE_URL).hostname
    )


def _srcset_is_own(value: str) -> bool:
    """Every address in a srcset ("a.webp 480w, b.webp 800w") is on this site."""
    candidates = [part.strip().split()[0] for part in value.split(",") if part.strip()]
    return bool(candidates) and all(_is_own_address(url) for url in candidates)


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    """Drop an image's ``src`` or ``srcset`` unless it is on this site (the page's CSP
    says the same), a ``sizes`` that is more than a media list, and any ``loading`` or
    ``decoding`` but the values ``_LazyImages`` sets."""
    if element == "img" and attribute == "src" and not _is_own_address(value):
        return None
    if element == "img" and attribute == "srcset" and not _srcset_is_own(value):
        return None
    if element == "img" and attribute == "sizes" and not _SIZES_VALUE.fullmatch(value):
        return None
    if element == "img" and LAZY_IMAGE_VALUES.get(attribute, value) != value:
        return None
    return value


# How many times sanitize_html re-cleans its own output before giving up on a fixpoint.
MAX_CLEAN_PASSES = 4


def _clean_once(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=REMOVED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=ALLOWED_URL_SCHEMES,
        # rel is set by _MarkExternalLinks on the links that need it, not on every link.
        link_rel=None,
        strip_comments=True,
    )


def sanitize_html(html: str) -> str:
    """Clean an HTML fragment against the allowlist. Safe to call on any input.

    Removing a disallowed element can leave markup that the HTML parser repairs
    differently on the next read (``<p><button></p>`` becomes ``<p><p></p></p>``),
    so the output is cleaned again until it no longer changes: stored HTML then
    means the same thing every time it is parsed, in a browser or a re-import.
    """
    cleaned = _clean_once(html)
    for _ in range(MAX_CLEAN_PASSES):
        again = _clean_once(cleaned)
        if again == cleaned:
            break
        cleaned = again
    return cleaned


# -- For the checks of what staff wrote (content.markdown_problems) ------------------


def html_before_cleaning(text: str, *, top_heading_level: int = SECTION_HEADING_LEVEL) -> str:
    """What the converter makes of ``text`` before ``sanitize_html``: the addresses and
    headings staff wrote, including those the sanitizer would drop. Never to be shown."""
    _converters.id_prefix = ""
    return _converter(top_heading_level).convert(text)


def is_own_address(url: str) -> bool:
    """True for an address on this site, read as a browser reads it: what pictures may use."""
    return _is_own_address(url)


def is_shipped_diagram(src: str) -> bool:
    """True when ``src`` is a drawing shipped with the site (static/img/diagrams/)."""
    return _diagram_size(src) is not None
