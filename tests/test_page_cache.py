"""The full-page cache for anonymous visitors (clinic_site/pagecache/).

Served from the cache: the same bytes, fresh per-response headers, 304 on a matching
ETag, compressed for clients that accept it, and no SQL. Fresh page by page: a save
makes stale the pages that show what changed, and only those, once it commits; through
the ORM, the admin and in another process, also for other gunicorn workers. Safe:
staff, query strings, the admin, cookies, nonces and non-200 answers are never stored.
"""

import datetime
import gzip
import os
import socket
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import brotli
import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import cache_control, never_cache

from clinic_site.pagecache import invalidation, pages, release, versions
from clinic_site.pagecache.conf import page_cache_settings
from clinic_site.pagecache.filecache import FileCache
from clinic_site.settings import environment
from clinic_site.settings.environment import cache_from_url
from tests.admin_forms import form_data
from tests.conftest import CONTENT_DIR, REPO, make_treatment, publish
from treatments.models import FAQ, Image, Page, Reminder, Section, SiteSettings, Treatment
from treatments.models.workflow import publish_without_review
from treatments.models.workflow import take_off_by_import as take_off

pytestmark = pytest.mark.django_db

STATE = pages.STATE_HEADER
EVERY_PAGE = versions.EVERY_PAGE
# Headers set for every response by the middleware outside the page cache.
FRESH_HEADERS = [
    "Content-Security-Policy",
    "Permissions-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Request-ID",
]


def treatment_pages(slug: str) -> list[str]:
    return [f"/treatments/{slug}/{page}" for page in ("", "faq/", "before/", "aftercare/")]


LISTS = ["/", "/treatments/", "/sitemap.xml"]


# -- Views for the rules on what may be stored; this module doubles as a URLconf. -------

BODY = "<!DOCTYPE html><title>t</title><p>" + "Plain words for everyone. " * 20 + "</p>"


def plain(request):
    return HttpResponse(BODY)


def sets_cookie(request):
    response = HttpResponse(BODY)
    response.set_cookie("seen", "1")
    return response


def uses_nonce(request):
    return HttpResponse(f'<script nonce="{get_nonce(request)}"></script>{BODY}')


@cache_control(private=True)
def private(request):
    return HttpResponse(BODY)


@never_cache
def never(request):
    return HttpResponse(BODY)


def varies_on_cookie(request):
    response = HttpResponse(BODY)
    patch_vary_headers(response, ("Cookie",))
    return response


def not_found(request):
    return HttpResponse(BODY, status=404)


# Calls of the view below: it changes its page during its first call only.
MADE = []


def changed_while_made(request):
    """As if an editor's save committed while this page was being made."""
    if not MADE:
        invalidation.pages_changed(request.path)
    MADE.append(request.path)
    return HttpResponse(BODY)


urlpatterns = [
    path("plain/", plain),
    path("cookie/", sets_cookie),
    path("nonce/", uses_nonce),
    path("private/", private),
    path("never/", never),
    path("vary-cookie/", varies_on_cookie),
    path("not-found/", not_found),
    path("changed-while-made/", changed_while_made),
]


def _states(client, url: str, **headers) -> list[str]:
    return [client.get(url, headers=headers).get(STATE, "") for _ in range(2)]


@pytest.mark.urls(__name__)
def test_a_plain_public_page_is_stored_and_served_again():
    assert _states(Client(), "/plain/") == ["miss", "hit"]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    "url", ["/cookie/", "/nonce/", "/private/", "/never/", "/vary-cookie/", "/not-found/"]
)
def test_responses_that_are_not_for_everyone_are_never_stored(url):
    assert _states(Client(), url) == ["miss", "miss"]


@pytest.mark.urls(__name__)
def test_a_nonce_is_new_on_every_response():
    client = Client()
    first, second = client.get("/nonce/"), client.get("/nonce/")
    assert first.content != second.content
    assert first["Content-Security-Policy"] != second["Content-Security-Policy"]


# -- Served from the cache -----------------------------------------------------------


