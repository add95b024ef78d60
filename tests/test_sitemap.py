"""/sitemap.xml and /robots.txt, read the way a crawler reads them."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, reverse
from django.utils import timezone

from tests.conftest import make_treatment, publish
from tests.public_site import build_public_site
from treatments.models import FAQ, Publication, Treatment
from treatments.seo.robots import robots_txt
from treatments.seo.sitemaps import SITEMAPS

pytestmark = pytest.mark.django_db

BASE = "https://clinic.example"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}

# For the test of a moved admin: this module doubles as a URLconf.
urlpatterns = [
    path("staff-desk/", admin.site.urls),
    path("robots.txt", robots_txt),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("", include("treatments.urls")),
]


@pytest.fixture
def site(db, settings):
    settings.SITE_BASE_URL = BASE
    build_public_site()


def _entries(client) -> dict[str, str]:
    """{loc: lastmod} from the sitemap, parsed as XML."""
    response = client.get("/sitemap.xml", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{NS['sm']}}}urlset"
    return {
        url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
        for url in root.findall("sm:url", NS)
    }


def test_sitemap_lists_every_public_page_by_absolute_address(client, site):
    assert set(_entries(client)) == {
        f"{BASE}/",
        f"{BASE}/treatments/",
        f"{BASE}/treatments/microneedling/",
        f"{BASE}/treatments/microneedling/faq/",
        f"{BASE}/about/",
        f"{BASE}/privacy/",
    }


def test_every_address_in_the_sitemap_answers_200(client, site):
    make_treatment("peel", faqs=[("Does it sting?", "A little.")])
    for loc in _entries(client):
        assert loc.startswith(f"{BASE}/")
        assert client.get(loc.removeprefix(BASE)).status_code == 200, loc


def test_drafts_scheduled_pages_and_empty_faq_pages_are_left_out(client, db, settings):
    settings.SITE_BASE_URL = BASE
    make_treatment("live")
    make_treatment("secret-draft", status=Treatment.Status.DRAFT, faqs=[("Q?", "A.")])
    make_treatment("later", publish_at=timezone.now() + datetime.timedelta(days=1))
    locs = set(_entries(client))
    assert f"{BASE}/treatments/live/" in locs
    # "live" has no questions, so its FAQ page is not worth listing.
    assert f"{BASE}/treatments/live/faq/" not in locs
    assert not any("secret-draft" in loc or "later" in loc for loc in locs)


def test_lastmod_is_the_date_the_page_shows_as_last_updated(client, db, settings):
    settings.SITE_BASE_URL = BASE
    treatment = make_treatment("peel", faqs=[("Does it sting?", "A little.")])
    went_live = timezone.make_aware(datetime.datetime(2026, 3, 4, 23, 30))
    Publication.objects.of(treatment).update(live_from=went_live)

    entries = _entries(client)
    assert entries[f"{BASE}/treatments/peel/"] == "2026-03-04"
    assert entries[f"{BASE}/treatments/peel/faq/"] == "2026-03-04"
    assert entries[f"{BASE}/"] == "2026-03-04"
    html = client.get("/treatments/peel/").content.decode()
    assert '<dt>Last updated</dt><dd><time datetime="2026-03-04">4 March 2026</time>' in html


def test_publishing_a_changed_question_moves_lastmod(client, db, settings):
    settings.SITE_BASE_URL = BASE
    treatment = make_treatment("peel", faqs=[("Does it sting?", "A little.")])
    Publication.objects.of(treatment).update(
        live_from=timezone.now() - datetime.timedelta(days=400)
    )
    faq = FAQ.objects.get(treatment=treatment)
    faq.answer = "A little, for a minute."
    faq.save()
    today = timezone.localdate().isoformat()
    assert _entries(client)[f"{BASE}/treatments/peel/faq/"] != today  # a draft: not yet
    publish(treatment)
    assert _entries(client)[f"{BASE}/treatments/peel/faq/"] == today


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_the_admin(client, db, settings):
    settings.SITE_BASE_URL = BASE
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert f"Disallow: {reverse('admin:index')}" in lines
    assert "Allow: /" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    assert client.get(f"{BASE}/sitemap.xml".removeprefix(BASE)).status_code == 200


@pytest.mark.urls(__name__)
def test_robots_txt_follows_the_admin_when_it_moves(client, db):
    lines = client.get("/robots.txt").content.decode().splitlines()
    assert "Disallow: /staff-desk/" in lines
    assert "Disallow: /admin/" not in lines
