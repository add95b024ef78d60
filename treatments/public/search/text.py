"""Rendered HTML as the plain sentences search indexes and quotes.

Each paragraph, list item, heading and table row becomes its own line that ends a
sentence, so a snippet never runs a list item into the next one or into a heading.
Entities are decoded once here and escaped once when a snippet is shown, never twice.
A section is cut into blocks at its sub-headings, each with the sub-heading's id, so a
result can link straight to "Aftercare: The first week".
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

from treatments.text.markdown import SECTION_HEADING_LEVEL
from treatments.text.readability import as_sentence

# Where snippets mark matches (public.search.snippets): never left in indexed text.
MARK_START, MARK_END = "\x02", "\x03"
BLOCK_HEADING = f"h{SECTION_HEADING_LEVEL}"
LINE_TAGS = frozenset(
    {"p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dt", "dd", "figcaption"}
)
CELL_TAGS = frozenset({"td", "th"})


@dataclass
class Block:
    """The text under one sub-heading (or before the first one: no anchor, no heading)."""

    anchor: str = ""
    heading: str = ""
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def clean(text: str) -> str:
    """One line of plain text: whitespace collapsed, no mark characters."""
    return " ".join(text.replace(MARK_START, " ").replace(MARK_END, " ").split())


class _Blocks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks = [Block()]
        self._buffer: list[str] = []
        self._cells: list[str] = []
        self._in_heading = False

    def _flush(self) -> str:
        text = clean("".join(self._buffer))
        self._buffer = []
        return text

    def _line(self) -> None:
        text = self._flush()
        if text:
            self.blocks[-1].lines.append(as_sentence(text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == BLOCK_HEADING:
            self._line()
            self.blocks.append(Block(anchor=dict(attrs).get("id") or ""))
            self._in_heading = True
        elif tag in LINE_TAGS:
            # A block inside another (a nested list) ends the text gathered so far.
            self._line()
        elif tag in CELL_TAGS:
            self._flush()
        elif tag == "br":
            self._buffer.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == BLOCK_HEADING and self._in_heading:
            self.blocks[-1].heading = self._flush().rstrip(":")
            self._in_heading = False
        elif tag in LINE_TAGS:
            self._line()
        elif tag in CELL_TAGS:
            self._cells.append(self._flush())
        elif tag == "tr":
            # A table row reads as one sentence: "Moderate acne scars: Often 3-4 sessions."
            row = ": ".join(cell for cell in self._cells if cell)
            self._cells = []
            if row:
                self.blocks[-1].lines.append(as_sentence(row))

    def handle_data(self, data: str) -> None:
        self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._line()  # text after the last tag


def blocks(html: str) -> list[Block]:
    """The text before the first sub-heading, then one block per sub-heading."""
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    return parser.blocks


def plain_text(html: str) -> str:
    """All of ``html`` as sentences, one line per paragraph, item, heading or row."""
    lines = []
    for block in blocks(html):
        if block.heading:
            lines.append(as_sentence(block.heading))
        lines.extend(block.lines)
    return "\n".join(lines)
