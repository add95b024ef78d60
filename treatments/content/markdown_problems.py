"""Markdown mistakes that would show patients broken text, found before the text is saved.

The renderer (``text.markdown``) never lets a mistake become unsafe HTML, but it cannot
make it right either: an unclosed ``**`` shows its stars, a ``<b>`` shows its angle
brackets (raw HTML is shown as text), a picture from another site or one no longer in
the image library is an empty space, an ``http://`` link leaves the secure site, and a
heading that skips a level leaves a gap in what screen readers announce.

``find_problems`` is the one place these are found. The edit page uses it twice: as the
editor types (``editorial.admin.live``), to say what is wrong beside the box, and when
the form is saved (``editorial.admin.markdown_forms``), to refuse it; ``import_content``
refuses a content file with one, naming the file and line.

It reads the converter's output before sanitizing, so it sees the addresses staff wrote,
including those the sanitizer would drop, and names each problem with the line of the
text it is on (counted from 1) and a short quote, in plain words.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings

from treatments.media.pictures import IMAGE_FOLDER
from treatments.models import Image
from treatments.text.markdown import (
    SECTION_HEADING_LEVEL,
    html_before_cleaning,
    is_own_address,
    is_shipped_diagram,
)

UNCLOSED_BOLD = "unclosed_bold"
UNCLOSED_EMPHASIS = "unclosed_emphasis"
RAW_HTML = "raw_html"
PICTURE_NOT_IN_LIBRARY = "picture_not_in_library"
PICTURE_FROM_ANOTHER_SITE = "picture_from_another_site"
LINK_WITHOUT_HTTPS = "link_without_https"
HEADING_SKIPPED = "heading_skipped"

# Link addresses a page may use as they are: another site over https, email, phone.
GOOD_LINK_SCHEMES = {"https", "mailto", "tel"}
# How much of the text around a mistake a message quotes.
QUOTE_CHARS = 12

# In rendered text: stars or underscores the converter left as they were typed. A single
# one counts only where it touches a word on one side (``*word``, ``word*``), so "5 * 3"
# and snake_case are left alone.
_BOLD = re.compile(r"\*\*|__")
_SINGLE = re.compile(
    r"(?<![\w*])\*(?=\w)|(?<=\w)\*(?![\w*])"
    # \w includes the underscore itself: [^\W_] is a letter or digit.
    r"|(?<!\w)_(?=[^\W_])|(?<=[^\W_])_(?!\w)"
)
# A tag, as someone used to HTML types it: <b>, </p>, <br/>, <a href="...">, <!-- -->.
_TAG = re.compile(r"<!--.*?(?:-->|$)|</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
# Escapes mean "show this character": stand-ins keep them out of the checks above.
_ESCAPES = {"\\*": "\u2217", "\\_": "\uff3f", "\\<": "\u2039"}
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Problem:
    """One mistake: the line of the text it is on (from 1), what is wrong and what to do,
    and a code naming the kind of mistake."""

    line: int
    message: str
    code: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


class PictureLibrary:
    """The pictures copy may show: the image library's files (any size of each) and the
    drawings shipped with the site. The library is read once, when first needed."""

    def __init__(self, tokens: set[str] | None = None):
        self._tokens = tokens

    @staticmethod
    def token_of(name: str) -> str:
        """The random part of a stored picture's name, shared by all its sizes."""
        return name.rsplit("/", 1)[-1].split(".", 1)[0].split("-", 1)[0]

    def tokens(self) -> set[str]:
        if self._tokens is None:
            names = Image.objects.values_list("file", flat=True)
            self._tokens = {self.token_of(name) for name in names if name}
        return self._tokens

    def __contains__(self, src: str) -> bool:
        if is_shipped_diagram(src):
            return True
        media = "/" + settings.MEDIA_URL.strip("/") + "/"
        path = urlsplit(src).path
        if not path.startswith(media + IMAGE_FOLDER + "/"):
            return False
        return self.token_of(path) in self.tokens()


