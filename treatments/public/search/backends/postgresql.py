"""PostgreSQL full-text search: a weighted ``tsvector`` the database generates for each
entry (heading A, section and treatment title B, body C; migration 0010), matched with
``@@``, ranked with ``ts_rank`` and marked with ``ts_headline``. The "english"
configuration stems words and drops the same stop words as ``query.STOP_WORDS``.

``ts_rank`` counts every word alike, so "do you use numbing cream" would rank answers
that say "use" as high as those that say "numbing". Each concept's rank is therefore
weighted by how rare its words are (inverse document frequency, as SQLite's bm25 does),
from the counts the search asks for its plan.

At 1,000 treatments a common word is in thousands of entries, and three things keep a
search quick there (``bench/search``): the headings' vectors live in a narrow table of
their own (migration 0015), so a headings-only search reads a tenth of the pages; the
matches are ranked once against all the phrases together and only the best
``CANDIDATES`` by every concept; and how many entries hold a common word is read from
the planner's statistics rather than counted.
"""

import functools
import math
import operator
from collections.abc import Sequence

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVectorField
from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from treatments.models import SearchEntry
from treatments.public.search.backends.base import SearchBackend, Visible
from treatments.public.search.query import Concept, Plan
from treatments.public.search.text import MARK_END, MARK_START

TABLE = SearchEntry._meta.db_table
# The headings' vectors, in a narrow table of their own (migration 0015).
HEADINGS = "treatments_searchheading"
CONFIG = "english"
# ts_rank's weights of the classes D, C, B, A.
WEIGHTS = [0.05, 0.25, 0.4, 1.0]
# Divide by 1 + the log of the entry's length, so a long section does not win on
# length alone.
NORMALIZATION = 1


def _vector() -> RawSQL:
    """A generated column, which the model does not declare (SQLite has no such type)."""
    column = f'"{TABLE}"."search_vector"'
    return RawSQL(column, (), output_field=SearchVectorField())  # noqa: S611 - a constant


def _phrase(phrase: str) -> SearchQuery:
    return SearchQuery(phrase, search_type="phrase", config=CONFIG)


def _tsquery(concepts: Sequence[Concept]):
    phrases = [_phrase(phrase) for concept in concepts for phrase in concept.alternatives]
    return functools.reduce(operator.or_, phrases)


class _SQL:
    """A statement's text and its parameters, written together so that they stay in
    order. Column names are constants of this module; every value is a parameter."""

    def __init__(self) -> None:
        self.params: list = []

    def value(self, value) -> str:
        self.params.append(value)
        return "%s"

    def phrase(self, phrase: str) -> str:
        return f"phraseto_tsquery('{CONFIG}', {self.value(phrase)})"

    def any_of(self, concepts: Sequence[Concept]) -> str:
        """A tsquery of every alternative of every concept, OR-ed."""
        phrases = [self.phrase(p) for concept in concepts for p in concept.alternatives]
        return "(" + " || ".join(phrases) + ")"

    def rank(self, concepts: Sequence[Concept], weights: Sequence[float]) -> str:
        """Each concept's rank, weighted by its rarity, summed. A concept's rank is that
        of its best alternative: ts_rank of an OR of them divides by how many there
        are, so a concept with many synonyms would count for less."""
        classes = "'{" + ",".join(map(str, WEIGHTS)) + "}'::real[]"
        terms = []
        for concept, weight in zip(concepts, weights, strict=True):
            ranks = [
                f"ts_rank({classes}, entry.search_vector, {self.phrase(p)}, {NORMALIZATION})"
                for p in concept.alternatives
            ]
            best = ranks[0] if len(ranks) == 1 else f"greatest({', '.join(ranks)})"
            terms.append(f"{best} * {self.value(weight)}")
        return " + ".join(terms)


# How many entries are ranked by every concept, out of those that match best at first
# sight (``PostgreSQLBackend.ranked``).
CANDIDATES = 200
# The least weight a concept can have: a word in every entry still counts for a little.
MIN_IDF = 0.05
# Below this many rows the planner's estimate of the table's size is not trusted.
ESTIMATE_FROM = 10_000


def _entries() -> int:
    """About how many entries there are: the planner's estimate on a large table (free),
    a count on a small one (cheap)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [TABLE])
        row = cursor.fetchone()
    estimate = row[0] if row else 0
    return estimate if estimate >= ESTIMATE_FROM else max(SearchEntry.objects.count(), 1)


# The planner's statistics of the entries' vectors (ANALYZE, which autovacuum runs
# after every large change): the share of entries that hold each of the most common
# lexemes, a thousand of them by default. A word is stemmed as the index stems it.
ESTIMATE_SQL = f"""
    SELECT word, stats.shares[array_position(
        stats.lexemes, (tsvector_to_array(to_tsvector('{CONFIG}', word)))[1]
    )]
    FROM unnest(%s::text[]) AS word
    CROSS JOIN (
        SELECT most_common_elems::text::text[] AS lexemes, most_common_elem_freqs AS shares
        FROM pg_stats
        WHERE schemaname = current_schema() AND tablename = %s AND attname = 'search_vector'
    ) AS stats
