"""The full-page cache for anonymous visitors (treatments/page_cache.py).

Served from the cache: the same bytes, fresh per-response headers, 304 on a matching
ETag, compressed for clients that accept it. Fresh: an edit through the ORM, through the
admin and in another process is seen at once, also by other gunicorn workers. Safe:
staff, query strings, the admin, cookies, nonces and non-200 answers are never stored.
"""

import datetime
import gzip
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import brotli
import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import cache_control, never_cache

from clinic_site.settings.environment import cache_from_url
from tests.admin_forms import form_data
from tests.conftest import CONTENT_DIR, REPO, make_treatment, publish
from treatments import content_version, page_cache
from treatments.models import (
    FAQ,
    ContentVersion,
    FormerSlug,
    Image,
    Page,
    Reminder,
    Section,
    SiteSettings,
    Treatment,
)
from treatments.models.workflow import publish_without_review

pytestmark = pytest.mark.django_db

STATE = page_cache.STATE_HEADER
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


urlpatterns = [
    path("plain/", plain),
    path("cookie/", sets_cookie),
    path("nonce/", uses_nonce),
    path("private/", private),
    path("never/", never),
    path("vary-cookie/", varies_on_cookie),
    path("not-found/", not_found),
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


def test_the_same_content_keeps_its_etag_after_an_unrelated_change(client, treatment):
    etag = client.get("/treatments/peel/")["ETag"]
    make_treatment("other")
    response = client.get("/treatments/peel/", headers={"If-None-Match": etag})
    assert response[STATE] == "miss"
    assert response.status_code == 304


def test_page_max_age_lets_browsers_and_cdns_reuse_a_page(client, treatment, settings):
    settings.PAGE_MAX_AGE = 120
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
    # A cache on disk stands in for Redis: anything but this process's memory.
    shared = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache"}
    settings.CACHES = {**settings.CACHES, "default": {**shared, "LOCATION": str(tmp_path)}}
    assert client.get("/treatments/peel/")[STATE] == "miss"
    caches[settings.PAGE_CACHE_ALIAS].clear()
    assert client.get("/treatments/peel/")[STATE] == "hit"  # from this process's memory

    caches[settings.PAGE_CACHE_LOCAL_ALIAS].clear()
    assert client.get("/treatments/peel/")[STATE] == "miss"
    caches[settings.PAGE_CACHE_LOCAL_ALIAS].clear()
    assert client.get("/treatments/peel/")[STATE] == "hit"  # from the shared cache
    caches[settings.PAGE_CACHE_ALIAS].clear()
    assert client.get("/treatments/peel/")[STATE] == "hit"  # and kept in memory again

    section = treatment.sections.get(kind="overview")
    section.body = "Changed on another server."
    section.save()
    publish(treatment)
    changed = client.get("/treatments/peel/")
    assert changed[STATE] == "miss"
    assert b"Changed on another server." in changed.content


def test_a_cache_that_fails_is_bypassed(client, treatment, settings, caplog):
    # Nothing listens on port 1: every call to the shared cache fails at once.
    settings.CACHES = {**settings.CACHES, "default": cache_from_url("redis://127.0.0.1:1/0")}
    for _ in range(2):
        response = client.get("/treatments/peel/")
        assert response.status_code == 200
        assert b"Text about overview." in response.content
    assert "Page cache unavailable" in caplog.text


# -- Fresh the moment content changes --------------------------------------------------


def test_a_publication_through_the_orm_is_seen_at_once(client, treatment):
    assert b"Does it hurt?" in client.get("/treatments/peel/faq/").content
    faq = treatment.faqs.get(position=1)
    faq.question = "Will it sting?"
    faq.save()
    assert b"Will it sting?" not in client.get("/treatments/peel/faq/").content
    publish(treatment)
    assert b"Will it sting?" in client.get("/treatments/peel/faq/").content


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


def test_a_scheduled_treatment_appears_when_its_time_comes(client, treatment, monkeypatch):
    later = timezone.now() + datetime.timedelta(seconds=90)
    make_treatment("later", title="Later peel", publish_at=later)
    assert b"Later peel" not in client.get("/treatments/").content
    # The list stored now expires when the treatment goes live, which no save announces.
    assert page_cache.stored_seconds() <= 90
    monkeypatch.setattr(timezone, "now", lambda: later + datetime.timedelta(seconds=1))
    assert page_cache.stored_seconds() > 90


def test_pages_are_kept_until_midnight_at_most(treatment):
    now = timezone.localtime()
    midnight = datetime.datetime.combine(
        now.date() + datetime.timedelta(days=1), datetime.time(), tzinfo=now.tzinfo
    )
    assert page_cache.stored_seconds() <= (midnight - now).total_seconds() + 1


def test_a_new_release_does_not_serve_the_old_releases_pages(tmp_path, settings):
    template_dir = tmp_path / "templates"
    template_dir.mkdir()
    (template_dir / "page.html").write_text("old")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [template_dir]}]
    before = page_cache.release_fingerprint.__wrapped__()
    (template_dir / "page.html").write_text("new")
    assert page_cache.release_fingerprint.__wrapped__() != before


