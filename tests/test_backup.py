"""manage.py backup: a database copy that opens and holds the data, the content as
files that import_content reads back, uploads, and a clear refusal where it cannot."""

import os
import shutil
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.conftest import REPO, make_treatment
from treatments.management.commands import backup
from treatments.models import Treatment

# Committed data: the backup reads the database through a connection of its own.
pytestmark = pytest.mark.django_db(transaction=True)
# On PostgreSQL every backup needs pg_dump; without it the refusal is tested below.
needs_a_database_dump = pytest.mark.skipif(
    connection.vendor == "postgresql" and shutil.which("pg_dump") is None,
    reason="pg_dump is not installed",
)


def _backup(target: Path) -> tuple[Path, str]:
    out = StringIO()
    call_command("backup", str(target), stdout=out)
    (folder,) = target.glob("clinic-backup-*")
    return folder, out.getvalue()


@pytest.fixture
def two_treatments(db):
    make_treatment("peel", faqs=[("Does it hurt?", "A little.")])
    make_treatment("laser-resurfacing", status=Treatment.Status.DRAFT)


@needs_a_database_dump
def test_backup_writes_content_files_that_import_back(two_treatments, tmp_path):
    folder, output = _backup(tmp_path)
    files = sorted(p.name for p in (folder / "content" / "treatments").glob("*.md"))
    assert files == ["laser-resurfacing.md", "peel.md"]
    assert f"Backup written to {folder}" in output

    Treatment.objects.all().delete()
    call_command("import_content", str(folder / "content"), stdout=StringIO())
    restored = Treatment.objects.get(slug="peel")
    assert restored.faqs.get().question == "Does it hurt?"
    assert Treatment.objects.get(slug="laser-resurfacing").status == Treatment.Status.DRAFT


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite copy")
def test_the_sqlite_copy_is_whole_and_self_contained(two_treatments, tmp_path):
    folder, output = _backup(tmp_path)
    copy = folder / "db.sqlite3"
    assert f"Database: {copy}" in output
    # Nothing beside it: no -wal file the copy would need.
    assert sorted(p.name for p in folder.iterdir()) == ["content", "db.sqlite3"]
    with sqlite3.connect(copy) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        slugs = {row[0] for row in db.execute("SELECT slug FROM treatments_treatment")}
    assert slugs == {"peel", "laser-resurfacing"}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite copy")
def test_the_site_runs_on_a_restored_copy(two_treatments, tmp_path):
    """Restoring is copying the file into place: the site then serves from it."""
    folder, _ = _backup(tmp_path)
    restored = tmp_path / "restored.sqlite3"
    shutil.copy(folder / "db.sqlite3", restored)
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/treatments/peel/faq/');"
        "print(r.status_code, b'Does it hurt?' in r.content)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "clinic_site.settings.test",
            "DJANGO_LOG_LEVEL": "CRITICAL",
            "DATABASE_URL": f"sqlite:///{restored}",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.split() == ["200", "True"], result.stderr


@needs_a_database_dump
def test_uploads_are_copied(two_treatments, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "images").mkdir(parents=True)
    (settings.MEDIA_ROOT / "images" / "peel.webp").write_bytes(b"RIFF....WEBP")
    folder, output = _backup(tmp_path / "backups")
    assert (folder / "media" / "images" / "peel.webp").read_bytes() == b"RIFF....WEBP"
    assert "Uploads: 1 files" in output


@needs_a_database_dump
def test_a_failed_backup_leaves_nothing_behind(two_treatments, tmp_path, monkeypatch):
    def broken_export(directory):
        raise OSError("disk full")

    monkeypatch.setattr(backup, "export_content", broken_export)
    with pytest.raises(OSError, match="disk full"):
        call_command("backup", str(tmp_path), stdout=StringIO())
    assert list(tmp_path.iterdir()) == []


class _FakePostgres:
    vendor = "postgresql"
    settings_dict = {
        "NAME": "clinic",
        "USER": "clinic",
        "PASSWORD": "s3cret",
        "HOST": "127.0.0.1",
        "PORT": "5432",
    }


def test_postgresql_without_pg_dump_is_refused_clearly(tmp_path, monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(CommandError, match="pg_dump is not on PATH"):
        backup.Command().backup_postgresql(_FakePostgres(), tmp_path / "db.pgdump")


def test_postgresql_uses_pg_dump_with_the_password_kept_off_the_command_line(tmp_path, monkeypatch):
    calls = []

    def fake_run(command, env, **kwargs):
        calls.append((command, env))
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(backup.shutil, "which", lambda name: "/usr/bin/pg_dump")
    monkeypatch.setattr(backup.subprocess, "run", fake_run)
    backup.Command().backup_postgresql(_FakePostgres(), tmp_path / "db.pgdump")
    ((command, env),) = calls
    assert command[0] == "/usr/bin/pg_dump"
    assert "--format=custom" in command
    assert command[-1] == "clinic"
    assert "--host=127.0.0.1" in command
    assert "--username=clinic" in command
    assert "s3cret" not in " ".join(command)
    assert env["PGPASSWORD"] == "s3cret"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real PostgreSQL server")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_a_real_pg_dump_archive_lists_the_tables(two_treatments, tmp_path):
    folder, _ = _backup(tmp_path)
    listing = subprocess.run(
        ["pg_restore", "--list", str(folder / "db.pgdump")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "treatments_treatment" in listing
