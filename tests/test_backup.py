"""manage.py backup: a database copy that opens and holds the data, the content as
files from the same snapshot that import_content reads back, uploads, a manifest that
restore_check verifies, and a clear refusal or wait where it cannot go on at once."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

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


def _script(code: str, database: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh process with the test settings on the SQLite file ``database``."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "clinic_site.settings.test",
            "DJANGO_LOG_LEVEL": "CRITICAL",
            "DATABASE_URL": f"sqlite:///{database}",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
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
    assert sorted(p.name for p in folder.iterdir()) == ["content", "db.sqlite3", "manifest.json"]
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
    result = _script(script, restored)
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
        backup.Command().backup_postgresql(_FakePostgres(), tmp_path, 60)


def test_pg_dump_dumps_the_shared_snapshot_with_the_password_kept_off_the_command_line(
    tmp_path, monkeypatch
):
    params = _FakePostgres.settings_dict
    command = backup.pg_dump_command(
        "/usr/bin/pg_dump", params, tmp_path / "db.pgdump", "00000003-0000001B-1", 30
    )
    assert command[0] == "/usr/bin/pg_dump"
    assert "--format=custom" in command
    assert "--snapshot=00000003-0000001B-1" in command
    assert "--lock-wait-timeout=30000" in command
    assert command[-1] == "clinic"
    assert "--host=127.0.0.1" in command
    assert "--username=clinic" in command
    assert "s3cret" not in " ".join(command)

    calls = []

    def fake_run(command, env, **kwargs):
        calls.append(env)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(backup.subprocess, "run", fake_run)
    backup.Command().run_pg_dump(command, params)
    assert calls[0]["PGPASSWORD"] == "s3cret"


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


# -- The manifest and restore_check --------------------------------------------------------


def _restore_check(folder: Path) -> str:
    out = StringIO()
    call_command("restore_check", str(folder), stdout=out)
    return out.getvalue()


@needs_a_database_dump
def test_the_manifest_counts_rows_and_lists_every_file_and_restore_check_agrees(
    two_treatments, tmp_path
):
    folder, _ = _backup(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["rows"]["treatments.Treatment"] == {
        "table": "treatments_treatment",
        "rows": 2,
    }
    assert manifest["rows"]["treatments.FAQ"]["rows"] == 1
    listed = set(manifest["files"])
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert listed == on_disk - {"manifest.json"}
    peel = manifest["files"]["content/treatments/peel.md"]
    assert peel["sha256"] == backup.sha256_of(folder / "content/treatments/peel.md")
    output = _restore_check(folder)
    assert f"Files: {len(listed)} match their size and SHA-256." in output
    assert f"{folder} is a whole backup." in output


@needs_a_database_dump
@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        (lambda f: (f / "content/treatments/peel.md").write_text("changed\n"), "peel.md"),
        (lambda f: (f / "content/treatments/peel.md").unlink(), "peel.md: missing"),
        (lambda f: (f / "content/notes.txt").write_text("x"), "content/notes.txt: not in"),
        (lambda f: (f / "manifest.json").unlink(), "manifest.json is missing"),
    ],
)
def test_restore_check_fails_on_a_tampered_backup_naming_the_first_mismatch(
    two_treatments, tmp_path, tamper, named
):
    folder, _ = _backup(tmp_path)
    tamper(folder)
    with pytest.raises(CommandError, match=named):
        _restore_check(folder)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite copy")
def test_restore_check_counts_the_rows_in_the_copy(two_treatments, tmp_path):
    """Rows lost from the copy are found even when its checksum was made to match."""
    folder, _ = _backup(tmp_path)
    copy = folder / "db.sqlite3"
    with sqlite3.connect(copy) as db:
        db.execute("DELETE FROM treatments_faq")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["db.sqlite3"] = {
        "bytes": copy.stat().st_size,
        "sha256": backup.sha256_of(copy),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match=r"treatments.FAQ \(treatments_faq\): 0 rows"):
        _restore_check(folder)


def test_restore_check_from_the_command_line_exits_non_zero(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"format": 1, "files": {"a": {}}}))
    result = subprocess.run(
        [sys.executable, "manage.py", "restore_check", str(tmp_path)],
        cwd=REPO,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "clinic_site.settings.test"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "a: missing" in result.stderr


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite copy")
def test_the_content_comes_from_the_same_snapshot_as_the_database(
    two_treatments, tmp_path, monkeypatch
):
    """A save that commits right after the database copy is in neither part."""
    copy_sqlite = backup.Command.copy_sqlite

    def copy_then_someone_saves(self, *args):
        waited = copy_sqlite(self, *args)
        make_treatment("saved-just-after")
        return waited

    monkeypatch.setattr(backup.Command, "copy_sqlite", copy_then_someone_saves)
    folder, _ = _backup(tmp_path)
    assert Treatment.objects.filter(slug="saved-just-after").exists()
    files = sorted(p.stem for p in (folder / "content" / "treatments").glob("*.md"))
    assert files == ["laser-resurfacing", "peel"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["rows"]["treatments.Treatment"]["rows"] == len(files)
    _restore_check(folder)


# -- A database locked against readers -----------------------------------------------------

LOCKED = """
import io, json, pathlib, sqlite3, sys, threading, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from treatments.models import Treatment

