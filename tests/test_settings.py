"""Settings: environment variables read in one place, production refusing unsafe starts."""

import json
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from clinic_site.settings.environment import BASE_DIR, database_from_url, env_bool
from tests.conftest import REPO


def test_sqlite_url_relative_and_absolute():
    assert database_from_url("sqlite:///var/x.db")["NAME"] == str(BASE_DIR / "var" / "x.db")
    assert database_from_url("sqlite:////tmp/x.db")["NAME"] == "/tmp/x.db"


def test_postgres_url():
    db = database_from_url("postgres://clinic:p%40ss@127.0.0.1:5433/site?sslmode=disable")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "clinic",
        "p@ss",
        "127.0.0.1",
        "5433",
        "site",
    )
    assert db["OPTIONS"] == {"sslmode": "disable"}


def test_unknown_database_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="mysql"):
        database_from_url("mysql://x/y")


def test_env_bool_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG"):
        env_bool("DJANGO_DEBUG", default=False)
    monkeypatch.setenv("DJANGO_DEBUG", "0")
    assert env_bool("DJANGO_DEBUG", default=True) is False


def _import_settings(module: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _import_settings("clinic_site.settings.prod", DJANGO_ALLOWED_HOSTS="clinic.example")
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _import_settings("clinic_site.settings.prod", DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "Set DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_both():
    result = _import_settings(
        "clinic_site.settings.prod",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="clinic.example",
    )
    assert result.returncode == 0, result.stderr


def test_whitenoise_sits_right_after_security_middleware():
    from django.conf import settings

    assert settings.MIDDLEWARE[:2] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


def test_a_fresh_clone_gets_its_var_folder_for_the_default_database(tmp_path, monkeypatch):
    from clinic_site.settings import environment

    monkeypatch.setattr(environment, "VAR_DIR", tmp_path / "var")
    environment.database_from_url(f"sqlite:///{tmp_path}/var/db.sqlite3")
    assert (tmp_path / "var").is_dir()
    environment.database_from_url(f"sqlite:///{tmp_path}/elsewhere/db.sqlite3")
    assert not (tmp_path / "elsewhere").exists()


# -- Production refuses wrong settings (clinic_site/checks.py) ---------------------------

GOOD_KEY = "k" * 25 + "-" * 25


def _clinic_messages() -> dict[str, str]:
    """The project's own check messages, deployment checks included: id -> level."""
    from django.core.checks import run_checks

    return {
        message.id: type(message).__name__
        # Security only: the model checks (JSONField's) would open the database.
        for message in run_checks(include_deployment_checks=True, tags=["security"])
        if message.id.startswith("clinic.")
    }


@pytest.fixture
def deployable(settings):
    """The test settings made into a correct deployment, as far as our checks look."""
    settings.SITE_BASE_URL = "https://clinic.example"
    settings.ALLOWED_HOSTS = ["clinic.example"]
    settings.SECRET_KEY = GOOD_KEY
    settings.SECURE_HSTS_SECONDS = 0
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = False
    settings.SECURE_HSTS_PRELOAD = False
    settings.SECURE_PROXY_SSL_HEADER = None
    settings.TRUSTED_PROXY_COUNT = 0
    return settings


def test_a_correct_deployment_passes_our_checks(deployable):
    assert _clinic_messages() == {}


@pytest.mark.parametrize(
    ("url", "check_id"),
    [
        ("", "clinic.E001"),
        ("http://clinic.example", "clinic.E002"),
        ("https://", "clinic.E003"),
        ("https://127.0.0.1:8000", "clinic.E004"),
        ("https://localhost", "clinic.E004"),
        ("https://[::1]", "clinic.E004"),
        ("https://clinic.example/site", "clinic.E005"),
    ],
)
def test_a_wrong_site_base_url_is_an_error_in_check_deploy(deployable, url, check_id):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    deployable.SITE_BASE_URL = url
    assert _clinic_messages() == {check_id: "Error"}
    with pytest.raises(SystemCheckError, match=check_id):
        call_command("check", "--tag", "security", deploy=True)
    # Not a deployment check run: `manage.py check` alone (and so `make run`) says nothing.
    call_command("check", "--tag", "security")


def test_a_site_base_url_on_another_host_than_allowed_is_a_warning(deployable):
    deployable.ALLOWED_HOSTS = ["www.clinic.example"]
    assert _clinic_messages() == {"clinic.W006": "Warning"}


@pytest.mark.parametrize("length", [1, 24, 49])
def test_a_short_secret_key_is_an_error(deployable, length):
    deployable.SECRET_KEY = "k" * length
    assert _clinic_messages() == {"clinic.E010": "Error"}


def test_preload_before_the_end_of_the_ramp_is_an_error(deployable):
    deployable.SECURE_HSTS_SECONDS = 86400
    deployable.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    deployable.SECURE_HSTS_PRELOAD = True
    assert _clinic_messages() == {"clinic.E021": "Error"}
    deployable.SECURE_HSTS_SECONDS = 31_536_000
    assert _clinic_messages() == {}
    deployable.SECURE_HSTS_INCLUDE_SUBDOMAINS = False
    assert _clinic_messages() == {"clinic.E021": "Error"}


def test_subdomains_or_preload_without_hsts_is_a_warning(deployable):
    deployable.SECURE_HSTS_PRELOAD = True
    assert _clinic_messages() == {"clinic.W020": "Warning"}


def test_a_proxy_without_a_proxy_count_is_a_warning(deployable):
    deployable.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert _clinic_messages() == {"clinic.W030": "Warning"}
    deployable.TRUSTED_PROXY_COUNT = 1
    assert _clinic_messages() == {}


PRINT = (
    "import django, json; django.setup(); from django.conf import settings as s;"
    "print(json.dumps({n: getattr(s, n) for n in %r}))"
)


def _values(module: str, names: list[str], **env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean = {k: v for k, v in clean.items() if k not in {"PORT", "SITE_BASE_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", PRINT % names],
        cwd=REPO,
        env={**clean, "DJANGO_SETTINGS_MODULE": module, "DJANGO_LOG_LEVEL": "CRITICAL", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_leaves_hsts_off_until_the_operator_sets_it(tmp_path):
    names = ["SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"]
    env = {
        "DJANGO_SECRET_KEY": GOOD_KEY,
        "DJANGO_ALLOWED_HOSTS": "clinic.example",
        "SITE_BASE_URL": "https://clinic.example",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    assert list(_values("clinic_site.settings.prod", names, **env).values()) == [0, False, False]
    # The first step of the ramp turns on HSTS alone: subdomains and preload stay off.
    ramp = _values("clinic_site.settings.prod", names, DJANGO_HSTS_SECONDS="300", **env)
    assert list(ramp.values()) == [300, False, False]


def test_production_without_site_base_url_has_no_stand_in(tmp_path):
    values = _values(
        "clinic_site.settings.prod",
        ["SITE_BASE_URL", "CSRF_TRUSTED_ORIGINS"],
        DJANGO_SECRET_KEY=GOOD_KEY,
        DJANGO_ALLOWED_HOSTS="clinic.example",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    assert values == {"SITE_BASE_URL": "", "CSRF_TRUSTED_ORIGINS": []}


@pytest.mark.parametrize(("port", "expected"), [(None, "8000"), ("8080", "8080")])
def test_in_dev_the_site_address_follows_the_port(tmp_path, port, expected):
    """`PORT=8080 make run` serves on 8080 and links to it (Makefile passes PORT on)."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "DJANGO_SECRET_KEY": GOOD_KEY}
    if port:
        env["PORT"] = port
    values = _values("clinic_site.settings.dev", ["SITE_BASE_URL", "CSRF_TRUSTED_ORIGINS"], **env)
    assert values == {
        "SITE_BASE_URL": f"http://127.0.0.1:{expected}",
        "CSRF_TRUSTED_ORIGINS": [f"http://127.0.0.1:{expected}"],
    }


def test_check_deploy_under_production_names_the_wrong_variable(tmp_path):
    """The whole path: environment -> prod settings -> `manage.py check --deploy`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=REPO,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "clinic_site.settings.prod",
            "DJANGO_SECRET_KEY": "too-short",
            "DJANGO_ALLOWED_HOSTS": "clinic.example",
            "SITE_BASE_URL": "http://127.0.0.1:8000",
            "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "(clinic.E002) SITE_BASE_URL='http://127.0.0.1:8000' does not start" in result.stderr
    assert "(clinic.E010) DJANGO_SECRET_KEY has 9 characters" in result.stderr
