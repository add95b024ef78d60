"""Measure how easy patient copy is to read.

Patient pages should read at school grade 8 or below (NIH and CDC advice) and
keep SMOG low (the NHS aims for 9 or less and fixes pages above 14). This
module turns a Markdown body into plain sentences and scores it with textstat.

It is used by the content tests, a management command and the admin, so it
has no Django imports.

Typical use::

    r = measure(section.body)
    for finding in problems(r):
        print(finding)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import markdown
import textstat

from treatments.text.plain_text import sentences

MAX_FK_GRADE = 8.0
MAX_SMOG = 10.0
MAX_AVG_SENTENCE_WORDS = 20.0


def plain_text(markdown_text: str) -> str:
    """Return the readable text of a Markdown body as plain sentences.

    Headings, paragraphs, list items, table cells and quotes each become their
    own sentence, so a bullet list is scored as short sentences rather than one
    very long one. Only text is read: link text counts, addresses do not.
    """
    return sentences(markdown.markdown(markdown_text, extensions=["tables", "sane_lists"]))


@dataclass(frozen=True)
class Readability:
    """Reading-ease figures for one piece of copy."""

    words: int
    sentences: int
    fk_grade: float
    smog: float
    avg_sentence_words: float


# The checks and the figures beside them both score each section (the admin on every
# render of the edit page, check_content per treatment): one text is scored once.
@functools.lru_cache(maxsize=256)
def measure(markdown_text: str) -> Readability:
    """Score a Markdown body with textstat (Flesch-Kincaid grade and SMOG)."""
    text = plain_text(markdown_text)
    if not text:
        return Readability(words=0, sentences=0, fk_grade=0.0, smog=0.0, avg_sentence_words=0.0)
    words = textstat.lexicon_count(text)
    sentences = textstat.sentence_count(text)
    return Readability(
        words=words,
        sentences=sentences,
        fk_grade=round(float(textstat.flesch_kincaid_grade(text)), 1),
        smog=round(float(textstat.smog_index(text)), 1),
        avg_sentence_words=round(words / sentences, 1) if sentences else 0.0,
    )


def _limit(value: float) -> str:
    return f"{value:g}"


def problems(r: Readability) -> list[str]:
    """Return plain findings for copy that is too hard to read; empty when fine."""
    found: list[str] = []
    if r.fk_grade > MAX_FK_GRADE:
        found.append(
            f"Reading grade {r.fk_grade} is above {_limit(MAX_FK_GRADE)}; "
            "use shorter sentences and simpler words."
        )
    if r.smog > MAX_SMOG:
        found.append(
            f"SMOG score {r.smog} is above {_limit(MAX_SMOG)}; "
            "use fewer long words (three syllables or more)."
        )
    if r.avg_sentence_words > MAX_AVG_SENTENCE_WORDS:
        found.append(
            f"Sentences average {r.avg_sentence_words} words, above "
            f"{_limit(MAX_AVG_SENTENCE_WORDS)}; split long sentences."
        )
    return found