def test_a_stored_page_is_the_same_bytes_with_fresh_headers(client, treatment):
    made = client.get("/treatments/peel/")
    served = client.get("/treatments/peel/")
    assert (made[STATE], served[STATE]) == ("miss", "hit")
    assert served.content == made.content
    for header in FRESH_HEADERS:
        assert served.has_header(header), header
        if header != "X-Request-ID":
            assert served[header] == made[header], header
    assert served["X-Request-ID"] != made["X-Request-ID"]
    assert served["Content-Length"] == str(len(served.content))


@pytest.mark.parametrize("url", ["/treatments/peel/", "/treatments/peel/faq/", "/", "/about/"])
def test_a_stored_page_costs_no_sql(client, treatment, url):
    publish_without_review(
        Page.objects.create(title="About", slug="about", description="d", body="Words."), None
    )
    assert client.get(url)[STATE] == "miss"
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url)[STATE] == "hit"
    assert len(queries) == 0, [query["sql"] for query in queries]


def test_no_cookie_no_session_and_no_vary_on_cookie_for_anonymous_visitors(client, treatment):
    for _ in range(2):
        response = client.get("/treatments/peel/")
        assert not response.cookies
        assert "Cookie" not in response["Vary"]
        assert "Accept-Encoding" in response["Vary"]
    assert not client.cookies