"""  # noqa: S608 - the configuration is a constant
COUNT_SQL = (
    f"(SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE search_vector @@ "  # noqa: S608
    f"phraseto_tsquery('{CONFIG}', %s) LIMIT %s) AS matches)"
)


def estimated_counts(words: Sequence[str], entries: int, cap: int) -> dict[str, int]:
    """How many of ``entries`` hold each word, for the words among the most common in
    the planner's statistics. Counting those would read up to ``cap`` entries each,
    20 to 40 ms a search at 1,000 treatments; a word missing here is rarer (or new since
    the statistics were gathered) and is counted."""
    with connection.cursor() as cursor:
        cursor.execute(ESTIMATE_SQL, [list(words), TABLE])
        rows = cursor.fetchall()
    return {word: min(cap, round(share * entries)) for word, share in rows if share is not None}


def exact_counts(words: Sequence[str], cap: int) -> dict[str, int]:
    """How many entries match each word, counting no further than ``cap``: one
    statement."""
    if not words:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join([COUNT_SQL] * len(words)),
            [value for word in words for value in (word, cap)],
        )
        return dict(zip(words, cursor.fetchone(), strict=True))


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


# The visible publications' ids by generation: the newest few, in each process.
_known: dict[str, str] = {}
KNOWN_GENERATIONS = 4


def _ids(visible: Visible) -> str:
    """The ids of the publications patients may read, as an array's text for a
    ``%s::bigint[]`` parameter; read once per generation of results (6 ms at 1,000
    treatments, for a list that changes only when they do). As text, since psycopg
    took 7 ms a search to write a list of a thousand numbers into each statement."""
    # Whether sign-off is required decides what is public too (tests change it).
    key = f"{visible.generation}:{settings.CLINICAL_SIGNOFF_REQUIRED}"
    ids = _known.get(key)
    if ids is None:
        ids = "{" + ",".join(str(pk) for pk in visible.query) + "}"
        if len(_known) >= KNOWN_GENERATIONS:
            _known.clear()
        _known[key] = ids
    return ids


# Ranking costs a few microseconds an entry for each phrase of each concept, and a
# common word matches thousands of entries. So the matching entries are ranked first
# with one ts_rank against all the phrases at once, and only the best ``CANDIDATES`` of
# them (``HEADING_CANDIDATES`` or ``ENTRY_CANDIDATES``) are ranked by every concept and
# its rarity.
RANKED_SQL = """
    WITH candidates AS MATERIALIZED ({candidates})
    SELECT entry.id FROM {table} AS entry JOIN candidates USING (id)
    ORDER BY {rank} DESC, entry.position, entry.id
    LIMIT {limit}
"""
# On a large site, any alternative of any concept in a heading; the heading's own
# vector, not ``'sun':A`` in the entry's, which the index could not serve.
HEADING_CANDIDATES = f"""
    SELECT entry_id AS id FROM {HEADINGS}
    WHERE vector @@ {{wanted}} AND publication_id = ANY({{visible}}::bigint[])
    ORDER BY ts_rank(vector, {{wanted_again}}, {NORMALIZATION}) DESC, position, entry_id
    LIMIT {{count}}
"""  # noqa: S608 - names are constants of this module
# Otherwise the required concepts anywhere in the entry.
ENTRY_CANDIDATES = f"""
    SELECT id FROM {TABLE}
    WHERE search_vector @@ {{wanted}} AND publication_id = ANY({{visible}}::bigint[])
    ORDER BY ts_rank(search_vector, {{wanted_again}}, {NORMALIZATION}) DESC, position, id
    LIMIT {{count}}
"""  # noqa: S608


def _ranked_sql(plan: Plan, visible: str, limit: int) -> tuple[str, list]:
    """The statement that ranks ``plan`` and its parameters."""
    sql = _SQL()
    # Made in the order their parameters appear in the statement.
    required = plan.concepts if plan.headings_only else plan.required
    candidates = (HEADING_CANDIDATES if plan.headings_only else ENTRY_CANDIDATES).format(
        wanted=sql.any_of(required),
        visible=sql.value(visible),
        wanted_again=sql.any_of(required),
        count=sql.value(max(CANDIDATES, limit)),
    )
    rank = sql.rank(plan.concepts, _rarity(plan.concepts, plan.frequency))
    statement = RANKED_SQL.format(
        candidates=candidates, table=TABLE, rank=rank, limit=sql.value(limit)
    )
    return statement, sql.params


class PostgreSQLBackend(SearchBackend):
    def readable(self, entries: QuerySet, visible: Visible) -> QuerySet:
        # The ids as one array, not the subquery: the planner cannot estimate the
        # visibility subquery (it guessed 14 publications where 1,001 were live), so it
        # read every entry of each publication and tested it against the query, 120 to
        # 170 ms at 1,000 treatments, instead of using the full-text index. One array
        # parameter rather than ``__in``: Django and psycopg spent some 25 ms a search
        # writing a thousand placeholders.
        member = RawSQL(  # noqa: S611 - the column is a constant, the ids a parameter
            f'"{TABLE}"."publication_id" = ANY(%s::bigint[])',
            (_ids(visible),),
            output_field=BooleanField(),
        )
        return entries.filter(member)

    def ranked(self, plan: Plan, *, visible: Visible, limit: int) -> list[int]:
        statement, params = _ranked_sql(plan, _ids(visible), limit)
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return [row[0] for row in cursor.fetchall()]

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
        entries = _entries()
        found = estimated_counts(words, entries, cap) if entries >= ESTIMATE_FROM else {}
        found.update(exact_counts([word for word in words if word not in found], cap))
        return found

    def gather_statistics(self) -> None:
        # Autovacuum analyses a table once a tenth of it changed, a minute or so later:
        # until then, after a large import, common words were counted one by one.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}, {HEADINGS}")

    def finds(self, word: str) -> bool:
        return SearchEntry.objects.alias(vector=_vector()).filter(vector=_phrase(word)).exists()