mode, backups = sys.argv[1], pathlib.Path(sys.argv[2])
call_command("migrate", verbosity=0)
Treatment.objects.create(title="Peel", slug="peel", summary="s", description="d")
connection.close()
name = settings.DATABASES["default"]["NAME"]
# The old rollback-journal mode, as a copy just put back is until the site opens it: there
# a writer that commits (or takes an EXCLUSIVE lock) keeps readers out.
sqlite3.connect(name).execute("PRAGMA journal_mode=DELETE").fetchone()

holding, backup_waits, released = threading.Event(), threading.Event(), threading.Event()
out = {}

class Stderr(io.StringIO):
    def write(self, text):
        if "Waiting up to" in text:
            backup_waits.set()
        return super().write(text)

def hold_the_lock():
    other = sqlite3.connect(name, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    other.execute("UPDATE treatments_treatment SET title = 'Peel, as saved meanwhile'")
    holding.set()
    out["backup_waited_for_the_lock"] = backup_waits.wait(60)
    if mode == "give-up":
        released.wait(60)
    other.execute("COMMIT")
    other.close()

holder = threading.Thread(target=hold_the_lock)
holder.start()
holding.wait()
stdout, stderr = io.StringIO(), Stderr()
try:
    call_command("backup", str(backups), lock_wait=60 if mode == "wait" else 0,
                 stdout=stdout, stderr=stderr)
    out["result"] = "ok"
except CommandError as exc:
    out["result"] = str(exc)
released.set()
backup_waits.set()
holder.join()
out["stdout"], out["stderr"] = stdout.getvalue(), stderr.getvalue()
out["folders"] = sorted(p.name.split("-")[0] for p in backups.iterdir())
for copy in backups.glob("clinic-backup-*/db.sqlite3"):
    titles = sqlite3.connect(copy).execute("SELECT title FROM treatments_treatment")
    out["copied"] = titles.fetchone()[0]
    out["content"] = (copy.parent / "content/treatments/peel.md").read_text()
print(json.dumps(out))
"""


def _locked_backup(tmp_path, mode: str) -> dict:
    result = _script(LOCKED, tmp_path / "db.sqlite3", mode, str(tmp_path / "backups"))
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_backup_waits_for_a_locked_database_says_so_then_succeeds(tmp_path):
    out = _locked_backup(tmp_path, "wait")
    assert out["backup_waited_for_the_lock"] is True
    assert "The database is locked by another connection" in out["stderr"]
    assert "Waiting up to 60 s for it" in out["stderr"]
    assert out["result"] == "ok"
    assert "Waited " in out["stdout"]
    # What the lock holder committed is in both parts of the backup.
    assert out["copied"] == "Peel, as saved meanwhile"
    assert "title: Peel, as saved meanwhile" in out["content"]


def test_a_backup_gives_up_on_a_lock_held_too_long_clearly_and_leaves_nothing(tmp_path):
    out = _locked_backup(tmp_path, "give-up")
    assert out["result"].startswith("The database stayed locked for 0 s, so no backup was made.")
    assert "--lock-wait 600" in out["result"]
    assert out["folders"] == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real PostgreSQL server")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_on_postgresql_the_content_comes_from_pg_dumps_snapshot(
    two_treatments, tmp_path, monkeypatch
):
    """A save committed by another connection while pg_dump runs is in no part."""
    run_pg_dump = backup.Command.run_pg_dump

    def dump_while_someone_saves(self, *args):
        run_pg_dump(self, *args)

        def save():
            make_treatment("saved-meanwhile")
            connections["default"].close()

        thread = threading.Thread(target=save)
        thread.start()
        thread.join()

    monkeypatch.setattr(backup.Command, "run_pg_dump", dump_while_someone_saves)
    folder, _ = _backup(tmp_path)
    assert Treatment.objects.filter(slug="saved-meanwhile").exists()
    files = sorted(p.stem for p in (folder / "content" / "treatments").glob("*.md"))
    assert files == ["laser-resurfacing", "peel"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["rows"]["treatments.Treatment"]["rows"] == 2
    _restore_check(folder)
