"""Split Markdown copy into plain sentences, each with the line it starts on.

The wording checks (words to explain, claims not to make) judge one sentence at a
time and must say which line to fix, so unlike ``readability.plain_text`` this works
on the Markdown lines themselves: a paragraph, list item, heading or table row is a
block; lines that continue a block (a wrapped paragraph) join it. Link targets,
emphasis marks and list or heading markers are dropped; the words stay.
"""

import re
from dataclasses import dataclass

_BLOCK_START = re.compile(r"^\s*(#{1,6}\s|[-*+]\s|\d+[.)]\s|\|)")
_MARKER = re.compile(r"^\s*(#{1,6}\s+|[-*+]\s+|\d+[.)]\s+)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`")
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
# A sentence ends at . ! or ? (perhaps inside a closing quote or bracket) before a space.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\u201d\u2019]*\s+")


@dataclass(frozen=True)
class Sentence:
    """One sentence of copy: ``line`` counts from 1 at the first line of the text."""

    line: int
    text: str


def _blocks(markdown_text: str) -> list[tuple[int, list[str]]]:
    """Blocks of copy as (first line, lines), markers and table rules left out."""
    blocks: list[tuple[int, list[str]]] = []
    fenced = False
    for number, raw in enumerate(markdown_text.split("\n"), start=1):
        if raw.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced or not raw.strip() or _TABLE_RULE.match(raw):
            if not raw.strip():
                blocks.append((number, []))  # a blank line closes the block
            continue
        starts = _BLOCK_START.match(raw) or not blocks or not blocks[-1][1]
        if starts:
            blocks.append((number, [raw]))
        else:
            blocks[-1][1].append(raw)
    return [(first, lines) for first, lines in blocks if lines]


def _plain(line: str) -> str:
    line = _MARKER.sub("", line)
    if line.lstrip().startswith("|"):
        # Each table cell reads as a sentence of its own.
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        line = ". ".join(cell.rstrip(".") for cell in cells if cell) + "."
    return _EMPHASIS.sub("", _LINK.sub(r"\1", line)).strip()


def sentences(markdown_text: str) -> list[Sentence]:
    """The sentences of ``markdown_text`` in order, each with the line it starts on."""
    found = []
    for first, lines in _blocks(markdown_text):
        text = "\n".join(_plain(line) for line in lines)
        start = 0
        for match in [*_SENTENCE_END.finditer(text), None]:
            end = match.start() if match else len(text)
            piece = text[start:end].strip()
            if piece:
                line = first + text.count("\n", 0, start)
                found.append(Sentence(line=line, text=" ".join(piece.split())))
            if match:
                start = match.end()
    return found
