"""Page cost does not grow with content: constant queries, and no Markdown rendered per request.

Each page is measured twice: made (the page cache has no copy) and served from the page
cache, which then costs no query at all, whatever the page: the page and its versions
are read from the cache.
"""

import markdown
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_treatment, publish
from treatments.models import FAQ, Publication, Treatment
from treatments.models.section_kinds import SectionKind

pytestmark = pytest.mark.django_db

# Making a treatment page: the treatment with its picture, two of its lists (sections and
# questions, or sections and aftercare reminders on a care sheet), the site settings and
# the site pages that are public (the footer links them).
MAX_PAGE_QUERIES = 5
# What the page cache adds to a page it makes: the next scheduled publication, read to know
# how long to keep the page. A stored page costs nothing.
CACHE_MISS_QUERIES = 1
CACHE_HIT_QUERIES = 0


@pytest.fixture
def big_treatment(db):
    """Every section filled and 100 questions."""
    treatment = make_treatment(
        "big",
        sections={
            kind.value: f"## {kind.label}\n\n" + "Some words. " * 200 for kind in SectionKind
        },
    )
    FAQ.objects.bulk_create(
        FAQ(
            treatment=treatment,
            position=n,
            question=f"Question {n}?",
            answer=f"Answer {n}.",
            answer_html=f"<p>Answer {n}.</p>",
            anchor=f"question-{n}",
        )
        for n in range(100)
    )
    publish(treatment)
    return treatment


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _made_and_stored(client, url: str) -> tuple[int, int]:
    """Queries to make the page, then to serve it again from the page cache."""
    made = _count(client, url)
    stored = _count(client, url)
    return made, stored


@pytest.mark.parametrize(
    ("url", "most"),
    [
        ("/treatments/big/", MAX_PAGE_QUERIES),
        ("/treatments/big/faq/", MAX_PAGE_QUERIES),
        ("/treatments/big/before/", MAX_PAGE_QUERIES),
        ("/treatments/big/aftercare/", MAX_PAGE_QUERIES),
    ],
)
def test_treatment_pages_use_a_fixed_number_of_queries(client, big_treatment, url, most):
    made, stored = _made_and_stored(client, url)
    assert made <= most + CACHE_MISS_QUERIES
    assert stored == CACHE_HIT_QUERIES


@pytest.fixture
def thousand_treatments(db):
    """1,000 published treatments, every tenth with a question."""
    treatments = Treatment.objects.bulk_create(
        Treatment(
            title=f"Treatment {n}",
            slug=f"treatment-{n}",
            summary="s",
            description="d",
            status=Treatment.Status.PUBLISHED,
        )
        for n in range(1000)
    )
    FAQ.objects.bulk_create(
        FAQ(treatment=treatment, question="Q?", answer="A.", answer_html="<p>A.</p>", anchor="q")
        for treatment in treatments[::10]
    )
    content_type = ContentType.objects.get_for_model(Treatment)
    Publication.objects.bulk_create(
        Publication(
            content_type=content_type,
            object_id=treatment.pk,
            slug=treatment.slug,
            title=treatment.title,
            summary="s",
            fields={"title": treatment.title, "slug": treatment.slug, "summary": "s"},
            faq_count=int(n % 10 == 0),
        )
        for n, treatment in enumerate(treatments)
    )


def test_the_list_costs_the_same_for_1000_treatments(client, thousand_treatments):
    for url in ("/", "/treatments/"):
        made, stored = _made_and_stored(client, url)
        # The site settings, the public site pages (the footer) and the treatments; and,
        # on a fresh cache, when the next publication goes live: the generation the
        # public site pages are kept under (``context_processors.public_pages``).
        assert made <= 4 + CACHE_MISS_QUERIES
        assert stored == CACHE_HIT_QUERIES


def test_the_sitemap_costs_the_same_for_1000_treatments(client, thousand_treatments):
    made, stored = _made_and_stored(client, "/sitemap.xml")
    # The treatments (with whether each has questions) and the site pages.
    assert made <= 2 + CACHE_MISS_QUERIES
    assert stored == CACHE_HIT_QUERIES
    sitemap = client.get("/sitemap.xml").content.decode()
    # Home, list, 1,000 treatments and the 100 FAQ pages that have questions.
    assert sitemap.count("<loc>") == 2 + 1000 + 100


def test_no_markdown_is_rendered_while_serving_pages(client, big_treatment, monkeypatch):
    calls = []
    real_convert = markdown.Markdown.convert

    def counting_convert(self, source):
        calls.append(source)
        return real_convert(self, source)

    monkeypatch.setattr(markdown.Markdown, "convert", counting_convert)
    for url in (
        "/",
        "/treatments/",
        "/treatments/big/",
        "/treatments/big/faq/",
        "/search/?q=words",
    ):
        assert client.get(url).status_code == 200
    assert calls == []

    # The spy does see rendering when content is saved.
    section = big_treatment.sections.first()
    section.save()
    assert len(calls) == 1


def test_the_footer_reads_the_public_site_pages_once_a_generation(client, big_treatment):
    """Search pages are never stored; the site pages their footer links are read once
    until a publication changes (``context_processors.public_pages``)."""

    def reads(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return sum(q["sql"].startswith('SELECT "treatments_publication"."slug"') for q in queries)

    assert reads("/search/?q=words") == 1
    assert reads("/search/?q=other") == 0
    publish(big_treatment)
    assert reads("/search/?q=words") == 1