def test_browsers_and_cdns_must_ask_again_and_get_304_until_it_changes(client, treatment):
    response = client.get("/treatments/peel/")
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
    etag = response["ETag"]
    again = client.get("/treatments/peel/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again.has_header("Content-Security-Policy")

    section = treatment.sections.get(kind="overview")
    section.body = "Brand new overview."
    section.save()
    # A saved draft changes nothing patients see, byte for byte, until it goes live.
    assert client.get("/treatments/peel/", headers={"If-None-Match": etag}).status_code == 304
    publish(treatment)
    changed = client.get("/treatments/peel/", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert b"Brand new overview." in changed.content


def test_a_page_made_again_with_the_same_bytes_keeps_its_etag(client, treatment):
    etag = client.get("/treatments/peel/")["ETag"]
    # Every page is stale after the site settings are saved, even unchanged.
    SiteSettings.objects.update_or_create(pk=1)
    response = client.get("/treatments/peel/", headers={"If-None-Match": etag})
    assert response[STATE] == "miss"
    assert response.status_code == 304


def test_page_max_age_lets_browsers_and_cdns_reuse_a_page(client, treatment, settings):
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "MAX_AGE": 120}
    assert client.get("/treatments/peel/")["Cache-Control"] == "public, max-age=120"


@pytest.mark.parametrize(
    ("accept", "encoding", "decompress"),
    [
        ("gzip, deflate, br", "br", brotli.decompress),
        ("gzip, br;q=0", "gzip", gzip.decompress),
        ("gzip", "gzip", gzip.decompress),
        ("", None, bytes),
    ],
)
def test_pages_are_compressed_for_clients_that_accept_it(
    client, treatment, accept, encoding, decompress
):
    plain_bytes = client.get("/treatments/peel/").content
    for _ in range(2):  # made, then stored
        response = client.get("/treatments/peel/", headers={"Accept-Encoding": accept})
        assert response.get("Content-Encoding") == encoding
        assert decompress(response.content) == plain_bytes
        assert response["Content-Length"] == str(len(response.content))
        if encoding:
            assert len(response.content) < len(plain_bytes) / 2
            assert response["ETag"].endswith(f'-{encoding}"')


def test_a_host_django_refuses_is_refused_whatever_is_stored(client, treatment):
    for _ in range(2):
        assert client.get("/treatments/peel/").status_code == 200
    for _ in range(2):
        refused = client.get("/treatments/peel/", headers={"Host": "evil.example"})
        assert refused.status_code == 400
        assert b"Text about overview." not in refused.content


def test_head_is_answered_from_the_stored_page(client, treatment):
    assert client.head("/treatments/peel/")[STATE] == "miss"
    assert client.head("/treatments/peel/")[STATE] == "miss"  # a HEAD stores nothing
    body = client.get("/treatments/peel/").content
    response = client.head("/treatments/peel/")
    assert response[STATE] == "hit"
    assert response["Content-Length"] == str(len(body))


# -- Never stored, never compressed when it could carry a secret -----------------------


@pytest.fixture
def staff_client(db):
    staff = Client()
    staff.force_login(User.objects.create_superuser("sam", "sam@example.com", "pw"))
    return staff


def test_staff_are_never_served_or_stored_pages(client, staff_client, treatment, draft):
    client.get("/treatments/peel/")
    assert client.get("/treatments/peel/")[STATE] == "hit"
    response = staff_client.get("/treatments/peel/", headers={"Accept-Encoding": "gzip"})
    assert not response.has_header(STATE)
    assert not response.has_header("Content-Encoding")
    draft_page = staff_client.get("/treatments/secret-draft/")
    assert draft_page.status_code == 200
    assert "no-store" in draft_page["Cache-Control"]
    assert client.get("/treatments/secret-draft/").status_code == 404


def test_the_admin_and_the_health_check_are_never_cached_or_compressed(staff_client, client):
    for url in (reverse("admin:index"), reverse("admin:treatments_treatment_changelist")):
        response = staff_client.get(url, headers={"Accept-Encoding": "gzip, br"})
        assert response.status_code == 200
        assert not response.has_header(STATE)
        assert not response.has_header("Content-Encoding")
    login = client.get(reverse("admin:login"), headers={"Accept-Encoding": "gzip, br"})
    assert not login.has_header(STATE)
    assert not login.has_header("Content-Encoding")
    health = client.get("/healthz")
    assert not health.has_header(STATE)


def test_search_stays_live_and_is_compressed(client, treatment):
    response = client.get("/search/?q=peel", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert not response.has_header(STATE)
    assert response["Content-Encoding"] == "gzip"
    assert b"Peel" in gzip.decompress(response.content)
    treatment.title = "Glow peel"
    treatment.save()
    publish(treatment)
    assert b"Glow peel" in client.get("/search/?q=peel").content


def test_redirects_gone_and_missing_pages_are_not_stored(client, treatment):
    treatment.slug = "chemical-peel"
    treatment.save()
    publish(treatment)
    make_treatment("retired").delete()
    for url, status in [
        ("/treatments/peel/", 301),
        ("/treatments/retired/", 410),
        ("/treatments/nothing/", 404),
    ]:
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == status
            assert response.get(STATE) == "miss"


def test_in_front_of_a_shared_cache_each_process_keeps_pages_in_memory_too(
    client, treatment, settings, tmp_path
):
    # A cache in files stands in for Redis: anything but this process's memory.
    settings.CACHES = {**settings.CACHES, "default": cache_from_url(f"file://{tmp_path}")}
    local_cache = caches[settings.PAGE_CACHE["LOCAL_CACHE"]]
    assert client.get("/treatments/peel/")[STATE] == "miss"
    # Three encodings of the page, its two versions, and the generation of what
    # patients may read (search.freshness), which the footer's links are read under.
    assert len(list(tmp_path.iterdir())) == 6
    assert client.get("/treatments/peel/")[STATE] == "hit"  # from this process's memory

    local_cache.clear()
    assert client.get("/treatments/peel/")[STATE] == "hit"  # from the shared cache
    assert client.get("/treatments/peel/")[STATE] == "hit"  # and kept in memory again

    section = treatment.sections.get(kind="overview")
    section.body = "Changed on another server."
    section.save()
    publish(treatment)
    changed = client.get("/treatments/peel/")
    assert changed[STATE] == "miss"
    assert b"Changed on another server." in changed.content
    assert client.get("/treatments/peel/")[STATE] == "hit"


def test_a_cache_that_fails_is_bypassed(client, treatment, settings, caplog):
    # Nothing listens on port 1: every call to the shared cache fails at once.
    settings.CACHES = {**settings.CACHES, "default": cache_from_url("redis://127.0.0.1:1/0")}
    for _ in range(2):
        response = client.get("/treatments/peel/")
        assert response.status_code == 200
        assert response[STATE] == "bypass"
        assert b"Text about overview." in response.content
    assert "Page cache unavailable" in caplog.text


def test_a_change_the_cache_could_not_be_told_is_told_before_the_next_page(
    client, treatment, page_cache, monkeypatch, caplog
):
    assert client.get("/treatments/peel/")[STATE] == "miss"
    working_delete_many = page_cache.delete_many

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(page_cache, "delete_many", down)
    treatment.title = "Glow peel"
    treatment.save()
    publish(treatment)  # the publication goes through; the cache is not told
    assert "not marked stale yet" in caplog.text
    monkeypatch.setattr(page_cache, "delete_many", working_delete_many)

    response = client.get("/treatments/peel/")
    assert response[STATE] == "miss"
    assert b"Glow peel" in response.content


# -- Fresh page by page ---------------------------------------------------------------


def test_a_publication_through_the_orm_is_seen_at_once(client, treatment):
    assert b"Does it hurt?" in client.get("/treatments/peel/faq/").content
    faq = treatment.faqs.get(position=1)
    faq.question = "Will it sting?"
    faq.save()
    assert b"Will it sting?" not in client.get("/treatments/peel/faq/").content
    publish(treatment)
    assert b"Will it sting?" in client.get("/treatments/peel/faq/").content


def test_a_save_leaves_the_pages_of_other_treatments_stored(client, treatment):
    other = make_treatment("other")
    urls = [*treatment_pages("peel"), *treatment_pages("other"), *LISTS]
    for url in urls:
        client.get(url)
    assert {url: client.get(url)[STATE] for url in urls} == dict.fromkeys(urls, "hit")

    section = other.sections.get(kind="overview")
    section.body = "New words about the other one."
    section.save()
    # A draft: patients see nothing new, so every page stays stored.
    assert {url: client.get(url)[STATE] for url in urls} == dict.fromkeys(urls, "hit")
    publish(other)
    states = {url: client.get(url)[STATE] for url in urls}
    assert states == {
        **dict.fromkeys(treatment_pages("peel"), "hit"),
        **dict.fromkeys(treatment_pages("other"), "miss"),
        **dict.fromkeys(LISTS, "miss"),
    }
    assert b"New words about the other one." in client.get("/treatments/other/").content


def test_a_renamed_treatment_is_stale_at_both_addresses(client, treatment):
    assert client.get("/treatments/peel/")[STATE] == "miss"
    assert client.get("/treatments/chemical-peel/").status_code == 404
    treatment.slug = "chemical-peel"
    treatment.save()
    publish(treatment)
    assert client.get("/treatments/peel/").status_code == 301
    renamed = client.get("/treatments/chemical-peel/")
    assert renamed.status_code == 200
    assert renamed[STATE] == "miss"


def test_site_settings_and_pages_are_seen_at_once(client, treatment):
    page = Page.objects.create(title="About", slug="about", description="d", body="Old words.")
    publish_without_review(page, None)
    client.get("/treatments/peel/"), client.get("/about/")
    SiteSettings.objects.update_or_create(pk=1, defaults={"clinic_name": "Riverside Skin"})
    page.body = "New words."
    page.save()
    publish_without_review(page, None)
    assert b"Riverside Skin" in client.get("/treatments/peel/").content
    assert b"New words." in client.get("/about/").content


def test_a_version_the_cache_lost_counts_as_changed(client, treatment, page_cache):
    url = "/treatments/peel/"
    for lost in (url, EVERY_PAGE):
        client.get(url)
        assert client.get(url)[STATE] == "hit"
        page_cache.delete(versions.version_key(lost))
        assert client.get(url)[STATE] == "miss", lost


@pytest.mark.urls(__name__)
def test_a_change_while_the_page_is_made_leaves_that_page_stale():
    MADE.clear()
    client = Client()
    states = [client.get("/changed-while-made/")[STATE] for _ in range(3)]
    # The first copy carries the versions read before the change: stale when stored.
    assert states == ["miss", "miss", "hit"]


def test_a_scheduled_treatment_appears_when_its_time_comes(client, treatment, monkeypatch):
    later = timezone.now() + datetime.timedelta(seconds=90)
    make_treatment("later", title="Later peel", publish_at=later)
    assert b"Later peel" not in client.get("/treatments/").content
    # The list stored now expires when the treatment goes live, which no save announces.
    assert pages.stored_seconds() <= 90
    monkeypatch.setattr(timezone, "now", lambda: later + datetime.timedelta(seconds=1))
    assert pages.stored_seconds() > 90


def test_pages_are_kept_until_midnight_at_most(db, monkeypatch):
    # A fake clock five minutes before midnight, London time.
    before_midnight = datetime.datetime(2026, 11, 29, 23, 55, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: before_midnight)
    assert pages.stored_seconds() == 5 * 60


def test_a_new_release_does_not_serve_the_old_releases_pages(tmp_path, settings):
    template_dir = tmp_path / "templates"
    template_dir.mkdir()
    (template_dir / "page.html").write_text("old")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [template_dir]}]
    before = release.release_fingerprint.__wrapped__()
    (template_dir / "page.html").write_text("new")
    assert release.release_fingerprint.__wrapped__() != before


