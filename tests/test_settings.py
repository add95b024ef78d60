"""Settings: environment variables read in one place, production refusing unsafe starts."""

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
