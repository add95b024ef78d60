"""Staff sign-in: lockout after repeated failures, a configurable admin address, idle
sessions that end, and a new session id at sign-in. Everything goes through the real
admin login form, as an attacker or a member of staff would."""

import datetime
import os
import re
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db.models import F
from django.utils import timezone

from clinic_site.proxies import client_ip
from tests.conftest import REPO

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-staff-password-1"


@pytest.fixture(autouse=True)
def axes_on(settings):
    """The test settings switch django-axes off for client.login(); these tests need it."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_superuser("editor", "editor@example.com", PASSWORD)


def _login_url(settings) -> str:
    return f"/{settings.ADMIN_PATH}login/"


def _sign_in(client, settings, username: str, password: str, ip: str = "203.0.113.7"):
    return client.post(
        _login_url(settings),
        {"username": username, "password": password, "next": f"/{settings.ADMIN_PATH}"},
        REMOTE_ADDR=ip,
    )


def _text(response) -> str:
    """The page's words, without tokens and nonces that differ on every response."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'nonce="[^"]*"', "", html)


def _is_signed_in(client, settings) -> bool:
    return client.get(f"/{settings.ADMIN_PATH}").status_code == 200


def test_repeated_failures_lock_the_source_out_with_a_clear_message(client, settings, staff):
    for _ in range(4):
        response = _sign_in(client, settings, "editor", "wrong")
        assert response.status_code == 200  # the form again, with Django's error
    response = _sign_in(client, settings, "editor", "wrong")
    assert response.status_code == 429
    text = response.content.decode()
    assert "too many failed sign-in attempts" in text
    assert "paused for 15 minutes" in text

    # Even the right password is refused while locked out.
    response = _sign_in(client, settings, "editor", PASSWORD)
    assert response.status_code == 429
    assert not _is_signed_in(client, settings)


def test_the_lockout_does_not_reveal_whether_a_user_exists(client, settings, staff):
    """Failures for a real and an invented account count alike and read alike."""
    real, invented = [], []
    for _ in range(5):
        real.append(_sign_in(client, settings, "editor", "wrong", ip="203.0.113.10"))
        invented.append(_sign_in(client, settings, "nobody-here", "wrong", ip="203.0.113.11"))
    for a, b in zip(real, invented, strict=True):
        assert a.status_code == b.status_code
        assert _text(a).replace("editor", "USER") == _text(b).replace("nobody-here", "USER")
    assert real[-1].status_code == 429
    assert "editor" not in real[-1].content.decode()


@pytest.fixture
def colleague(db) -> User:
    return User.objects.create_user("reception", "reception@example.com", PASSWORD, is_staff=True)


@pytest.mark.parametrize("colleague_ip", ["203.0.113.7", "198.51.100.4"])
def test_five_bad_tries_against_one_account_do_not_lock_out_another(
    client, settings, staff, colleague, colleague_ip
):
    """Staff share the clinic's address: one person's typos must not lock everyone out."""
    for _ in range(5):
        _sign_in(client, settings, "editor", "wrong", ip="203.0.113.7")
    assert _sign_in(client, settings, "editor", PASSWORD, ip="203.0.113.7").status_code == 429
    # A colleague signs in as usual, from the same address or another.
    response = _sign_in(client, settings, "reception", PASSWORD, ip=colleague_ip)
    assert response.status_code == 302
    assert _is_signed_in(client, settings)