# -- What each change makes stale, on commit -------------------------------------------


def _versions(paths) -> dict[str, str | None]:
    cache = caches[page_cache_settings().cache]
    return {path: cache.get(versions.version_key(path)) for path in paths}


def _stale_after(change, paths) -> set[str]:
    """The pages among ``paths`` whose versions ``change`` deleted (every page has one
    before it)."""
    cache = caches[page_cache_settings().cache]
    cache.set_many({versions.version_key(path): "before" for path in paths}, timeout=None)
    change()
    return {path for path, token in _versions(paths).items() if token is None}


@pytest.fixture
def marked(monkeypatch) -> list[set[str]]:
    """Every call that marked pages stale, as the set of pages it marked."""
    seen = []
    real_mark_stale = versions.mark_stale

    def spy(pages):
        seen.append(set(pages))
        real_mark_stale(pages)

    monkeypatch.setattr(versions, "mark_stale", spy)
    return seen


@pytest.mark.django_db(transaction=True)
class TestChangesMakeTheirPagesStaleOnCommit:
    """Real commits here: pages go stale after them, each once per transaction."""

    def test_each_kind_of_content_makes_the_pages_that_show_it_stale(self):
        peel = make_treatment("peel", faqs=[("Q?", "A.")])
        make_treatment("other")
        about = Page.objects.create(title="About", slug="about", description="d", body="b")
        paths = [*treatment_pages("peel"), *treatment_pages("other"), *LISTS]
        paths += [*treatment_pages("chemical-peel"), "/about/", "/about-us/", EVERY_PAGE]
        peel_and_lists = {*treatment_pages("peel"), *LISTS}

        publish_without_review(about, None)

        def rename_page():
            about.slug = "about-us"
            about.save()
            publish_without_review(about, None)

        def rename_treatment():
            peel.slug = "chemical-peel"
            peel.save()
            publish(peel)

        changes = [
            # Drafts: the working rows change, what patients read does not.
            (lambda: Treatment.objects.get(pk=peel.pk).save(), set()),
            (lambda: Section.objects.filter(treatment=peel).first().save(), set()),
            (lambda: FAQ.objects.get(treatment=peel).save(), set()),
            (lambda: Reminder.objects.create(treatment=peel, after_days=1, title="Makeup"), set()),
            (lambda: Reminder.objects.all().delete(), set()),
            # Publications: their pages, and the lists.
            (lambda: publish(peel), peel_and_lists),
            (lambda: take_off(peel), peel_and_lists),
            # A site page: every page, whose footer links the public site pages.
            (rename_page, {EVERY_PAGE}),
            (rename_treatment, peel_and_lists | set(treatment_pages("chemical-peel"))),
            (
                lambda: SiteSettings.objects.update_or_create(pk=1, defaults={"phone": "1"}),
                {EVERY_PAGE},
            ),
            (
                lambda: Image.objects.create(file="images/x.webp", alt_text="x", width=1, height=1),
                {EVERY_PAGE},
            ),
        ]
        for change, stale in changes:
            assert _stale_after(change, paths) == stale

    def test_deleting_a_treatment_makes_its_pages_and_the_lists_stale(self):
        peel = make_treatment("peel", faqs=[("Q?", "A.")])
        make_treatment("other")
        paths = [*treatment_pages("peel"), *treatment_pages("other"), *LISTS, EVERY_PAGE]
        assert _stale_after(peel.delete, paths) == {*treatment_pages("peel"), *LISTS}

    def test_not_before_the_commit_and_each_page_once(self, marked):
        treatment = make_treatment("peel")
        marked.clear()
        caches[page_cache_settings().cache].set(versions.version_key("/treatments/peel/"), "t")
        with transaction.atomic():
            treatment.title = "Glow peel"
            treatment.save()  # in a savepoint of its own
            for section in treatment.sections.all():
                section.body += " More."
                section.save()
            with transaction.atomic():
                FAQ.objects.create(treatment=treatment, question="Q?", answer="A.")
            publish(treatment)
            publish(treatment)
            assert marked == []
            assert _versions(["/treatments/peel/"]) == {"/treatments/peel/": "t"}
        assert _versions(["/treatments/peel/"]) == {"/treatments/peel/": None}
        stale = [page for pages in marked for page in pages]
        assert sorted(stale) == sorted({*treatment_pages("peel"), *LISTS})

    def test_never_for_a_change_that_is_rolled_back(self, marked):
        treatment = make_treatment("peel")
        marked.clear()

        def change_then_fail():
            with transaction.atomic():
                treatment.title = "Never seen"
                treatment.save()
                publish(treatment)
                raise RuntimeError

        with pytest.raises(RuntimeError):
            change_then_fail()
        assert marked == []

    def test_a_savepoint_that_rolls_back_takes_its_pages_with_it(self, marked):
        peel, other = make_treatment("peel"), make_treatment("other")
        marked.clear()
        with transaction.atomic():
            publish(other)
            try:
                with transaction.atomic():
                    peel.title = "Never seen"
                    peel.save()
                    publish(peel)
                    raise RuntimeError
            except RuntimeError:
                pass
        stale = {page for pages in marked for page in pages}
        assert stale == {*treatment_pages("other"), *LISTS}

    def test_migrate_makes_every_page_stale(self, marked):
        # Deploys and restores of a backup run it: content may have changed unseen.
        call_command("migrate", "--no-input", verbosity=0)
        assert {EVERY_PAGE} in marked

    def test_an_edit_in_the_admin_is_seen_at_once(self, client):
        treatment = make_treatment("peel", faqs=[("Does it hurt?", "It can sting.")])
        assert b"It can sting." in client.get("/treatments/peel/faq/").content
        assert client.get("/treatments/peel/faq/")[STATE] == "hit"

        staff = Client()
        staff.force_login(User.objects.create_superuser("sam", "sam@example.com", "pw"))
        url = reverse("admin:treatments_treatment_change", args=[treatment.pk])
        data = form_data(staff.get(url).content.decode(), "treatment_form")
        data["faqs-0-answer"] = "Like a mild sunburn."
        data["_publish"] = "Save and publish now, without review"
        assert staff.post(url, data).status_code == 302

        response = client.get("/treatments/peel/faq/")
        assert response[STATE] == "miss"
        assert b"Like a mild sunburn." in response.content


