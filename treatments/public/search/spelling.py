""" "Did you mean microneedling?": mistyped words put right from the indexed words.

A word is left alone when the index knows it (``SearchWord``), a synonym names it, or the
engine finds it all the same (its stemming matches "hurts" to "hurt"). Otherwise the
closest known word by edit distance takes its place: one slip for a short word, two for
a longer one; of equally close words, one with the same letters (two swapped), then the
more common. Two words that the index knows
as one ("micro needling", "make up") are joined.
"""

import itertools
from collections.abc import Callable, Iterable

from django.db.models import Q

from treatments.models import SearchWord
from treatments.public.search.query import STOP_WORDS

MIN_CHECKED_LENGTH = 4
# Candidates share the first letter or the last two, and are about as long.
LENGTH_SLACK = 2
MAX_CANDIDATES = 5000


def edit_distance(a: str, b: str, limit: int) -> int:
    """Insertions, deletions, substitutions and swaps of neighbours that turn ``a`` into
    ``b`` (optimal string alignment); anything over ``limit`` is ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, previous = None, list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = char_a != char_b
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if before and i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return min(previous[-1], limit + 1)


def allowed_slips(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def _needs_checking(word: str) -> bool:
    return len(word) >= MIN_CHECKED_LENGTH and word.isalpha() and word not in STOP_WORDS


def closest(word: str, candidates: Iterable[tuple[str, int]]) -> str | None:
    """The nearest of ``(word, frequency)`` pairs within ``allowed_slips``, or None."""
    limit = allowed_slips(word)
    best, best_key = None, None
    for candidate, frequency in candidates:
        if candidate == word:
            continue
        distance = edit_distance(word, candidate, limit)
        # Of equally close words: the same letters in another order first (two keys
        # swapped is the commonest slip), then the more common word.
        key = (distance, sorted(candidate) != sorted(word), -frequency, candidate)
        if distance <= limit and (best_key is None or key < best_key):
            best, best_key = candidate, key
    return best


def _candidates(word: str, extra: Iterable[str]) -> list[tuple[str, int]]:
    length = len(word)
    rows = (
        SearchWord.objects.filter(length__range=(length - LENGTH_SLACK, length + LENGTH_SLACK))
        .filter(Q(word__startswith=word[0]) | Q(word__endswith=word[-2:]))
        .order_by("-frequency")
        .values_list("word", "frequency")[:MAX_CANDIDATES]
    )
    return [*rows, *((other, 0) for other in extra)]


def corrected(
    words: tuple[str, ...], synonym_words: frozenset[str], found: Callable[[str], bool]
) -> tuple[str, ...]:
    """``words`` with mistypings put right; the same words when nothing needed it.

    ``found(word)`` says whether the engine finds the word as it is.
    """
    pairs = {a + b for a, b in itertools.pairwise(words) if (a + b).isalpha()}
    known = set(SearchWord.objects.filter(word__in={*words, *pairs}).values_list("word", flat=True))
    known |= synonym_words
    result: list[str] = []
    position = 0
    while position < len(words):
        word = words[position]
        following = words[position + 1] if position + 1 < len(words) else ""
        joined = word + following
        if following and joined in known and not (word in known and following in known):
            result.append(joined)
            position += 2
            continue
        if _needs_checking(word) and word not in known and not found(word):
            word = closest(word, _candidates(word, synonym_words)) or word
        result.append(word)
        position += 1
    return tuple(result)