def test_an_account_under_attack_is_paused_from_every_address(client, settings, staff):
    """Guesses spread over many addresses add up for the account they target."""
    for number in range(5):
        _sign_in(client, settings, "editor", "wrong", ip=f"203.0.113.{10 + number}")
    assert _sign_in(client, settings, "editor", PASSWORD, ip="198.51.100.4").status_code == 429
    assert not _is_signed_in(client, settings)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.1"),  # no proxy trusted: the connection's address
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client's own entry is ignored
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.9", "198.51.100.1"),
        (2, "198.51.100.1", "10.0.0.1"),  # did not pass both proxies
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_the_client_address_behind_trusted_proxies(rf, settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_a_proxy_the_lockout_records_the_client_not_the_proxy(
    client, settings, staff, colleague
):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"

    def attempt(username: str, password: str, forwarded: str):
        return client.post(
            _login_url(settings),
            {"username": username, "password": password},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for number in range(5):
        # The attacker varies the part of the header it controls; it does not help.
        attempt("editor", "wrong", f"6.6.6.{number}, 203.0.113.7")
    assert attempt("editor", PASSWORD, "203.0.113.7").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    # A colleague coming through the same proxy signs in.
    assert attempt("reception", PASSWORD, "198.51.100.4").status_code == 302


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "", "/no-such-page/"]
)
def test_signing_in_lands_on_the_admin_index_unless_next_is_a_page_here(
    client, settings, staff, next_url
):
    response = client.post(
        _login_url(settings),
        {"username": "editor", "password": PASSWORD, "next": next_url},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    expected = next_url if next_url.startswith("/no-such") else f"/{settings.ADMIN_PATH}"
    assert response["Location"] == expected
    assert client.get(response["Location"]).status_code == (404 if "no-such" in expected else 200)


def test_the_lockout_ends_after_the_cool_off(client, settings, staff):
    for _ in range(5):
        _sign_in(client, settings, "editor", "wrong")
    assert _sign_in(client, settings, "editor", PASSWORD).status_code == 429
    # Sixteen minutes pass: the recorded failures age past the 15-minute cool-off.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=16))
    response = _sign_in(client, settings, "editor", PASSWORD)
    assert response.status_code == 302
    assert _is_signed_in(client, settings)


def test_a_successful_sign_in_forgets_earlier_typos(client, settings, staff):
    for _ in range(4):
        _sign_in(client, settings, "editor", "wrong")
    assert _sign_in(client, settings, "editor", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _sign_in(client, settings, "editor", "wrong").status_code == 200
    assert _sign_in(client, settings, "editor", PASSWORD).status_code == 302


def test_signing_in_gives_a_new_session_id(client, settings, staff):
    """Session fixation: an id planted before sign-in must not become the staff session."""
    session = client.session  # an anonymous session with a known key
    session["seen_banner"] = True
    session.save()
    planted = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = planted

    assert _sign_in(client, settings, "editor", PASSWORD).status_code == 302
    signed_in = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert signed_in != planted
    assert not Session.objects.filter(session_key=planted).exists()
    assert _is_signed_in(client, settings)


def test_a_staff_session_ends_after_the_idle_time(client, settings, staff, monkeypatch):
    settings.SESSION_COOKIE_AGE = 30 * 60
    start = timezone.now()
    clock = {"now": start}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    assert _sign_in(client, settings, "editor", PASSWORD).status_code == 302

    # Working steadily: each request moves the end of the session on.
    for minutes in (25, 50, 75):
        clock["now"] = start + datetime.timedelta(minutes=minutes)
        assert _is_signed_in(client, settings), f"signed out after {minutes} minutes of work"

    # Away longer than the idle time: signed out, sent to the login page.
    clock["now"] = start + datetime.timedelta(minutes=75 + 31)
    response = client.get(f"/{settings.ADMIN_PATH}")
    assert response.status_code == 302
    assert response["Location"].startswith(_login_url(settings))


CHECK_ADMIN_PATH = """
import django
django.setup()
from django.test import Client
from django.urls import Resolver404, resolve, reverse
print(reverse("admin:index"))
print(Client().get("/staff-desk/login/").status_code)
try:
    print(resolve("/admin/login/").app_name == "admin")
except Resolver404:
    print(False)
"""


def test_the_admin_address_comes_from_the_environment(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", CHECK_ADMIN_PATH],
        cwd=REPO,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "clinic_site.settings.test",
            "DJANGO_ADMIN_PATH": "staff-desk/",
            "DJANGO_LOG_LEVEL": "CRITICAL",
            # The login page needs no database; a missing one proves it.
            "DATABASE_URL": f"sqlite:///{tmp_path}/missing/db.sqlite3",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    index, login_status, old_address_is_admin = result.stdout.split()
    assert index == "/staff-desk/"
    assert login_status == "200"
    assert old_address_is_admin == "False"