# Models of the app whose rows no stored page shows, and why.
DRAFT = "the working copy: patients read its publication, made when it goes live"
NOT_WATCHED = {
    "treatments.FormerSlug": "a former address answers 301 or 410, which is never stored",
    "treatments.Treatment": DRAFT,
    "treatments.Section": DRAFT,
    "treatments.FAQ": DRAFT,
    "treatments.Reminder": DRAFT,
    "treatments.Source": DRAFT,
    "treatments.Page": DRAFT,
    "treatments.SignOff": "kept as made; the publication that shows one is saved to point at it",
    "treatments.StaffProfile": "a sign-off copies the reviewer's name and title when it is made",
    "treatments.ReviewRequest": "staff-only: the review queue",
    "treatments.ReviewEvent": "staff-only: the review trail",
    # Search results pages carry a query string (/search/?q=), which the page cache
    # never stores; search keeps its own results cache (public/search/freshness.py).
    "treatments.SearchEntry": "made from publications; shown only on /search/?q=",
    "treatments.SearchWord": "read only for 'Did you mean' on /search/?q=",
    "treatments.SearchSynonym": "changes only what /search/?q= finds",
    "treatments.Feedback": "staff-only: patients' answers, shown on no public page",
    "treatments.UnansweredSearch": "staff-only: search counts, shown on no public page",
}


