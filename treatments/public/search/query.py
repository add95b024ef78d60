"""What a patient typed, as words and then as the concepts to look for.

"Does it hurt?" is the words ``does it hurt``, of which only ``hurt`` is looked for: the
rest are stop words, which neither engine indexes. "I take blood thinners" is two
concepts: ``take``, and ``blood thinners`` or any of the words a synonym gives for it
(``anticoagulants``, ``warfarin`` ...). An entry matching more concepts ranks higher;
any alternative of a concept counts as that concept, and words typed side by side
count once more as a phrase.
"""

import re
import unicodedata
from dataclasses import dataclass, field

MAX_QUERY_LENGTH = 100
MAX_CONCEPTS = 6
MAX_ALTERNATIVES = 12
MAX_PHRASE_WORDS = 6

# The words PostgreSQL's "english" configuration drops (its english.stop, the Snowball
# list), so both engines ignore the same words; and a few that patients type around a
# question ("I'm", "could", "please", "go", "afterwards"). They are dropped before either
# engine sees the query.
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
    m ll ve re d would could may might must shall please get got much many also really ok go
    afterwards afterward
    """.split()  # noqa: SIM905 - a word list reads best as words
)
WORD = re.compile(r"\w+")


def words_of(text: str) -> tuple[str, ...]:
    """Lower-case words, split as the engines' tokenizers split them (on anything that is
    not a letter or digit, so "micro-needling" is two words)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return tuple(word for word in WORD.findall(folded) if "_" not in word)


def searchable(words: tuple[str, ...]) -> str:
    """A phrase as an engine should look for it: without the stop words at either end
    ("how much does it cost" is "cost"), "" when nothing else is left. Stop words inside
    stay ("back to work"): FTS5 indexes them, and PostgreSQL counts the gap they leave."""
    start, end = 0, len(words)
    while start < end and words[start] in STOP_WORDS:
        start += 1
    while end > start and words[end - 1] in STOP_WORDS:
        end -= 1
    return " ".join(words[start:end])


@dataclass(frozen=True)
class Query:
    """What was typed: whitespace collapsed, at most 100 characters, and its words."""

    text: str
    words: tuple[str, ...]
    truncated: bool

    @classmethod
    def parse(cls, raw: str) -> "Query":
        text = " ".join(raw.split())
        truncated = len(text) > MAX_QUERY_LENGTH
        text = text[:MAX_QUERY_LENGTH]
        return cls(text=text, words=words_of(text), truncated=truncated)

    @property
    def terms(self) -> tuple[str, ...]:
        """The words that are looked for: no stop words, each once."""
        return tuple(dict.fromkeys(w for w in self.words if w not in STOP_WORDS))


@dataclass(frozen=True)
class Concept:
    """One thing the patient asked about, and the phrases that count as finding it."""

    typed: str
    alternatives: tuple[str, ...]


def _plural_free(word: str) -> str:
    """So "blood thinner" matches a synonym written "blood thinners", and back."""
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def phrase_key(words: tuple[str, ...]) -> tuple[str, ...]:
    """How a synonym's phrase and the words typed are compared."""
    return tuple(_plural_free(word) for word in words)


Synonyms = dict[tuple[str, ...], tuple[str, ...]]


def _synonym_at(words: tuple[str, ...], start: int, synonyms: Synonyms):
    """The longest synonym phrase that starts at ``words[start]``: (its length, what it
    means), or (0, ()) when none does."""
    longest = min(MAX_PHRASE_WORDS, len(words) - start)
    for size in range(longest, 0, -1):
        means = synonyms.get(phrase_key(words[start : start + size]))
        if means is not None:
            return size, means
    return 0, ()


def concepts(words: tuple[str, ...], synonyms: Synonyms) -> tuple[Concept, ...]:
    """The concepts of a query's words, each with its synonyms; stop words dropped.

    Two words typed next to each other ("acne scars") also count as a phrase: an entry
    that has them side by side ranks above one that has them apart.
    """
    found: dict[str, Concept] = {}
    pairs: list[Concept] = []
    position, previous_word_at = 0, -2
    while position < len(words) and len(found) < MAX_CONCEPTS:
        size, means = _synonym_at(words, position, synonyms)
        typed_words = words[position : position + max(size, 1)]
        typed = searchable(typed_words)
        alternatives = tuple(
            dict.fromkeys(a for a in (typed, *(searchable(words_of(m)) for m in means)) if a)
        )[:MAX_ALTERNATIVES]
        if alternatives:
            key = " ".join(typed_words)
            found.setdefault(key, Concept(typed=key, alternatives=alternatives))
        if not size and typed:
            if previous_word_at == position - 1:
                pair = f"{words[position - 1]} {typed}"
                pairs.append(Concept(typed=pair, alternatives=(pair,)))
            previous_word_at = position
        position += max(size, 1)
    return (*found.values(), *pairs)


# A concept that more entries than this match is "common": ranking every
# entry that has it would cost more than a search may take (bm25 or ts_rank take a few
# microseconds an entry, and "skin" is in 44,000 entries at 1,000 treatments). It still
# counts in the ranking, but an entry must match a rarer concept to be ranked at all.
COMMON = 2000


@dataclass(frozen=True)
class Plan:
    """What the engine is asked: entries that match any of ``required`` (in their
    heading only, when ``headings_only``), ranked by all of ``concepts``."""

    concepts: tuple[Concept, ...]
    required: tuple[Concept, ...]
    headings_only: bool = False
    # How many entries each word of the concepts matches, counted up to ``COMMON`` + 1.
    frequency: dict[str, int] = field(default_factory=dict, compare=False)

    def widened(self) -> "Plan":
        """Every entry that matches any concept anywhere."""
        return Plan(self.concepts, self.concepts, frequency=self.frequency)

    @property
    def is_wide(self) -> bool:
        return self.required == self.concepts and not self.headings_only


def seen(concept: Concept, frequency: dict[str, int]) -> int:
    """About how many entries match a concept: for each alternative, its rarest word."""
    total = 0
    for phrase in concept.alternatives:
        counts = [frequency.get(word, 0) for word in phrase.split() if word not in STOP_WORDS]
        total += min(counts, default=0)
    return total


def plan(
    concepts: tuple[Concept, ...], frequency: dict[str, int], common: int | None = None
) -> Plan:
    """Every entry that matches any concept, unless some concept is common (matches more
    than ``common`` entries). Then only entries that match a rarer concept; or, when
    every concept the pages use is common, entries with one in their heading.

    A small site never narrows. At a thousand treatments "skin" is in nearly every
    entry, and "my skin is peeling" looks for entries that say "peeling" and ranks them
    with "skin" too; "skin care" looks for headings that say either.
    """
    common = COMMON if common is None else common
    if all(seen(c, frequency) <= common for c in concepts):
        return Plan(concepts, concepts, frequency=frequency)
    rare = tuple(c for c in concepts if 0 < seen(c, frequency) <= common)
    if rare:
        return Plan(concepts, rare, frequency=frequency)
    return Plan(concepts, concepts, headings_only=True, frequency=frequency)
