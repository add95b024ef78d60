"""Words patient copy must explain, and the one word for the person who treats.

From the content guide's "Words to use": explain a medical word or abbreviation where it
is used (SPF, AHA, antioxidant, anticoagulant, collagen, ...), and call the person who
treats you "practitioner", never a therapist, technician or aesthetician.

**When a word counts as explained.** A part of a page (a section, an answer, a part of a
site page under its own "## " heading) may use a word as often as it likes once one of
its sentences explains it. A sentence explains a word when, right after the word (or the
word and one more, as in "antioxidant serums"), comes

- a bracket, a colon or a dash: "retinol (a form of vitamin A)", "granulomas: small lumps";
- "is", "are", "means", "stands for", "refers to", "which", "that" or "who", with or
  without a comma before it: "Collagen is a protein", "SPF means sun protection factor";
- a comma and "a", "an", "the" or "such as": "isotretinoin, a strong acne medicine";

or, right before the word, "called", "known as", an opening bracket, or "is" or "are"
with at most "a"/"an" and one more word ("lumps called granulomas", "sun protection
factor (SPF)", "numbing creams are local anaesthetics"); or when the next sentence opens with "This
is", "These are", "That is" or "This means" ("antioxidant serums. These are serums
that...").

The rule is simple on purpose: it can be fooled ("SPF: see below"), but copy that
follows it reads as the guide asks, and a reviewer still reads every page.
"""

import re
from dataclasses import dataclass

from treatments.text.sentences import sentences

# Words a patient may not know; abbreviations in capitals match only in capitals.
WORDS_TO_EXPLAIN: tuple[str, ...] = (
    "SPF",
    "AHA",
    "BHA",
    "PRP",
    "antioxidant",
    "anticoagulant",
    "antiplatelet",
    "collagen",
    "elastin",
    "contraindication",
    "isotretinoin",
    "immunosuppressant",
    "granuloma",
    "keloid",
    "hypertrophic",
    "melasma",
    "keratosis",
    "retinol",
    "hyaluronic acid",
    "chemotherapy",
    "radiotherapy",
    "anaesthetic",
    "anesthetic",
)

PERSON_WORD = "practitioner"
# Other names for the person who treats you: one thing, one word.
OTHER_PERSON_WORDS: tuple[str, ...] = (
    "therapist",
    "technician",
    "aesthetician",
    "esthetician",
    "beautician",
    "skin specialist",
    "injector",
)

_AFTER = re.compile(
    r"^(?:[\s-]+[\w-]+)?(?:\s*[(:\u2013\u2014]|\s+-\s"
    r"|,?\s+(?:is|are|means|mean|stands for|stand for|refers to|which|that|who)\b"
    r"|,\s+(?:a|an|the|such as)\b)",
    re.IGNORECASE,
)
_BEFORE = re.compile(
    r"(?:\b(?:called|known as)\s+(?:the\s+)?|\(\s*|\b(?:is|are)\s+(?:an?\s+)?(?:[\w-]+\s+)?)$",
    re.IGNORECASE,
)
_NEXT_EXPLAINS = re.compile(r"^(?:this is|these are|that is|this means)\b", re.IGNORECASE)


@dataclass(frozen=True)
class WordUse:
    """A word used in a part of the copy, at the line of its first use there."""

    word: str
    line: int


def _word_pattern(word: str) -> re.Pattern:
    ending = r"(?:s|es)?\b"
    if word.isupper():
        return re.compile(rf"\b{re.escape(word)}{ending}")
    return re.compile(rf"\b{re.escape(word)}{ending}", re.IGNORECASE)


_PATTERNS = {word: _word_pattern(word) for word in WORDS_TO_EXPLAIN}


def _explains(sentence: str, match: re.Match, next_sentence: str) -> bool:
    return bool(
        _AFTER.match(sentence[match.end() :])
        or _BEFORE.search(sentence[: match.start()])
        or _NEXT_EXPLAINS.match(next_sentence)
    )


def unexplained_words(markdown_text: str) -> list[WordUse]:
    """The words to explain that ``markdown_text`` uses without explaining (see above)."""
    parts = sentences(markdown_text)
    used: dict[str, int] = {}
    explained: set[str] = set()
    for index, sentence in enumerate(parts):
        following = parts[index + 1].text if index + 1 < len(parts) else ""
        for word, pattern in _PATTERNS.items():
            for match in pattern.finditer(sentence.text):
                used.setdefault(word, sentence.line)
                if _explains(sentence.text, match, following):
                    explained.add(word)
    return [WordUse(word, line) for word, line in used.items() if word not in explained]


def other_person_words(markdown_text: str) -> list[WordUse]:
    """Each other name for the person who treats, with the line it is first used on."""
    found: dict[str, int] = {}
    for sentence in sentences(markdown_text):
        for word in OTHER_PERSON_WORDS:
            if _word_pattern(word).search(sentence.text):
                found.setdefault(word, sentence.line)
    return [WordUse(word, line) for word, line in found.items()]


def split_parts(markdown_text: str) -> list[tuple[int, str]]:
    """A page body cut at its "## " headings, as (first line, text) pairs, so each part is
    judged on its own as a treatment's sections are."""
    parts: list[tuple[int, list[str]]] = [(1, [])]
    for number, line in enumerate(markdown_text.split("\n"), start=1):
        if line.startswith("## "):
            parts.append((number, []))
        parts[-1][1].append(line)
    return [(first, "\n".join(lines)) for first, lines in parts if "".join(lines).strip()]
