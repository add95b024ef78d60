"""Every public URL through the test client."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.contrib.auth.models import User

from tests.conftest import REPO, make_treatment, publish, sign_off
from tests.ui_site import add_treatments
from treatments.models import Page, Reminder, SiteSettings, Treatment
from treatments.models.section_kinds import SectionKind
from treatments.models.workflow import publish_without_review

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    ["/", "/treatments/", "/treatments/peel/", "/treatments/peel/faq/", "/healthz"],
)
def test_public_urls_answer_200(client, treatment, url):
    assert client.get(url).status_code == 200


def test_home_and_list_link_to_published_treatments_only(client, treatment, draft):
    for url in ("/", "/treatments/"):
        html = client.get(url).content.decode()
        assert 'href="/treatments/peel/"' in html
        assert "secret-draft" not in html


def test_treatment_page_shows_every_section_in_order_under_one_h1(client, treatment):
    html = client.get("/treatments/peel/").content.decode()
    assert html.count("<h1") == 1
    ids = re.findall(r'<h2 id="([a-z-]+)"', html)
    # After the questions: "Is this right for me?" with the way to book, "Is this page
    # helpful?", then the clinic's details in the footer.
    assert ids == [
        "toc-heading",
        *[kind.anchor for kind in SectionKind],
        "questions",
        "right-for-me",
        "feedback-heading",
        "clinic-contact",
    ]
    for kind in SectionKind:
        assert f'<a href="#{kind.anchor}">{kind.label}</a>' in html
        assert f"Text about {kind.label.lower()}." in html


def test_empty_sections_are_left_out(client):
    make_treatment(sections={"overview": "Hello.", "risks": ""})
    html = client.get("/treatments/peel/").content.decode()
    assert 'id="overview"' in html
    assert 'id="risks"' not in html


def test_treatment_page_links_its_top_questions_to_the_faq_page(client, treatment):
    html = client.get("/treatments/peel/").content.decode()
    assert 'href="/treatments/peel/faq/#does-it-hurt"' in html
    assert 'href="/treatments/peel/faq/"' in html


def test_faq_page_shows_each_question_as_a_heading_with_its_answer(client, treatment):
    html = client.get("/treatments/peel/faq/").content.decode()
    assert '<h2 id="does-it-hurt">Does it hurt?</h2>' in html
    assert "<p>It can sting a little.</p>" in html
    assert html.count("<h1") == 1


def test_without_a_sign_off_the_page_says_no_clinician_has_checked_it(client, treatment):
    html = client.get("/treatments/peel/").content.decode()
    assert "This page has not yet been checked by a clinician" in html
    assert "Reviewed by" not in html
    assert "Page last reviewed" not in html
    assert "Next review due" not in html


def test_review_dates_come_only_from_a_recorded_sign_off(client, treatment):
    sign_off(treatment)
    html = client.get("/treatments/peel/").content.decode()
    assert "not yet been checked by a clinician" not in html
    assert "Page last reviewed" in html
    assert "1 November 2026" in html
    assert "Next review due" in html
    assert "1 November 2027" in html
    assert "Reviewed by" in html
    assert "Dr Test, Consultant dermatologist" in html


@pytest.mark.parametrize("url", ["/treatments/secret-draft/", "/treatments/secret-draft/faq/"])
def test_drafts_answer_404_to_the_public(client, draft, url):
    assert client.get(url).status_code == 404


def test_unknown_treatment_answers_404(client, db):
    response = client.get("/treatments/no-such-thing/")
    assert response.status_code == 404
    assert b"We cannot find that page" in response.content


def test_staff_see_drafts_with_a_banner_and_no_caching(client, draft):
    staff = User.objects.create_user("editor", password="pw", is_staff=True)
    client.force_login(staff)
    response = client.get("/treatments/secret-draft/")
    assert response.status_code == 200
    assert b"<strong>Draft</strong>" in response.content
    assert "no-cache" in response["Cache-Control"]
    assert "private" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_logged_in_non_staff_do_not_see_drafts(client, draft):
    client.force_login(User.objects.create_user("patient", password="pw"))
    assert client.get("/treatments/secret-draft/").status_code == 404


def test_published_pages_have_no_draft_banner(client, treatment):
    assert b"Draft" not in client.get("/treatments/peel/").content


def test_pages_refuse_post(client, treatment):
    assert client.post("/treatments/peel/").status_code == 405


def test_canonical_link_is_absolute_from_site_base_url(client, treatment, settings):
    settings.SITE_BASE_URL = "https://clinic.example"
    html = client.get("/treatments/peel/", HTTP_HOST="127.0.0.1").content.decode()
    assert '<link rel="canonical" href="https://clinic.example/treatments/peel/">' in html


def test_healthz_says_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


def test_healthz_answers_503_when_the_database_does_not(tmp_path):
    """A real unreachable database, in a separate process: a directory is not a database file."""
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code, r.content.decode().strip())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic_site.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/db.sqlite3",
        # Logs are JSON lines on stdout; this test reads stdout for the answer alone.
        "DJANGO_LOG_LEVEL": "CRITICAL",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.strip() == "503 database unavailable", result.stderr


def test_a_renamed_treatment_redirects_permanently_from_its_old_address(client, treatment):
    treatment.slug = "chemical-peel"
    treatment.save()
    # Until the renamed page goes live, patients keep the page they had.
    assert client.get("/treatments/peel/").status_code == 200
    assert client.get("/treatments/chemical-peel/").status_code == 404
    publish(treatment)
    for old, new in [
        ("/treatments/peel/", "/treatments/chemical-peel/"),
        ("/treatments/peel/faq/", "/treatments/chemical-peel/faq/"),
    ]:
        response = client.get(old)
        assert response.status_code == 301
        assert response["Location"] == new


def test_a_deleted_treatment_answers_410_gone(client, treatment):
    treatment.delete()
    response = client.get("/treatments/peel/")
    assert response.status_code == 410
    assert b"This page has been removed" in response.content


def test_reusing_a_former_address_makes_it_live_again(client, treatment):
    treatment.delete()
    make_treatment("peel", title="New peel")
    response = client.get("/treatments/peel/")
    assert response.status_code == 200
    assert b"New peel" in response.content


def test_an_old_address_of_a_draft_is_not_revealed(client, draft):
    draft.slug = "renamed-draft"
    draft.save()
    assert client.get("/treatments/secret-draft/").status_code == 404


def test_site_pages_are_served_at_their_slug(client, db):
    page = Page.objects.create(
        title="About this information", slug="about", description="d", body="## Who\n\nUs."
    )
    assert client.get("/about/").status_code == 404
    publish_without_review(page, None)
    response = client.get("/about/")
    assert response.status_code == 200
    assert b'<h2 id="who">Who</h2>' in response.content
    assert client.get("/no-such-page/").status_code == 404


def test_clinic_details_come_from_site_settings(client, treatment):
    SiteSettings.objects.create(clinic_name="Riverside Skin", phone="020 7946 0000")
    html = client.get("/treatments/peel/").content.decode()
    assert "Riverside Skin" in html
    assert '<a href="tel:02079460000">020 7946 0000</a>' in html


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/treatments/",
        "/treatments/peel/",
        "/treatments/peel/faq/",
        "/treatments/peel/before/",
        "/search/?q=peel",
    ],
)
def test_anonymous_pages_set_no_cookie_and_do_not_vary_on_cookie(client, treatment, url):
    response = client.get(url)
    assert response.status_code == 200
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_sources_are_listed_at_the_end_and_cited_as_creative_works(client, treatment):
    treatment.sources.create(
        key="fda",
        title="Microneedling Devices",
        publisher="US Food and Drug Administration",
        year=2024,
        url="https://www.fda.gov/medical-devices/aesthetic-cosmetic-devices/microneedling-devices",
    )
    publish(treatment)
    for url in ("/treatments/peel/", "/treatments/peel/faq/"):
        html = client.get(url).content.decode()
        assert '<h2 id="sources">Sources</h2>' in html
        assert '<li id="source-fda">US Food and Drug Administration (2024).' in html
    detail = client.get("/treatments/peel/").content.decode()
    assert '<a href="#sources">Sources</a>' in detail
    graph = json.loads(re.search(r'application/ld\+json">(.*?)</script>', detail).group(1))
    page = next(node for node in graph["@graph"] if node["@type"] == "MedicalWebPage")
    assert page["citation"] == [
        {
            "@type": "CreativeWork",
            "name": "Microneedling Devices",
            "publisher": {"@type": "Organization", "name": "US Food and Drug Administration"},
            "datePublished": "2024",
            "url": "https://www.fda.gov/medical-devices/aesthetic-cosmetic-devices/microneedling-devices",
        }
    ]


# -- Home: search, the guides with their quick facts, the clinic ------------------------


def test_home_has_search_the_guides_with_their_facts_and_the_clinic(client, db):
    make_treatment(duration="About 1 hour", downtime="A day or two", numbing="Cream first")
    SiteSettings.objects.create(
        clinic_name="Riverside Skin", phone="020 7946 0000", address="1 River Street"
    )
    html = client.get("/").content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert '<form class="search-form" action="/search/" method="get" role="search">' in main
    assert '<input id="home-search" name="q" type="search"' in main
    card = main[main.index('<li class="card">') :]
    assert "<dt>How long it takes</dt><dd>About 1 hour</dd>" in card
    assert "<dt>Downtime</dt><dd>A day or two</dd>" in card
    # Numbing is on the treatment page; a card keeps to what people compare.
    assert "Cream first" not in card
    assert '<a href="tel:02079460000">020 7946 0000</a>' in main
    assert "1 River Street" in main
    # The details are in the page once, not again in its footer.
    assert "1 River Street" not in html[html.index('<footer class="site-footer">') :]


def test_home_shows_the_first_guides_and_links_to_the_rest(client, db):
    for n in range(13):
        make_treatment(f"treatment-{n:02d}", sections={})
    html = client.get("/").content.decode()
    assert html.count('<li class="card">') == 12
    assert "treatment-11/" in html
    assert "treatment-12/" not in html
    assert '<a href="/treatments/">See all our treatments</a>' in html


def test_home_with_twelve_guides_has_no_see_all_link(client, db):
    for n in range(12):
        make_treatment(f"treatment-{n:02d}", sections={})
    assert "See all our treatments" not in client.get("/").content.decode()


# -- The list of treatments, 20 to a page ----------------------------------------------


@pytest.fixture
def forty_five(db):
    add_treatments(45)
    make_treatment("zz-draft", status=Treatment.Status.DRAFT)


def _slugs(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/treatments/([a-z0-9-]+)/">', html)


def test_the_list_is_20_treatments_a_page_in_order(client, forty_five, settings):
    settings.SITE_BASE_URL = "https://clinic.example"
    pages = [client.get("/treatments/", {"page": n} if n > 1 else {}) for n in (1, 2, 3)]
    slugs = [_slugs(page.content.decode()) for page in pages]
    assert [len(s) for s in slugs] == [20, 20, 5]
    assert [slug for page in slugs for slug in page] == [
        f"sample-treatment-{n:04d}" for n in range(45)
    ]

    first, second, last = (page.content.decode() for page in pages)
    assert '<link rel="canonical" href="https://clinic.example/treatments/">' in first
    assert '<link rel="next" href="/treatments/?page=2">' in first
    assert 'rel="prev"' not in first
    assert "<title>All treatments |" in first
    assert "Page 1 of 3. We explain 45 treatments" in first

    assert '<link rel="canonical" href="https://clinic.example/treatments/?page=2">' in second
    assert '<meta property="og:url" content="https://clinic.example/treatments/?page=2">' in second
    assert '<link rel="prev" href="/treatments/">' in second
    assert '<link rel="next" href="/treatments/?page=3">' in second
    assert '<a href="/treatments/" rel="prev">Previous page</a>' in second
    assert '<a href="/treatments/?page=3" rel="next">Next page</a>' in second
    assert "All treatments, page 2 of 3" in second

    assert '<link rel="prev" href="/treatments/?page=2">' in last
    assert 'rel="next"' not in last
    assert "zz-draft" not in first + second + last


@pytest.mark.parametrize("page", ["4", "0", "-1", "01", "two", "", "9999999"])
def test_a_page_past_the_end_or_not_a_number_is_not_found(client, forty_five, page):
    assert client.get("/treatments/", {"page": page}).status_code == 404


def test_a_short_list_has_one_page_and_no_pager(client, treatment):
    html = client.get("/treatments/").content.decode()
    assert 'class="pager"' not in html
    assert "Page 1 of" not in html
    assert client.get("/treatments/?page=1").status_code == 200
    assert client.get("/treatments/?page=2").status_code == 404


def test_an_empty_list_says_so(client, db):
    response = client.get("/treatments/")
    assert response.status_code == 200
    assert b"No treatment pages are published yet." in response.content


def test_at_1000_treatments_each_page_of_the_list_stays_under_50_kb(client, db):
    # Summaries at the longest the field allows: the heaviest a page of the list can be.
    add_treatments(1000, summary="A skin treatment that helps your skin repair itself. " * 7)
    sizes = [len(client.get("/treatments/", {"page": n}).content) for n in (1, 25, 50)]
    assert max(sizes) < 50_000, sizes
    assert client.get("/treatments/", {"page": 51}).status_code == 404
    # The sitemap still lists every one of them.
    assert client.get("/sitemap.xml").content.count(b"<loc>") >= 1000


def test_a_later_page_costs_a_fixed_number_of_queries(client, forty_five):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    # One page of treatments with the total beside each row and the site settings: no
    # separate count. The first page of a generation of publications also reads when
    # the next one goes live and which site pages are public (the footer links them).
    assert count("/treatments/?page=2") == 4
    assert count("/treatments/?page=3") == 2


# -- The treatment page: contents first, a way back to them, answers, timeline ----------


def test_the_contents_come_before_the_quick_facts_and_the_first_section(client, db):
    make_treatment(duration="About 1 hour", faqs=[("Does it hurt?", "A little.")])
    html = client.get("/treatments/peel/").content.decode()
    contents = html.index('<nav class="toc" id="contents"')
    assert contents < html.index('class="glance"') < html.index('id="overview"')
    assert contents < html.index('class="jump-to-book"')


def test_each_section_ends_with_a_link_back_to_the_contents(client, treatment):
    html = client.get("/treatments/peel/").content.decode()
    sections = html.split('<section class="section"')[1:]
    assert len(sections) == len(SectionKind) + 1  # and the questions
    for section in sections:
        body = section[: section.index("</section>")]
        assert body.rstrip().endswith('<a href="#contents">Back to contents</a></p>')


def test_the_contents_lead_to_every_answer(client, treatment):
    html = client.get("/treatments/peel/").content.decode()
    contents = html[html.index('id="contents"') : html.index("</nav>", html.index('id="contents"'))]
    assert '<a href="#questions">Common questions</a>' in contents
    assert '<a href="/treatments/peel/faq/">All 2 answers</a>' in contents


@pytest.fixture
def with_reminders(treatment):
    for days, title in [(28, "Next session may be due"), (1, "Makeup again"), (3, "Acids")]:
        Reminder.objects.create(treatment=treatment, after_days=days, title=title)
    publish(treatment)
    return treatment


def _timeline(html: str) -> str:
    return html[html.index('<figure class="timeline">') : html.index("</figure>")]


def test_the_recovery_timeline_is_drawn_from_the_aftercare_reminders(client, with_reminders):
    html = client.get("/treatments/peel/").content.decode()
    aftercare = html[html.index('id="aftercare"') : html.index('id="risks"')]
    timeline = _timeline(aftercare)
    stages = re.findall(r'<p class="timeline-when">([^<]+)</p>', timeline)
    assert stages == ["Day 0", "Day 1", "Days 2-3", "Weeks 4-12"]
    assert "<li>Makeup again</li>" in timeline
    assert "<li><strong>Day 3:</strong> Acids</li>" in timeline
    assert "<li><strong>Day 28:</strong> Next session may be due</li>" in timeline
    assert 'href="/treatments/peel/aftercare/#reminders"' in timeline


def test_the_timeline_follows_the_reminders_when_staff_change_them(client, with_reminders):
    with_reminders.reminders.filter(after_days=28).update(after_days=7, title="Sunscreen")
    publish(with_reminders)
    timeline = _timeline(client.get("/treatments/peel/").content.decode())
    assert "Weeks 4-12" not in timeline
    assert "<strong>Day 7:</strong> Sunscreen" in timeline


def test_no_reminders_no_timeline(client, treatment):
    assert "timeline" not in client.get("/treatments/peel/").content.decode()
