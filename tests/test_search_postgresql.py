"""Site search on PostgreSQL: what its engine does beyond the cases both engines share
(tests/test_search.py). Run in CI's second half, against a real PostgreSQL server."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import CONTENT_DIR, make_treatment
from treatments.models import Publication, SearchEntry, Treatment
from treatments.public.search import Query, search
from treatments.public.search.backends import backend
from treatments.public.search.backends import postgresql as engine

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's own full-text search"
)

HEADINGS = """
    SELECT entry_id, publication_id, position, vector::text FROM treatments_searchheading
    ORDER BY entry_id
"""
FROM_ENTRIES = """
    SELECT id, publication_id, position, to_tsvector('english', heading)::text
    FROM treatments_searchentry ORDER BY id
"""


@pytest.fixture
def pages(db):
    peel = make_treatment(
        "chemical-peel",
        sections={"overview": "A peel uses acid.", "aftercare": "Avoid the sun for a week."},
        faqs=[("Will my skin peel?", "Often, for a few days."), ("Sun after a peel?", "Avoid it.")],
    )
    needling = make_treatment(
        "microneedling",
        sections={"aftercare": "Keep out of the sun for a week."},
        faqs=[("Does microneedling hurt?", "It can feel scratchy in the sun.")],
    )
    return peel, needling


def _rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def test_the_heading_table_follows_the_entries(pages):
    peel, _ = pages
    assert len(_rows(HEADINGS)) == SearchEntry.objects.count() > 0
    assert _rows(HEADINGS) == _rows(FROM_ENTRIES)

    SearchEntry.objects.filter(heading="Will my skin peel?").update(heading="Swimming")
    assert _rows(HEADINGS) == _rows(FROM_ENTRIES)
    assert "'swim':1" in {row[3] for row in _rows(HEADINGS)}

    Publication.objects.filter(object_id=peel.pk).delete()
    assert _rows(HEADINGS) == _rows(FROM_ENTRIES)
    assert {row[1] for row in _rows(HEADINGS)} == set(
        SearchEntry.objects.values_list("publication_id", flat=True)
    )

    # As Django's flush empties the tables between tests (the deferred foreign-key
    # checks of this test's rows first, as a flush would have them committed).
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE treatments_searchentry")
    assert _rows(HEADINGS) == []


def test_common_words_are_counted_from_the_planner_statistics(pages, monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE treatments_searchentry")
    monkeypatch.setattr(engine, "ESTIMATE_FROM", 0)
    words = ["sun", "week", "peel"]
    exact = engine.exact_counts(words, 100)
    assert exact["sun"] >= 3
    # ANALYZE read every row of so small a table: its shares are exact.
    estimated = engine.estimated_counts(words, SearchEntry.objects.count(), 100)
    assert estimated == exact
    with CaptureQueriesContext(connection) as queries:
        assert backend().counts(words, 100) == exact
    assert not any("LIMIT" in query["sql"] for query in queries.captured_queries)
    # Counted no further than the cap, as an exact count is.
    assert engine.estimated_counts(["sun"], SearchEntry.objects.count(), 2) == {"sun": 2}


def test_a_word_the_statistics_do_not_hold_is_counted(pages, monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE treatments_searchentry")
    monkeypatch.setattr(engine, "ESTIMATE_FROM", 0)
    make_treatment("laser", sections={"overview": "A zebra of light."})
    assert "zebra" not in engine.estimated_counts(["zebra"], 100, 100)
    assert backend().counts(["zebra", "sun"], 100)["zebra"] == 1


def test_the_visible_publications_are_read_once_a_generation(pages):
    def publication_reads(text: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            search(Query.parse(text))
        # The visible publications' ids (the generation's own query reads "live_from").
        return sum(q["sql"].startswith('SELECT "treatments_publication"."id"') for q in queries)

    assert publication_reads("sun") == 1
    assert publication_reads("peel") == 0
    make_treatment("laser", sections={"overview": "Sun and light."})
    assert publication_reads("light") == 1
    assert [hit.url for hit in search(Query.parse("light"))] == ["/treatments/laser/#overview"]
    Treatment.objects.get(slug="laser").delete()
    assert publication_reads("sun") == 1


def test_an_import_gathers_the_statistics_searches_are_planned_with(db, monkeypatch):
    monkeypatch.setattr(engine, "ESTIMATE_FROM", 0)
    call_command("import_content", str(CONTENT_DIR), verbosity=0)
    words = ["microneedling", "sun", "skin"]
    # Gathered from every row of the entries just imported: the shares are exact.
    estimated = engine.estimated_counts(words, SearchEntry.objects.count(), 10_000)
    assert estimated == engine.exact_counts(words, 10_000)
    assert estimated["microneedling"] > 10
