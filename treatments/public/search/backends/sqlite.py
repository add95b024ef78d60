"""SQLite's FTS5: an external-content table over the entries with the porter stemmer.

Every alternative is sent as a quoted phrase, so nothing a patient types is read as
FTS5 syntax (AND, NEAR, *, column filters). bm25 ranks with the heading weighing most.
FTS5 ranks first, on its own table, and only the best few hundred are joined to the
entries to keep those of publications patients may read now (a subquery of
``Publication.objects.public()``): joining every match first costs twice as much.
"""

from collections.abc import Sequence

from django.db import connection

from treatments.models import SearchEntry
from treatments.public.search.backends.base import SearchBackend, Visible
from treatments.public.search.query import Concept, Plan
from treatments.public.search.text import MARK_END, MARK_START

FTS = "treatments_searchentry_fts"
ENTRY = SearchEntry._meta.db_table
# bm25 weights of the FTS5 columns in order: heading, context (the section of a block),
# the treatment's title, the body.
WEIGHTS = "10.0, 3.0, 2.0, 1.0"
BODY_COLUMN = 3

HEADING_COLUMN = "heading"
# How many of the best matches are looked at for each one asked for; the rest only when
# too few of them are live yet. -1 is no limit.
CANDIDATES_PER_RESULT, CANDIDATES_MORE, ALL = 5, 100, -1

# Table and column names are constants of this module; every value is a parameter.
RANKED_SQL = f"""
    WITH best AS (
        SELECT rowid AS id, bm25({FTS}, {WEIGHTS}) AS score FROM {FTS}
        WHERE {FTS} MATCH %s ORDER BY score LIMIT %s
    )
    SELECT entry.id, (SELECT count(*) FROM best) FROM best
    JOIN {ENTRY} AS entry ON entry.id = best.id
    WHERE entry.publication_id IN ({{visible}})
    ORDER BY best.score, entry.position, entry.id
    LIMIT %s
"""  # noqa: S608
MARKED_SQL = f"SELECT rowid, highlight({FTS}, {BODY_COLUMN}, %s, %s) FROM {FTS} WHERE {FTS} MATCH %s AND rowid IN ({{ids}})"  # noqa: E501, S608
FINDS_SQL = f"SELECT 1 FROM {FTS} WHERE {FTS} MATCH %s LIMIT 1"  # noqa: S608
COUNT_SQL = f"(SELECT count(*) FROM (SELECT 1 FROM {FTS} WHERE {FTS} MATCH %s LIMIT %s))"  # noqa: S608


def match_expression(concepts: Sequence[Concept]) -> str:
    """Any alternative of any concept, each as a quoted phrase. Alternatives are words
    of letters and digits only (``query.words_of``), so no quote can occur in them."""
    return " OR ".join(f'"{phrase}"' for concept in concepts for phrase in concept.alternatives)


def plan_expression(plan: Plan) -> str:
    """Entries matching a required concept, scored by every concept."""
    everything = match_expression(plan.concepts)
    if plan.headings_only:
        return f"{{{HEADING_COLUMN}}} : ({everything})"
    if plan.is_wide:
        return everything
    return f"({match_expression(plan.required)}) AND ({everything})"


class SQLiteBackend(SearchBackend):
    def ranked(self, plan: Plan, *, visible: Visible, limit: int) -> list[int]:
        visible_sql, visible_params = visible.query.query.sql_with_params()
        sql = RANKED_SQL.format(visible=visible_sql)
        expression = plan_expression(plan)
        candidates = limit * CANDIDATES_PER_RESULT + CANDIDATES_MORE
        with connection.cursor() as cursor:
            cursor.execute(sql, [expression, candidates, *visible_params, limit])
            rows = cursor.fetchall()
            if len(rows) < limit and (not rows or rows[0][1] == candidates):
                # Too many of the best are not for patients' eyes: look at every match.
                cursor.execute(sql, [expression, ALL, *visible_params, limit])
                rows = cursor.fetchall()
        return [row[0] for row in rows]

    def marked(self, concepts: Sequence[Concept], ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        sql = MARKED_SQL.format(ids=", ".join(["%s"] * len(ids)))
        with connection.cursor() as cursor:
            cursor.execute(sql, [MARK_START, MARK_END, match_expression(concepts), *ids])
            return dict(cursor.fetchall())

    def counts(self, words: Sequence[str], cap: int) -> dict[str, int]:
        if not words:
            return {}
        sql = "SELECT " + ", ".join([COUNT_SQL] * len(words))
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for word in words for value in (f'"{word}"', cap)])
            return dict(zip(words, cursor.fetchone(), strict=True))

    def finds(self, word: str) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(FINDS_SQL, [f'"{word}"'])
            return cursor.fetchone() is not None

    def refresh(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")  # noqa: S608
