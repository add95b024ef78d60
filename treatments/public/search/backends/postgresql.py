"""PostgreSQL full-text search: a weighted ``tsvector`` the database generates for each
entry (heading A, section and treatment title B, body C; migration 0010), matched with
``@@``, ranked with ``ts_rank`` and marked with ``ts_headline``, all through
``django.contrib.postgres.search``. The "english" configuration stems words and drops
the same stop words as ``query.STOP_WORDS``.

``ts_rank`` counts every word alike, so "do you use numbing cream" would rank answers
that say "use" as high as those that say "numbing". Each concept's rank is therefore
weighted by how rare its words are (inverse document frequency, as SQLite's bm25 does),
from the counts the search asks for its plan.
"""

import functools
import math
import operator
from collections.abc import Sequence

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connection
from django.db.models import QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest

from treatments.models import SearchEntry
from treatments.public.search.backends.base import SearchBackend
from treatments.public.search.query import Concept, Plan
from treatments.public.search.text import MARK_END, MARK_START

CONFIG = "english"
# ts_rank's weights of the classes D, C, B, A.
WEIGHTS = [0.05, 0.25, 0.4, 1.0]
# Divide by 1 + the log of the entry's length, so a long section does not win on
# length alone.
NORMALIZATION = 1


def _vector(name: str = "search_vector") -> RawSQL:
    """A generated column, which the model does not declare (SQLite has no such type):
    the whole entry's ``search_vector`` or its heading's ``heading_vector`` (0014)."""
    column = f'"{SearchEntry._meta.db_table}"."{name}"'
    return RawSQL(column, (), output_field=SearchVectorField())  # noqa: S611 - a constant


def _phrase(phrase: str) -> SearchQuery:
    return SearchQuery(phrase, search_type="phrase", config=CONFIG)


def _tsquery(concepts: Sequence[Concept]):
    phrases = [_phrase(phrase) for concept in concepts for phrase in concept.alternatives]
    return functools.reduce(operator.or_, phrases)


def _concept_rank(concept: Concept):
    """The rank of the best alternative: ts_rank of an OR of them divides by how many
    there are, so a concept with many synonyms would count for less."""
    ranks = [
        SearchRank(_vector(), _phrase(phrase), weights=WEIGHTS, normalization=Value(NORMALIZATION))
        for phrase in concept.alternatives
    ]
    return Greatest(*ranks) if len(ranks) > 1 else ranks[0]


# The least weight a concept can have: a word in every entry still counts for a little.
MIN_IDF = 0.05
# Below this many rows the planner's estimate of the table's size is not trusted.
ESTIMATE_FROM = 10_000


def _entries() -> int:
    """About how many entries there are: the planner's estimate on a large table (free),
    a count on a small one (cheap)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [SearchEntry._meta.db_table],
        )
        row = cursor.fetchone()
    estimate = row[0] if row else 0
    return estimate if estimate >= ESTIMATE_FROM else max(SearchEntry.objects.count(), 1)


def _rarity(concepts: Sequence[Concept], frequency: dict[str, int]) -> list[float]:
    """Each concept's weight: the inverse document frequency of its words, as SQLite's
    bm25 computes it, from how many entries match each word (counted up to
    ``query.COMMON``: past that, every word weighs alike); a phrase weighs its words
    together. A concept that the pages never use as typed (a synonym's phrase) takes the
    weight of the rarest alternative they do use."""
    entries = _entries()

    def idf(phrase: str) -> float | None:
        counts = [min(frequency[w], entries) for w in phrase.split() if frequency.get(w)]
        if not counts:
            return None
        return sum(max(math.log((entries - n + 0.5) / (n + 0.5)), MIN_IDF) for n in counts)

    weights = []
    for concept in concepts:
        known = [value for p in concept.alternatives if (value := idf(p)) is not None]
        typed = idf(concept.alternatives[0])
        weights.append(typed if typed is not None else max(known, default=1.0))
    return weights


def _required(plan: Plan) -> tuple[RawSQL, SearchQuery]:
    """The column to match and what it must match: on a large site, any alternative of
    any concept in the heading's own vector (``heading_vector``, indexed on its own:
    ``'sun':A`` in the whole vector could not use the index); otherwise the required
    concepts anywhere in the entry."""
    if plan.headings_only:
        return _vector("heading_vector"), _tsquery(plan.concepts)
    return _vector(), _tsquery(plan.required)


class PostgreSQLBackend(SearchBackend):
    def ranked(self, plan: Plan, *, visible: QuerySet, limit: int) -> list[int]:
        weights = _rarity(plan.concepts, plan.frequency)
        rank = functools.reduce(
            operator.add,
            [
                _concept_rank(concept) * Value(weight)
                for concept, weight in zip(plan.concepts, weights, strict=True)
            ],
        )
        # The ids themselves, not the subquery: the planner cannot estimate the
        # visibility subquery (it guessed 14 publications where 1,001 were live), so it
        # read every entry of each publication and tested it against the query, 120 to
        # 170 ms at 1,000 treatments, instead of using the full-text index.
        readable = list(visible.values_list("pk", flat=True))
        column, wanted = _required(plan)
        rows = (
            SearchEntry.objects.alias(matched=column)
            .filter(matched=wanted, publication_id__in=readable)
            .annotate(rank=rank)
            .order_by("-rank", "position", "id")
            .values_list("id", flat=True)
        )
        return list(rows[:limit])

    def marked(self, concepts: Sequence[Concept], ids: Sequence[int]) -> dict[int, str]:
        headline = SearchHeadline(
            "body",
            _tsquery(concepts),
            config=CONFIG,
            start_sel=MARK_START,
            stop_sel=MARK_END,
            highlight_all=True,
        )
        rows = SearchEntry.objects.filter(pk__in=ids).annotate(marked=headline)
        return dict(rows.values_list("id", "marked"))

    def counts(self, words: Sequence[str], cap: int) -> dict[str, int]:
        if not words:
            return {}
        table = SearchEntry._meta.db_table
        one = (
            f"(SELECT count(*) FROM (SELECT 1 FROM {table} WHERE search_vector @@ "  # noqa: S608
            f"phraseto_tsquery('{CONFIG}', %s) LIMIT %s) AS matches)"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT " + ", ".join([one] * len(words)),
                [value for word in words for value in (word, cap)],
            )
            return dict(zip(words, cursor.fetchone(), strict=True))

    def finds(self, word: str) -> bool:
        return SearchEntry.objects.alias(vector=_vector()).filter(vector=_phrase(word)).exists()
