"""/search/: ranked hits that link to the exact section or answer, and no error on any input."""

import pytest

from tests.conftest import make_treatment
from treatments.models import Treatment
from treatments.public.search import Query, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(db):
    peel = make_treatment(
        "chemical-peel",
        sections={"overview": "A peel uses acid.", "aftercare": "Avoid the sun for a week."},
        faqs=[("Will my skin peel?", "Often, for a few days."), ("Sun after a peel?", "Avoid it.")],
    )
    needling = make_treatment(
        "microneedling",
        sections={"aftercare": "Keep out of the sun. Peel-off masks can wait."},
        faqs=[("Does microneedling hurt?", "It can feel scratchy.")],
    )
    make_treatment(
        "hidden-peel", status=Treatment.Status.DRAFT, sections={"overview": "Sun and peel."}
    )
    return peel, needling


def test_titles_rank_above_questions_above_body_text(pages):
    hits = search(Query.parse("peel"))
    assert [hit.rank for hit in hits] == sorted((hit.rank for hit in hits), reverse=True)
    assert hits[0].heading == "Chemical Peel"
    assert hits[1].heading == "Will my skin peel?"
    assert {"Sun after a peel?", "Microneedling: Aftercare"} <= {hit.heading for hit in hits}


def test_hits_link_to_the_section_or_answer_by_anchor(pages):
    urls = {hit.url for hit in search(Query.parse("sun"))}
    assert "/treatments/chemical-peel/faq/#sun-after-a-peel" in urls
    assert "/treatments/chemical-peel/#aftercare" in urls
    assert "/treatments/microneedling/#aftercare" in urls


def test_every_term_must_match(pages):
    headings = {hit.heading for hit in search(Query.parse("sun week"))}
    assert headings == {"Chemical Peel: Aftercare"}


def test_drafts_are_never_found(pages):
    assert all(hit.treatment.slug != "hidden-peel" for hit in search(Query.parse("peel")))


def test_snippets_mark_terms_and_escape_everything_else(db):
    make_treatment(sections={"overview": "Use <b>no</b> scrubs & keep sun off."})
    (hit,) = search(Query.parse("scrubs"))
    assert "<mark>scrubs</mark>" in hit.snippet
    assert "<b>" not in hit.snippet
    assert "&amp;" in hit.snippet


def test_queries_are_normalised_and_capped():
    query = Query.parse("  Does   it HURT?? " + "x" * 200)
    assert query.truncated
    assert len(query.text) == 100
    assert query.terms[:3] == ("does", "it", "hurt")
    assert Query.parse("a ! ?").terms == ()


def test_search_page_lists_hits(client, pages):
    html = client.get("/search/", {"q": "hurt"}).content.decode()
    assert "1 result for" in html
    assert 'href="/treatments/microneedling/faq/#does-microneedling-hurt"' in html
    html = client.get("/search/", {"q": "scratchy"}).content.decode()
    assert "It can feel <mark>scratchy</mark>." in html


@pytest.mark.parametrize(
    "q",
    ["", "   ", "zzzz", "%", "_", "' OR 1=1 --", "<script>alert(1)</script>", "x" * 5000, "\u202e"],
)
def test_any_query_gets_a_helpful_page(client, pages, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert 'href="/treatments/chemical-peel/"' in html or "result" in html


def test_nothing_found_offers_the_guides(client, pages):
    html = client.get("/search/", {"q": "tattoo"}).content.decode()
    assert "We found nothing for" in html
    assert 'href="/treatments/microneedling/faq/"' in html


def test_header_links_to_search(client, pages):
    assert 'href="/search/"' in client.get("/").content.decode()