@pytest.mark.django_db(transaction=True)
class TestTheContentVersionMovesOnCommit:
    """Real commits here: the version moves after them, once per transaction."""

    def test_each_kind_of_content_moves_it(self):
        treatment = make_treatment("peel", faqs=[("Q?", "A.")])
        changes = [
            lambda: Treatment.objects.filter(pk=treatment.pk).get().save(),
            lambda: Section.objects.filter(treatment=treatment).first().save(),
            lambda: FAQ.objects.get(treatment=treatment).save(),
            lambda: Reminder.objects.create(treatment=treatment, after_days=1, title="Makeup"),
            lambda: SiteSettings.objects.update_or_create(pk=1, defaults={"phone": "1"}),
            lambda: Page.objects.create(title="About", slug="about", description="d", body="b"),
            lambda: FormerSlug.objects.create(slug="old-peel", treatment=treatment),
            lambda: Image.objects.create(file="images/x.webp", alt_text="x", width=1, height=1),
            lambda: Reminder.objects.all().delete(),
        ]
        for change in changes:
            before = content_version.current()
            change()
            assert content_version.current() > before

    def test_not_before_the_commit_and_once_for_many_changes(self, monkeypatch):
        treatment = make_treatment("peel")
        before = content_version.current()
        bumps = []
        real_bump = content_version.bump
        monkeypatch.setattr(content_version, "bump", lambda using: bumps.append(real_bump(using)))
        with transaction.atomic():
            for section in treatment.sections.all():
                section.body += " More."
                section.save()
            assert content_version.current() == before
        assert content_version.current() > before
        assert len(bumps) == 1

    def test_a_restored_older_number_is_left_behind_by_the_next_change(self):
        make_treatment("peel")
        newest = content_version.current()
        ContentVersion.objects.filter(pk=content_version.ROW).update(number=5)
        content_version.bump()
        assert content_version.current() > newest

    def test_never_for_a_change_that_is_rolled_back(self):
        treatment = make_treatment("peel")
        before = content_version.current()

        def change_then_fail():
            with transaction.atomic():
                treatment.title = "Never seen"
                treatment.save()
                raise RuntimeError

        with pytest.raises(RuntimeError):
            change_then_fail()
        assert content_version.current() == before

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


# -- More than one process -------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers[STATE], response.read()


def _many(url: str, misses: int) -> list[tuple[str, bytes]]:
    """Bursts of parallel requests for two seconds at least, so that every worker (the
    second may still be starting) answers some, and until ``misses`` pages were made
    (15 s at most). Paced: gunicorn replaces a worker after about 2,000 requests, and a
    new worker would make the page again."""
    answers = []
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        while time.monotonic() - started < 15:
            answers += pool.map(lambda _: _get(url), range(16))
            made = [state for state, _ in answers].count("miss")
            if time.monotonic() - started > 2 and made >= misses:
                break
            time.sleep(0.1)
    return answers


def test_an_edit_in_another_process_reaches_every_gunicorn_worker_at_once(tmp_path):
    """gunicorn with two workers, as production runs it; the edit is made by a third
    process through the ORM. With the local-memory cache each worker keeps its own
    copy; with CACHE_URL=redis://... they share one."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic_site.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "DJANGO_LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }
    python = sys.executable

    def manage(*args: str) -> None:
        subprocess.run([python, "manage.py", *args], cwd=REPO, env=env, check=True, timeout=120)

    manage("migrate", "--no-input", "--verbosity", "0")
    manage("import_content", str(CONTENT_DIR), "--verbosity", "0")
    server = subprocess.Popen(
        [
            str(Path(python).parent / "gunicorn"),
            "-c",
            "clinic_site/gunicorn.conf.py",
            "clinic_site.wsgi",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/treatments/microneedling/"
    shared = (env.get("CACHE_URL") or "").startswith("redis")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)

        # Each worker makes the page once; with a shared cache, the first one for both.
        # (The first request goes alone: two workers asked at the same instant would both
        # make the page before either had stored it.)
        misses = 1 if shared else 2
        before = [_get(url), *_many(url, misses - 1)]
        assert [state for state, _ in before].count("miss") == misses
        assert all(b"Added by another process." not in body for _, body in before)

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

        after = [_get(url), *_many(url, misses - 1)]
        assert all(b"Added by another process." in body for _, body in after)
        assert [state for state, _ in after].count("miss") == misses
    finally:
        server.terminate()
        server.wait(timeout=30)


# -- Settings -----------------------------------------------------------------------------


def test_the_cache_comes_from_cache_url():
    assert cache_from_url("locmem://")["BACKEND"].endswith("LocMemCache")
    redis = cache_from_url("redis://10.0.0.5:6379/2")
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["LOCATION"] == "redis://10.0.0.5:6379/2"
    assert cache_from_url("dummy://")["BACKEND"].endswith("DummyCache")
    with pytest.raises(ImproperlyConfigured):
        cache_from_url("memcached://x")
