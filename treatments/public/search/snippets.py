"""The few sentences shown under a result, with the matched words marked.

The engine marks matches in an entry's plain text (``MARK_START``/``MARK_END``); here
the sentence with the most different matches is chosen, followed by as many whole
sentences as fit. Sentences are cut only where they end, so a list item or a heading
never runs into the next line. The text is escaped exactly once and the marks become
``<mark>`` elements, so nothing in the copy can become markup.
"""

import re

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from treatments.public.search.text import MARK_END, MARK_START

SNIPPET_LENGTH = 200
ELLIPSIS = "…"
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")
MARKED = re.compile(f"{MARK_START}(.*?){MARK_END}", re.S)
MARKS = re.compile(f"[{MARK_START}{MARK_END}]")


def sentences(text: str) -> list[str]:
    """Each line's sentences, in order."""
    found = []
    for line in text.split("\n"):
        found.extend(part for part in SENTENCE_BREAK.split(line.strip()) if part)
    return found


def _shown_length(text: str) -> int:
    return len(MARKS.sub("", text))


def _matches(sentence: str) -> int:
    return len({match.lower() for match in MARKED.findall(sentence)})


def _cut(text: str, length: int) -> tuple[str, bool, bool]:
    """A part of one long sentence around its first match, cut between words; and
    whether something was left out before and after it."""
    first = max(text.find(MARK_START), 0)
    start = max(0, first - length // 3)
    if start:
        start = text.find(" ", start) + 1 or start
    end = start + length
    if end >= len(text):
        return text[start:], start > 0, False
    end = text.rfind(" ", start, end) if " " in text[start:end] else end
    return text[start:end].rstrip(",;:"), start > 0, True


def render(text: str) -> SafeString:
    """Escape ``text`` once and turn its marked stretches into ``<mark>`` elements."""
    text = text.replace(f"{MARK_END} {MARK_START}", " ")
    pieces, position = [], 0
    for match in MARKED.finditer(text):
        pieces.append(escape(MARKS.sub("", text[position : match.start()])))
        pieces.append(format_html("<mark>{}</mark>", MARKS.sub("", match[1])))
        position = match.end()
    pieces.append(escape(MARKS.sub("", text[position:])))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped above


def snippet(marked_text: str, length: int = SNIPPET_LENGTH) -> SafeString:
    """Whole sentences around the best match, at most about ``length`` characters."""
    parts = sentences(marked_text)
    if not parts:
        return SafeString("")
    scores = [_matches(part) for part in parts]
    best = scores.index(max(scores))
    chosen, size, end = [parts[best]], _shown_length(parts[best]), best + 1
    while end < len(parts) and size + 1 + _shown_length(parts[end]) <= length:
        chosen.append(parts[end])
        size += 1 + _shown_length(parts[end])
        end += 1
    text, cut_before, cut_after = " ".join(chosen), best > 0, end < len(parts)
    if size > length:
        text, cut_inside_before, cut_after = _cut(text, length)
        cut_before = cut_before or cut_inside_before
    return render(f"{ELLIPSIS} " * cut_before + text + f" {ELLIPSIS}" * cut_after)
