"""HTML to plain text: the one reader of HTML fragments in the app.

Readability scores, JSON-LD answers and summaries, meta descriptions, the search index
and its snippets,
the "Is this right for me?" checklist and the link checks all need the words of an
HTML fragment, or a little of its shape (which text is a heading, a list item, a bold
lead; which links and ids it holds). They all get them from ``read_html``, so they
agree on what a page says and the fragment is parsed once however many ask.

Text comes back decoded: ``Q&amp;A`` in the HTML is ``Q&A`` here, so a caller that
escapes it for a page (as it must) escapes it once, not twice. Only text nodes are
read: attribute values (link addresses, image sources) never become text, and the
contents of ``<script>`` and ``<style>``, which no reader sees, are skipped.

No Django imports: the readability module, used outside requests, reads through this.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from html.parser import HTMLParser

# Elements whose text is a block of its own: a paragraph, a list item, a cell...
BLOCK_TAGS = frozenset(
    {
        "p", "li", "td", "th", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd",
        "figcaption",
    }
)  # fmt: skip
CELL_TAGS = frozenset({"td", "th"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BOLD_TAGS = frozenset({"strong", "b"})
HIDDEN_TAGS = frozenset({"script", "style", "template"})
SENTENCE_ENDS = (".", "!", "?")
# Trailing punctuation of a bold lead such as "**Sunburn.**", which a checklist item
# does not need.
_LEAD_TRAILING = " .,;:"


@dataclass(frozen=True)
class Block:
    """The text of one block, whitespace collapsed, with where it sits."""

    text: str
    heading: bool = False
    in_list: bool = False
    # False for text outside any block element (loose text in a fragment, a code block).
    in_block: bool = True
    # The innermost block element and its id ("h3", "sun-protection"): search links a
    # result to the sub-heading it sits under.
    tag: str = ""
    anchor: str = ""
    # For a table cell, which row of the fragment it is in (0, 1, ...): a row reads as one
    # sentence. None outside tables.
    row: int | None = None


@dataclass(frozen=True)
class HtmlText:
    """What an HTML fragment says, read once: its blocks of text and a little shape."""

    blocks: tuple[Block, ...]
    # The link addresses (``href``) and element ids, in the order they appear.
    links: tuple[str, ...]
    ids: frozenset[str]
    # The bold phrase that opens each list item, in order, without repeats.
    lead_phrases: tuple[str, ...]

    @property
    def text(self) -> str:
        """All the text a reader sees, whitespace collapsed, like the DOM's textContent."""
        return " ".join(block.text for block in self.blocks)


class _Reader(HTMLParser):
    """Splits a fragment into blocks (see ``BLOCK_TAGS``) and notes links, ids and the
    bold leads of list items. When a block starts inside another (a paragraph in a list
    item), the text so far is closed off as its own block, so no text is counted twice.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.leads: list[str] = []
        self._buffer: list[str] = []
        # The block elements we are inside, innermost last, with their ids.
        self._open: list[tuple[str, str]] = []
        self._rows = -1  # <tr> elements seen
        self._list_depth = 0
        self._hidden_depth = 0
        # Between <li> and its first text or tag: a bold tag there opens a lead phrase.
        self._at_item_start = False
        self._bold_depth = 0
        self._lead: list[str] | None = None

    # -- Blocks ----------------------------------------------------------------------

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        self._buffer = []
        if not text:
            return
        inner, anchor = self._open[-1] if self._open else ("", "")
        self.blocks.append(
            Block(
                text=text,
                heading=inner in HEADING_TAGS,
                in_list=self._list_depth > 0,
                in_block=bool(self._open),
                tag=inner,
                anchor=anchor,
                row=self._rows if inner in CELL_TAGS else None,
            )
        )

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._note_attributes(tag, dict(attrs))
        if tag in HIDDEN_TAGS:
            self._hidden_depth += 1
        elif tag in BLOCK_TAGS:
            self._flush()
            self._open.append((tag, dict(attrs).get("id") or ""))
            self._list_depth += tag == "li"
        elif tag == "tr":
            self._rows += 1
        elif tag == "br":
            self._buffer.append(" ")
        self._note_lead_start(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/> and <img/>: no content, so never a block or a hidden part.
        self._note_attributes(tag, dict(attrs))
        if tag == "br":
            self._buffer.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_TAGS:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in BLOCK_TAGS and any(open_tag == tag for open_tag, _ in self._open):
            self._flush()
            # Close up to the matching element: HTML lets a </li> end an open <p>.
            while self._open:
                closed, _ = self._open.pop()
                self._list_depth -= closed == "li"
                if closed == tag:
                    break
        self._note_lead_end(tag)

    def handle_data(self, data: str) -> None:
        if self._hidden_depth:
            return
        self._buffer.append(data)
        if self._lead is not None:
            self._lead.append(data)
        elif data.strip():
            self._at_item_start = False

    def close(self) -> None:
        super().close()
        self._flush()

    # -- Links, ids and lead phrases ---------------------------------------------------

    def _note_attributes(self, tag: str, attributes: dict[str, str | None]) -> None:
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"] or "")
        if attributes.get("id"):
            self.ids.add(attributes["id"] or "")

    def _note_lead_start(self, tag: str) -> None:
        if tag == "li":
            self._at_item_start = True
            return
        if tag in BOLD_TAGS:
            if self._lead is not None:
                self._bold_depth += 1
            elif self._at_item_start:
                self._lead, self._bold_depth = [], 1
        # Any other tag right after <li> means the item did not open with bold text.
        self._at_item_start = False

    def _note_lead_end(self, tag: str) -> None:
        if tag not in BOLD_TAGS or self._lead is None:
            return
        self._bold_depth -= 1
        if self._bold_depth == 0:
            phrase = " ".join("".join(self._lead).split()).rstrip(_LEAD_TRAILING)
            if phrase:
                self.leads.append(phrase)
            self._lead = None


@functools.lru_cache(maxsize=512)
def read_html(html: str) -> HtmlText:
    """Read an HTML fragment once. Cached: the same stored HTML is read by several
    parts of one page (JSON-LD, the checklist, the head) and by every render of it."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return HtmlText(
        blocks=tuple(reader.blocks),
        links=tuple(reader.links),
        ids=frozenset(reader.ids),
        lead_phrases=tuple(dict.fromkeys(reader.leads)),
    )


def text_content(html: str) -> str:
    """The text a reader sees in an HTML fragment, entities decoded, whitespace collapsed."""
    return read_html(html).text


def as_sentence(block: str) -> str:
    """End a block with a full stop unless it already ends a sentence."""
    if block.endswith(":"):
        return block[:-1].rstrip() + "."
    if block.endswith(SENTENCE_ENDS):
        return block
    return block + "."


def sentences(html: str) -> str:
    """The blocks of a fragment as plain sentences, so a bullet list reads as short
    sentences rather than one long one. Text outside any block (a code sample) is left
    out: it is not prose."""
    return " ".join(as_sentence(b.text) for b in read_html(html).blocks if b.in_block)