def test_every_model_public_pages_show_is_watched(settings):
    """A new model (a publication, a source) must be watched or listed here, knowingly."""
    labels = {model._meta.label for model in apps.get_app_config("treatments").get_models()}
    assert labels == set(settings.PAGE_CACHE["WATCH"]) | set(NOT_WATCHED)


# -- More than one process -------------------------------------------------------------


def _get(url: str) -> tuple[str, bytes]:
    # A generous timeout: the request waits in the listening socket's queue until a
    # worker has started.
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.headers[STATE], response.read()


class _HeldRequest:
    """A request sent but for its last line. The gunicorn worker that accepted it waits
    for the rest, so a request made meanwhile is answered by another worker."""

    def __init__(self, port: int, path: str):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n".encode())

    def finish(self) -> tuple[str, bytes]:
        self.sock.sendall(b"\r\n")
        answer = b""
        while chunk := self.sock.recv(65536):
            answer += chunk
        self.sock.close()
        head, _, body = answer.partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in head.decode("latin-1").split("\r\n")[1:])
        return headers[STATE], body


def _from_both_workers(port: int, url: str) -> list[tuple[str, bytes]]:
    """The page from each of two gunicorn workers: first from the one a held request
    keeps waiting, then from the other."""
    held = _HeldRequest(port, urllib.parse.urlsplit(url).path)
    other = _get(url)
    return [other, held.finish()]


