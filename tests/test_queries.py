"""Page cost does not grow with content: constant queries, and no Markdown rendered per request."""

import markdown
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from treatments.models import FAQ, Treatment
from treatments.section_kinds import SectionKind

from .conftest import make_treatment

pytestmark = pytest.mark.django_db

MAX_PAGE_QUERIES = 4


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
    return treatment


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/treatments/big/",
        "/treatments/big/faq/",
        "/treatments/big/before/",
        "/treatments/big/aftercare/",
    ],
)
def test_treatment_pages_use_a_fixed_number_of_queries(client, big_treatment, url):
    assert _count(client, url) <= MAX_PAGE_QUERIES


def test_the_list_costs_the_same_for_1000_treatments(client, db):
    Treatment.objects.bulk_create(
        Treatment(
            title=f"Treatment {n}",
            slug=f"treatment-{n}",
            summary="s",
            description="d",
            status=Treatment.Status.PUBLISHED,
        )
        for n in range(1000)
    )
    for url in ("/", "/treatments/"):
        assert _count(client, url) <= 2


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
