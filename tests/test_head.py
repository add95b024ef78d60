"""The head of each public page: title, description, canonical, link previews, language.

Also the two dead ends, 404 and 410, which must answer with their status and show
the way on to the treatments and their questions.
"""

import pytest
from django.apps import apps

from tests.conftest import make_treatment
from tests.public_site import INDEXABLE_PAGES, build_public_site, parse_page
from treatments.models import FAQ, Treatment

pytestmark = pytest.mark.django_db

BASE = "https://clinic.example"


@pytest.fixture
def site(db, settings):
    settings.SITE_BASE_URL = BASE
    build_public_site()


@pytest.mark.parametrize(("name", "url", "status"), INDEXABLE_PAGES)
def test_each_page_has_a_complete_head(client, site, name, url, status):
    # A Host header of its own must not leak into any address.
    response = client.get(url, HTTP_HOST="localhost")
    assert response.status_code == status
    page = parse_page(response.content)
    canonical = f"{BASE}{url}"

    assert page.lang == "en-GB"
    assert 10 <= len(page.title) <= 60, page.title
    (description,) = page.meta["description"]
    assert 50 <= len(description) <= 160, description
    assert page.links["canonical"] == [canonical]
    assert page.meta["og:url"] == [canonical]
    assert page.meta["og:title"][0] in page.title
    assert page.meta["og:description"] == [description]
    assert page.meta["og:site_name"] == ["Riverside Skin Clinic"]
    assert page.meta["og:locale"] == ["en_GB"]
    assert page.meta["og:type"] == ["website" if name in {"home", "list"} else "article"]
    assert page.meta["twitter:card"] == ["summary"]
    assert page.meta["twitter:title"] == page.meta["og:title"]
    assert page.meta["twitter:description"] == [description]
    assert "robots" not in page.meta


def test_titles_are_unique_across_the_site(client, site):
    titles = [parse_page(client.get(url).content).title for _, url, _ in INDEXABLE_PAGES]
    assert len(set(titles)) == len(titles), titles


def test_treatment_page_takes_title_and_description_from_the_treatment(client, site):
    page = parse_page(client.get("/treatments/microneedling/").content)
    treatment = Treatment.objects.get(slug="microneedling")
    assert page.title == "Microneedling | Riverside Skin Clinic"
    assert page.meta["description"] == [treatment.description]


def test_faq_page_description_names_its_questions_within_160_characters(client, site):
    page = parse_page(client.get("/treatments/microneedling/faq/").content)
    (description,) = page.meta["description"]
    count = FAQ.objects.filter(treatment__slug="microneedling").count()
    assert description.startswith(f"Answers to {count} common questions about microneedling")
    assert "Does microneedling hurt?" in description
    assert len(description) <= 160


def test_a_long_title_drops_the_clinic_name_then_is_cut(client, db):
    make_treatment("long", title="A treatment with a title long enough to need cutting down")
    assert parse_page(client.get("/treatments/long/").content).title == (
        "A treatment with a title long enough to need cutting down"
    )
    make_treatment("longer", title="An even longer treatment title that cannot fit in sixty chars")
    title = parse_page(client.get("/treatments/longer/").content).title
    assert len(title) == 60
    assert title.endswith("…")


def test_an_overlong_description_is_cut_at_a_word(client, db):
    make_treatment(description="Peel details. " + "Very long words here " * 12)
    (description,) = parse_page(client.get("/treatments/peel/").content).meta["description"]
    assert description == "Peel details."


def test_hero_image_feeds_the_link_preview(client, db, settings):
    if not any(f.name == "hero_image" for f in Treatment._meta.get_fields()):
        pytest.skip("Treatment has no hero_image field yet")
    settings.SITE_BASE_URL = BASE
    image = apps.get_model("treatments", "Image").objects.create(
        file="images/cheek.jpg", alt_text="A cheek after treatment", width=1200, height=800
    )
    make_treatment(hero_image=image)
    page = parse_page(client.get("/treatments/peel/").content)
    assert page.meta["og:image"] == [f"{BASE}/media/images/cheek.jpg"]
    assert page.meta["og:image:alt"] == ["A cheek after treatment"]
    assert page.meta["og:image:width"] == ["1200"]
    assert page.meta["twitter:card"] == ["summary_large_image"]
    assert page.node("MedicalWebPage")["primaryImageOfPage"]["url"] == page.meta["og:image"][0]


def test_the_page_shows_when_it_was_last_updated(client, site):
    html = client.get("/treatments/microneedling/").content.decode()
    treatment = Treatment.objects.get(slug="microneedling")
    assert "Last updated" in html
    assert f'<time datetime="{treatment.updated_at:%Y-%m-%d}">' in html


# -- Dead ends -------------------------------------------------------------------------


def _assert_links_onward(page_html: str) -> None:
    assert 'href="/treatments/microneedling/"' in page_html
    assert 'href="/treatments/microneedling/faq/"' in page_html
    assert 'href="/treatments/"' in page_html
    assert "secret-draft" not in page_html


def test_a_missing_page_answers_404_and_links_to_treatments_and_questions(client, site):
    make_treatment("secret-draft", status="draft")
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We cannot find that page" in html
    _assert_links_onward(html)
    page = parse_page(html)
    assert page.meta["robots"] == ["noindex"]
    assert "canonical" not in page.links


def test_a_removed_treatment_answers_410_and_links_onward(client, site):
    make_treatment("secret-draft", status="draft")
    response = client.get("/treatments/retired-peel/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "This page has been removed" in html
    assert 'href="tel:02079460000"' in html
    _assert_links_onward(html)
    assert parse_page(html).meta["robots"] == ["noindex"]
