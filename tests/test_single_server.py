"""The single-server recipe (docs/single-server.md), run as far as this machine allows:
the env file names every variable the site reads and passes production's checks, the
systemd units verify, and the nightly backup's commands restore into a fresh database
that serves a page. bench/backup_drill runs the same drill with gunicorn, with figures."""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

RECIPE = REPO / "docs" / "single-server"
UNITS = ["clinic.service", "clinic-backup.service", "clinic-backup.timer"]


def env_file() -> dict[str, str]:
    """The env file as systemd reads it: KEY=VALUE lines, # comments."""
    values = {}
    for line in (RECIPE / "clinic.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def variables_the_site_reads() -> set[str]:
    names = set()
    for source in ("clinic_site/settings/environment.py", "clinic_site/gunicorn.conf.py"):
        text = (REPO / source).read_text()
        names |= set(re.findall(r'env_(?:str|int|bool|list)\(\s*"([A-Z_]+)"', text))
        names |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z_]+)"', text))
    return names | {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}


def test_the_env_file_sets_every_variable_the_site_reads_each_with_a_comment():
    assert "DJANGO_SECRET_KEY" in variables_the_site_reads()  # the scan finds them
    missing = variables_the_site_reads() - set(env_file())
    assert not missing, f"not in docs/single-server/clinic.env: {sorted(missing)}"
    lines = (RECIPE / "clinic.env").read_text().splitlines()
    for number, line in enumerate(lines):
        if line and not line.startswith("#"):
            above = lines[:number]
            # A comment right above, or above the run of settings it belongs to.
            nearest = next(
                (text for text in reversed(above) if not re.match(r"[A-Z_]+=", text)), ""
            )
            assert nearest.startswith("#"), f"{line} has no comment"


def _production(tmp_path: Path) -> dict[str, str]:
    """The env file as a deployment fills it in, with this machine's paths."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    values = {
        **env_file(),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    return {**clean, **values}


def _manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_env_file_passes_the_check_the_unit_runs_before_it_starts(tmp_path):
    result = _manage(_production(tmp_path), "check", "--deploy")
    assert result.returncode == 0, result.stdout + result.stderr
    # On the first step of the HSTS ramp, Django reminds of the steps to come; nothing else.
    warnings = set(re.findall(r"\((\w+\.W\d+)\)", result.stderr))
    assert warnings == {"security.W005", "security.W021"}
    # The placeholder secret key as shipped is refused: nobody can start with it.
    shipped = {**_production(tmp_path), "DJANGO_SECRET_KEY": env_file()["DJANGO_SECRET_KEY"]}
    assert "clinic.E010" in _manage(shipped, "check", "--deploy").stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_the_systemd_units_verify(tmp_path):
    """As installed, with this checkout standing in for /srv/clinic/app."""
    (tmp_path / "backups").mkdir()
    for name in UNITS:
        text = (RECIPE / name).read_text()
        text = text.replace("/srv/clinic/app", str(REPO))
        text = text.replace("/srv/clinic/backups", str(tmp_path / "backups"))
        text = text.replace("/etc/clinic/clinic.env", str(RECIPE / "clinic.env"))
        (tmp_path / name).write_text(text)
    assert (REPO / ".venv" / "bin" / "gunicorn").exists() or pytest.skip("no .venv/bin/gunicorn")
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(tmp_path / name) for name in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no unknown keys, no warnings


SIGN_MICRONEEDLING = (
    "from treatments.models import Treatment;"
    "from treatments.models.workflow import content_hash, publish_without_review, sign;"
    "t = Treatment.objects.get(slug='microneedling');"
    "sign(t, content_hash(t), None, 'approved', name='Dr Drill', title='Dermatologist');"
    "publish_without_review(t, None)"
)


def test_the_nightly_backup_restores_into_a_fresh_database_that_serves_a_page(tmp_path):
    """The recipe's backup unit and restore drill, step by step, on production settings."""
    env = _production(tmp_path)
    for step in (["migrate", "--no-input"], ["import_content"]):
        result = _manage(env, *step)
        assert result.returncode == 0, result.stderr
    # Production shows patients only what a clinician approved: one signs the page first.
    signed = _manage(env, "shell", "-c", SIGN_MICRONEEDLING)
    assert signed.returncode == 0, signed.stderr
    backups = tmp_path / "backups"
    assert _manage(env, "backup", str(backups), "--lock-wait", "600").returncode == 0
    checked = _manage(env, "restore_check", "--latest", str(backups))
    assert checked.returncode == 0, checked.stderr
    assert "is a whole backup" in checked.stdout

    # The drill: the copy into a fresh place, migrate, and the site serves from it.
    (latest,) = backups.glob("clinic-backup-*")
    restored = tmp_path / "restored" / "db.sqlite3"
    restored.parent.mkdir()
    shutil.copy(latest / "db.sqlite3", restored)
    env = {**env, "DATABASE_URL": f"sqlite:///{restored}"}
    assert _manage(env, "migrate", "--no-input").returncode == 0
    serve = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/treatments/microneedling/');"
        "print(r.status_code, b'Microneedling' in r.content)"
    )
    result = subprocess.run(
        [sys.executable, "-c", serve],
        cwd=REPO,
        # Static files straight from static/, as the test settings do: no collectstatic.
        env={**env, "DJANGO_SETTINGS_MODULE": "clinic_site.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout.split()[-2:] == ["200", "True"], result.stderr