def test_an_edit_in_another_process_reaches_every_gunicorn_worker_at_once(tmp_path):
    """gunicorn with two workers, as production runs it, on a socket this test listens
    on (so requests wait for the workers instead of the test polling); the edit is made
    by a third process through the ORM. The workers share the cache folder (the
    default kind of cache) or, when CACHE_URL says so, Redis."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    cache_url = os.environ.get("CACHE_URL") or ""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic_site.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "CACHE_URL": cache_url if cache_url.startswith("redis") else f"file://{tmp_path}/cache",
        "DJANGO_LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"fd://{listener.fileno()}",
        "WEB_CONCURRENCY": "2",
    }
    python = sys.executable

    def manage(*args: str) -> None:
        subprocess.run([python, "manage.py", *args], cwd=REPO, env=env, check=True, timeout=120)

    manage("migrate", "--no-input", "--verbosity", "0")
    manage("import_content", str(CONTENT_DIR), "--verbosity", "0")
    server = subprocess.Popen(
        [str(Path(python).parent / "gunicorn"), "-c", "clinic_site/gunicorn.conf.py",
         "clinic_site.wsgi"],
        cwd=REPO, env=env, pass_fds=[listener.fileno()],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    listener.close()
    url = f"http://127.0.0.1:{port}/treatments/microneedling/"
    try:
        made = _get(url)
        assert made[0] == "miss"
        # Made once for both: each worker finds the other's page in the shared cache.
        assert _from_both_workers(port, url) == [("hit", made[1])] * 2
        assert b"Added by another process." not in made[1]

        edit = (
            "import django; django.setup()\n"
            "from treatments.models import Section\n"
            "from treatments.models.workflow import publish_without_review\n"
            "section = Section.objects.get(treatment__slug='microneedling', kind='overview')\n"
            "section.body += '\\n\\nAdded by another process.'\n"
            "section.save()\n"
            "publish_without_review(section.treatment, None)\n"
        )
        subprocess.run([python, "-c", edit], cwd=REPO, env=env, check=True, timeout=60)

        # Both workers hold the old page in their own memory; both check the versions
        # in the shared cache: the first makes the page again, the second is served it.
        after = _from_both_workers(port, url)
        assert [state for state, _ in after] == ["miss", "hit"]
        assert all(b"Added by another process." in body for _, body in after)
    finally:
        server.terminate()
        server.wait(timeout=30)


# -- Settings -----------------------------------------------------------------------------


def test_the_cache_comes_from_cache_url():
    default = cache_from_url(environment.DEFAULT_CACHE_URL)
    assert default["BACKEND"] == "clinic_site.pagecache.filecache.FileCache"
    assert default["LOCATION"] == str(environment.VAR_DIR / "cache")
    assert cache_from_url("file:///srv/clinic/cache")["LOCATION"] == "/srv/clinic/cache"
    assert cache_from_url("locmem://")["BACKEND"].endswith("LocMemCache")
    redis = cache_from_url("redis://10.0.0.5:6379/2")
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["LOCATION"] == "redis://10.0.0.5:6379/2"
    assert cache_from_url("dummy://")["BACKEND"].endswith("DummyCache")
    for wrong in ("memcached://x", "file://var/cache", "file:cache"):
        with pytest.raises(ImproperlyConfigured):
            cache_from_url(wrong)


# -- The default store: a folder of files -------------------------------------------------


def _file_cache(folder: Path, **options) -> FileCache:
    return FileCache(str(folder), {"OPTIONS": options})


def test_the_file_cache_keeps_values_for_every_process_until_they_expire(tmp_path):
    # Two instances on one folder: two processes of one machine.
    one, other = _file_cache(tmp_path), _file_cache(tmp_path)
    one.set_many({"a": ("page", b"\x00" * 70_000), "b": "token"}, timeout=None)
    assert other.get_many(["a", "b", "c"]) == {"a": ("page", b"\x00" * 70_000), "b": "token"}
    assert other.has_key("b")
    one.set("gone", "x", timeout=-1)  # already expired
    assert other.get("gone") is None
    assert not other.has_key("gone")
    other.delete_many(["a", "b"])
    assert one.get_many(["a", "b"]) == {}


def test_the_file_cache_adds_only_where_nothing_is(tmp_path):
    cache = _file_cache(tmp_path)
    assert cache.add("version", "first", timeout=None)
    assert not cache.add("version", "second", timeout=None)
    assert cache.get("version") == "first"
    cache.set("old", "expired", timeout=-1)
    assert cache.add("old", "new", timeout=None)
    assert cache.get("old") == "new"


def _add_at_once(folder: Path, key: str, adders: int) -> dict[str, bool]:
    """Threads released together by a barrier, each with a cache of its own on
    ``folder``, add their own name under ``key``: whether each one's add won."""
    barrier = threading.Barrier(adders)
    results = {}

    def add(name: str) -> None:
        cache = _file_cache(folder)
        barrier.wait()
        results[name] = cache.add(key, name, timeout=None)

    threads = [threading.Thread(target=add, args=(f"adder-{n}",)) for n in range(adders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_of_processes_that_add_at_once_exactly_one_wins(tmp_path):
    for round_number in range(20):
        key = f"key-{round_number}"
        results = _add_at_once(tmp_path, key, adders=8)
        winners = [name for name, won in results.items() if won]
        assert len(winners) == 1, results
        assert _file_cache(tmp_path).get(key) == winners[0]


def test_the_file_cache_stays_near_its_size(tmp_path):
    cache = _file_cache(tmp_path, MAX_ENTRIES=10, CULL_FREQUENCY=2)
    for n in range(200):
        cache.set(f"page-{n}", n)
    # Counted on one write in 32, each cull halving the folder: at most 32 files are left
    # after one, and 64 before the next.
    assert len(list(tmp_path.glob("*.pagecache"))) <= 64
    assert not list(tmp_path.glob("*.tmp"))


def test_a_half_written_or_foreign_file_is_a_miss(tmp_path):
    cache = _file_cache(tmp_path)
    cache.set("key", "value")
    (file,) = tmp_path.glob("*.pagecache")
    file.write_bytes(b"\x01")
    assert cache.get("key", "missing") == "missing"


def test_a_misspelt_page_cache_setting_is_an_error(settings):
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "SECOND": 60}
    with pytest.raises(ImproperlyConfigured, match="SECOND"):
        page_cache_settings()
