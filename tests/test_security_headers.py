"""Security settings and headers: production passes Django's deployment checks, every
page carries the headers a browser needs to protect patients and staff, and the local
``make run`` (plain http, dev settings) keeps working."""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.template import engines

from clinic_site.settings.environment import admin_path, env_int, proxy_ssl_header
from tests.conftest import REPO


def _run(code: str, settings_module: str, **env) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter with only the given DJANGO_* variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**clean, "DJANGO_SETTINGS_MODULE": settings_module, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _production_env(tmp_path, **extra) -> dict:
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "clinic.example",
        "SITE_BASE_URL": "https://clinic.example",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        # The end of the HSTS ramp (docs/operations.md): off until these are set.
        "DJANGO_HSTS_SECONDS": "31536000",
        "DJANGO_HSTS_INCLUDE_SUBDOMAINS": "1",
        "DJANGO_HSTS_PRELOAD": "1",
        **extra,
    }


def test_check_deploy_reports_no_issues_in_production(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SETTINGS_MODULE": "clinic_site.settings.prod",
            **_production_env(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Nothing silenced to get there.
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_can_fail(tmp_path):
    """The check above means something: a weak production setting is reported."""
    result = _run(
        "import django; from django.core.management import call_command; django.setup();"
        "call_command('check', deploy=True, fail_level='WARNING')",
        "clinic_site.settings.prod",
        **_production_env(tmp_path, DJANGO_HSTS_SECONDS="0"),
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
names = [
    "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE", "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME", "CSRF_TRUSTED_ORIGINS", "DEBUG", "AXES_ENABLED",
]
print(json.dumps({name: getattr(s, name) for name in names}))
"""


def _settings(module: str, **env) -> dict:
    result = _run(PRINT_SETTINGS, module, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_defaults_are_strict(tmp_path):
    values = _settings("clinic_site.settings.prod", **_production_env(tmp_path))
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None  # trust no proxy header unless told
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    for cookie in ("SESSION", "CSRF"):
        assert values[f"{cookie}_COOKIE_SECURE"] is True
        assert values[f"{cookie}_COOKIE_HTTPONLY"] is True
        assert values[f"{cookie}_COOKIE_SAMESITE"] == "Lax"
        assert values[f"{cookie}_COOKIE_NAME"].startswith("__Host-")
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://clinic.example"]
    assert values["DEBUG"] is False
    assert values["AXES_ENABLED"] is True


def test_production_behind_a_proxy_is_configured_from_the_environment(tmp_path):
    values = _settings(
        "clinic_site.settings.prod",
        **_production_env(
            tmp_path,
            DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_HSTS_SECONDS="300",
            DJANGO_HSTS_PRELOAD="0",
            DJANGO_CSRF_TRUSTED_ORIGINS="https://clinic.example,https://www.clinic.example",
        ),
    )
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 300
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["CSRF_TRUSTED_ORIGINS"] == [
        "https://clinic.example",
        "https://www.clinic.example",
    ]


SERVE = """
import json, os, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST=os.environ["TEST_HOST"], raise_request_exception=False)
out = {}
for name, path, kwargs in [
    ("http", "/treatments/?x=1", {}),
    ("https", "/healthz", {"secure": True}),
    ("proxied", "/healthz", {"headers": {"X-Forwarded-Proto": "https"}}),
    ("healthz_http", "/healthz", {}),
]:
    r = client.get(path, **kwargs)
    out[name] = {"status": r.status_code, "headers": dict(r.headers)}
print(json.dumps(out))
"""


def _serve(module: str, host: str, **env) -> dict:
    result = _run(SERVE, module, DJANGO_LOG_LEVEL="CRITICAL", TEST_HOST=host, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_redirects_http_and_sends_hsts_over_https(tmp_path):
    served = _serve(
        "clinic_site.settings.prod",
        "clinic.example",
        **_production_env(tmp_path, DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto"),
    )
    assert served["http"]["status"] == 301
    assert served["http"]["headers"]["Location"] == "https://clinic.example/treatments/?x=1"
    for name in ("https", "proxied"):
        assert served[name]["status"] == 200, name
        assert (
            served[name]["headers"]["Strict-Transport-Security"]
            == "max-age=31536000; includeSubDomains; preload"
        )
    # Load balancers' plain-http health checks are answered, not redirected.
    assert served["healthz_http"]["status"] == 200
    assert "Strict-Transport-Security" not in served["healthz_http"]["headers"]


def test_make_run_settings_serve_plain_http_without_redirect(tmp_path):
    """`make run`: dev settings, DEBUG off, http on 127.0.0.1."""
    served = _serve(
        "clinic_site.settings.dev",
        "127.0.0.1",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    assert served["healthz_http"]["status"] == 200
    assert served["http"]["status"] != 301  # no redirect to https (the page needs tables)
    assert "Strict-Transport-Security" not in served["healthz_http"]["headers"]


@pytest.mark.django_db
def test_every_page_carries_the_security_headers(client, treatment):
    response = client.get("/treatments/peel/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = dict(feature.split("=", 1) for feature in response["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()", feature


def _csp(response) -> dict[str, list[str]]:
    directives = {}
    for directive in response["Content-Security-Policy"].split(";"):
        name, *values = directive.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/treatments/peel/", "/treatments/peel/faq/", "/no-such-page/"]
)
def test_content_security_policy(client, treatment, url):
    csp = _csp(client.get(url))
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["img-src"] == ["'self'"]
    assert "'self'" in csp["script-src"]
    for directive in csp.values():
        assert "'unsafe-inline'" not in directive
        assert "'unsafe-eval'" not in directive
    # A nonce, when present, is a fresh random value for each response.
    nonces = [value for value in csp["script-src"] if value.startswith("'nonce-")]
    assert len(nonces) <= 1


def test_a_nonce_used_by_a_page_is_in_the_header_and_new_each_time(rf):
    """Any inline script must carry {{ csp_nonce }}; the header then names that nonce."""
    template = engines["django"].from_string('<script nonce="{{ csp_nonce }}"></script>')
    middleware = ContentSecurityPolicyMiddleware(
        lambda request: HttpResponse(template.render({}, request))
    )
    seen = set()
    for _ in range(2):
        response = middleware(rf.get("/"))
        nonce = response.content.decode().split('nonce="')[1].split('"')[0]
        assert f"'nonce-{nonce}'" in _csp(response)["script-src"]
        seen.add(nonce)
    assert len(seen) == 2


@pytest.mark.django_db
def test_cookies_are_http_only_and_same_site(client, settings):
    response = client.get(f"/{settings.ADMIN_PATH}login/")
    cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("X-Forwarded-Proto", ("HTTP_X_FORWARDED_PROTO", "https")), ("", None), ("  ", None)],
)
def test_proxy_ssl_header_parsing(raw, expected):
    assert proxy_ssl_header(raw) == expected


def test_proxy_ssl_header_refuses_nonsense():
    with pytest.raises(ImproperlyConfigured, match="header name"):
        proxy_ssl_header("X-Forwarded-Proto: https")


def test_env_int_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("DJANGO_HSTS_SECONDS", "a year")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("DJANGO_HSTS_SECONDS", 0)
    monkeypatch.setenv("DJANGO_HSTS_SECONDS", "-5")
    with pytest.raises(ImproperlyConfigured, match="0 or more"):
        env_int("DJANGO_HSTS_SECONDS", 0)
    monkeypatch.setenv("DJANGO_HSTS_SECONDS", "300")
    assert env_int("DJANGO_HSTS_SECONDS", 0) == 300


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("admin/", "admin/"), ("/staff-desk", "staff-desk/"), ("team/desk/", "team/desk/")],
)
def test_admin_path_is_normalised(raw, expected):
    assert admin_path(raw) == expected


@pytest.mark.parametrize("raw", ["", "/", "staff desk/", "../admin", "a//b"])
def test_admin_path_refuses_what_is_not_a_path(raw):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_ADMIN_PATH"):
        admin_path(raw)
