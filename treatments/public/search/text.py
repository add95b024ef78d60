"""Rendered HTML as the plain sentences search indexes and quotes, read through the
app's one HTML reader (``treatments.text.plain_text``).

Each paragraph, list item, heading and table row becomes its own line that ends a
sentence, so a snippet never runs a list item into the next one or into a heading.
Entities are decoded once here and escaped once when a snippet is shown, never twice.
A section is cut into blocks at its sub-headings, each with the sub-heading's id, so a
result can link straight to "Aftercare: The first week".
"""

from dataclasses import dataclass, field

from treatments.text.markdown import SECTION_HEADING_LEVEL
from treatments.text.plain_text import as_sentence, read_html

# Where snippets mark matches (public.search.snippets): never left in indexed text.
MARK_START, MARK_END = "\x02", "\x03"
BLOCK_HEADING = f"h{SECTION_HEADING_LEVEL}"


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


def blocks(html: str) -> list[Block]:
    """The text before the first sub-heading, then one block per sub-heading."""
    result = [Block()]
    row: list[str] = []
    row_number = None

    def end_row() -> None:
        # A table row reads as one sentence: "Moderate acne scars: Often 3-4 sessions."
        if row:
            result[-1].lines.append(as_sentence(": ".join(row)))
            row.clear()

    for block in read_html(html).blocks:
        text = clean(block.text)
        if block.row is not None:
            if block.row != row_number:
                end_row()
                row_number = block.row
            row.append(text)
            continue
        end_row()
        if block.tag == BLOCK_HEADING:
            result.append(Block(anchor=block.anchor, heading=text.rstrip(":")))
        elif text:
            result[-1].lines.append(as_sentence(text))
    end_row()
    return result


def plain_text(html: str) -> str:
    """All of ``html`` as sentences, one line per paragraph, item, heading or row."""
    lines = []
    for block in blocks(html):
        if block.heading:
            lines.append(as_sentence(block.heading))
        lines.extend(block.lines)
    return "\n".join(lines)