class _Reader(HTMLParser):
    """The rendered text outside code, and the pictures, links and headings in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.pictures: list[str] = []
        self.links: list[str] = []
        self.headings: list[tuple[int, str]] = []
        self._in_code = 0
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in {"code", "pre"}:
            self._in_code += 1
        elif tag == "img":
            self.pictures.append(attributes.get("src") or "")
        elif tag == "a":
            self.links.append(attributes.get("href") or "")
        elif re.fullmatch(r"h[1-6]", tag):
            self._heading = []
            self.headings.append((int(tag[1]), ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"code", "pre"} and self._in_code:
            self._in_code -= 1
        elif re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            level, _ = self.headings[-1]
            self.headings[-1] = (level, " ".join("".join(self._heading).split()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)
        if not self._in_code:
            self.texts.append(data)


class _Lines:
    """Finds the line of the text a quote is on, never inside a fenced code block."""

    def __init__(self, text: str):
        self.lines: list[tuple[int, str]] = []
        fenced = False
        for number, line in enumerate(text.split("\n"), start=1):
            if _FENCE.match(line):
                fenced = not fenced
            elif not fenced:
                self.lines.append((number, line))

    def of(self, *quotes: str) -> int:
        """The first line holding the first of ``quotes`` found (the most exact first)."""
        for quote in quotes:
            for number, line in self.lines:
                if quote and quote in line:
                    return number
        return 1


def _quoted_around(text: str, start: int, end: int) -> tuple[str, ...]:
    """A mistake in rendered text and the words either side of it, longest first: what a
    message quotes, and what is looked for in the typed text to find its line."""
    # Whole words only: a word the cut went through is left out.
    after = text[end : end + QUOTE_CHARS].split("\n")[0]
    if end + QUOTE_CHARS < len(text):
        after = after.rsplit(" ", 1)[0]
    before = text[max(0, start - QUOTE_CHARS) : start].split("\n")[-1]
    if start > QUOTE_CHARS:
        before = before.split(" ", 1)[-1]
    marker = text[start:end]
    return (
        (before + marker + after).strip(),
        (marker + after).strip(),
        (before + marker).strip(),
        marker,
    )


def _emphasis_problems(reader: _Reader, lines: _Lines) -> list[Problem]:
    found = []
    for text in reader.texts:
        for match in [*_BOLD.finditer(text), *_SINGLE.finditer(text)]:
            quotes = _quoted_around(text, match.start(), match.end())
            mark = match.group()
            if len(mark) == 2:
                message = (
                    f'Bold is not closed near "{quotes[0]}": patients would see {mark}. '
                    f"Put {mark} on both sides of the words, like {mark}this{mark}."
                )
                code = UNCLOSED_BOLD
            else:
                message = (
                    f'A single {mark} near "{quotes[0]}" is not closed: patients would see '
                    f"it. Put {mark} on both sides for slanted text, like {mark}this{mark}, "
                    f"or write \\{mark} to show the character itself."
                )
                code = UNCLOSED_EMPHASIS
            found.append(Problem(lines.of(*quotes), message, code))
    return found


def _html_problems(reader: _Reader, lines: _Lines) -> list[Problem]:
    """One problem a line, naming each tag on it once: <b> and </b> are one mistake."""
    tags_by_line: dict[int, list[str]] = {}
    for text in reader.texts:
        for match in _TAG.finditer(text):
            tag = match.group()[:60]
            tags = tags_by_line.setdefault(lines.of(tag), [])
            if tag not in tags:
                tags.append(tag)
    found = []
    for line, tags in sorted(tags_by_line.items()):
        named = " and ".join(f'"{tag}"' for tag in tags)
        found.append(
            Problem(
                line,
                f"{named} {'is' if len(tags) == 1 else 'are'} HTML, which this site does not "
                "use: patients would see it as typed, angle brackets and all. Use Markdown "
                "instead: **bold**, *slanted*, - for a bullet, a blank line between paragraphs.",
                RAW_HTML,
            )
        )
    return found


def _picture_problems(reader: _Reader, lines: _Lines, library: PictureLibrary) -> list[Problem]:
    found = []
    for src in reader.pictures:
        if not is_own_address(src):
            found.append(
                Problem(
                    lines.of(src),
                    f'The picture "{src}" is on another website. Pages show pictures from '
                    "this site's image library only, so patients would see an empty space. "
                    "Upload it to the image library and paste the Markdown it gives you.",
                    PICTURE_FROM_ANOTHER_SITE,
                )
            )
        elif src not in library:
            found.append(
                Problem(
                    lines.of(src),
                    f'The picture "{src}" is not in the image library (it may have been '
                    "deleted), so patients would see an empty space. Choose a picture from "
                    "the image library and paste the Markdown it gives you.",
                    PICTURE_NOT_IN_LIBRARY,
                )
            )
    return found


def _link_problems(reader: _Reader, lines: _Lines) -> list[Problem]:
    found = []
    for href in reader.links:
        parts = urlsplit(href.strip())
        if parts.scheme in GOOD_LINK_SCHEMES:
            continue
        if parts.scheme == "http":
            advice = "use its https:// address, so patients stay on secure pages"
        elif parts.scheme:
            advice = "links on patients' pages must be https:// addresses"
        elif parts.path.lower().startswith("www."):
            advice = "put https:// in front, or it leads to no page"
        else:
            continue  # a page or part of this site: content.checks follows those
        found.append(
            Problem(
                lines.of(href),
                f'The link "{href}" does not start with https://: {advice}.',
                LINK_WITHOUT_HTTPS,
            )
        )
    return found


def _heading_problems(reader: _Reader, lines: _Lines, top_heading_level: int) -> list[Problem]:
    found = []
    # The heading the text sits under: a section's title, or a question.
    above = top_heading_level - 1
    for number, (level, text) in enumerate(reader.headings):
        if level > above + 1:
            advice = "Use fewer # for the first heading. Then give" if number == 0 else "Give"
            found.append(
                Problem(
                    lines.of(text),
                    f'The heading "{text}" skips a level, which leaves a gap for people who '
                    f"find their way by headings with a screen reader. {advice} each heading "
                    "at most one # more than the one above it.",
                    HEADING_SKIPPED,
                )
            )
        above = level
    return found


# The edit page checks each box twice per request (the live checks and the form's own),
# and every few seconds as the editor types: a text is read once.
@functools.lru_cache(maxsize=256)
def _read(text: str, top_heading_level: int) -> _Reader:
    typed = text
    for escape, stand_in in _ESCAPES.items():
        typed = typed.replace(escape, stand_in)
    reader = _Reader()
    reader.feed(html_before_cleaning(typed, top_heading_level=top_heading_level))
    reader.close()
    return reader


def find_problems(
    text: str,
    *,
    library: PictureLibrary | None = None,
    top_heading_level: int = SECTION_HEADING_LEVEL,
) -> list[Problem]:
    """The mistakes in one section's or answer's Markdown, in the order of the checks.

    ``library`` says which pictures exist (one ``PictureLibrary`` can serve many texts,
    reading the database once); ``top_heading_level`` is where the text's own headings
    start on the page, as for ``render_markdown``.
    """
    if not text.strip():
        return []
    reader = _read(text, top_heading_level)
    lines = _Lines(text)
    return [
        *_emphasis_problems(reader, lines),
        *_html_problems(reader, lines),
        *_picture_problems(reader, lines, library or PictureLibrary()),
        *_link_problems(reader, lines),
        *_heading_problems(reader, lines, top_heading_level),
    ]
