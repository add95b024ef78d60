"""SQLite that holds up: WAL, IMMEDIATE transactions and a busy timeout, so staff saves
during public traffic neither fail nor stall readers, and a backup can run meanwhile.

The behaviour tests run in a fresh process on a real database file (the test suite's
own database lives in memory, where none of this applies), with threads standing in
for gunicorn workers: each thread has its own connection, as each worker does.
"""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from clinic_site.settings.environment import database_from_url
from tests.conftest import REPO


def test_sqlite_gets_wal_immediate_transactions_and_a_busy_timeout():
    options = database_from_url("sqlite:///var/x.db")["OPTIONS"]
    assert "PRAGMA journal_mode=WAL" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5


def test_sqlite_options_in_the_url_win_and_are_cast():
    options = database_from_url("sqlite:///var/x.db?timeout=5&transaction_mode=EXCLUSIVE")[
        "OPTIONS"
    ]
    assert options["timeout"] == 5.0
    assert options["transaction_mode"] == "EXCLUSIVE"
    with pytest.raises(ImproperlyConfigured, match="timeout"):
        database_from_url("sqlite:///var/x.db?timeout=soon")


def _run(script: str, database: str, **env) -> dict[str, str]:
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "clinic_site.settings.test",
            "DJANGO_LOG_LEVEL": "CRITICAL",
            "DATABASE_URL": database,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The script prints "name value" lines.
    return dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())


CONCURRENCY = """
import threading, time, django
django.setup()
from django.db import connection, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE saves (who TEXT)")
    cursor.execute("PRAGMA journal_mode")
    print("journal_mode", cursor.fetchone()[0])

writer_has_lock = threading.Event()

def slow_writer():
    # An admin save that takes a while: holds the write lock for 1.5 s.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO saves VALUES ('slow')")
        writer_has_lock.set()
        time.sleep(1.5)
    connection.close()

results = {}

def second_writer():
    # Another save: reads, then writes, the pattern that fails under DEFERRED.
    writer_has_lock.wait()
    started = time.monotonic()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM saves")
            cursor.execute("INSERT INTO saves VALUES ('second')")
        results["second"] = f"ok-after-{time.monotonic() - started:.1f}s"
    except Exception as exc:
        results["second"] = "failed:" + type(exc).__name__
    connection.close()

def reader():
    # A public page view during the save.
    writer_has_lock.wait()
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM saves")
        count = cursor.fetchone()[0]
    results["reader"] = f"{count}-rows-in-{time.monotonic() - started:.2f}s"
    connection.close()

threads = [threading.Thread(target=f) for f in (slow_writer, second_writer, reader)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("second", results["second"])
print("reader", results["reader"])
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM saves")
    print("total", cursor.fetchone()[0])
"""


def test_a_second_save_waits_for_the_first_and_readers_do_not_wait(tmp_path):
    out = _run(CONCURRENCY, f"sqlite:///{tmp_path}/db.sqlite3")
    assert out["journal_mode"] == "wal"
    # The second save queued behind the first and then went through.
    assert out["second"].startswith("ok-after-"), out
    assert float(out["second"].removeprefix("ok-after-").removesuffix("s")) >= 1.0
    # The reader saw the data as it was before the save, at once.
    count, _, _, seconds = out["reader"].split("-")
    assert count == "0"
    assert float(seconds.removesuffix("s")) < 0.5
    assert out["total"] == "2"


def test_without_these_settings_the_second_save_fails(tmp_path):
    """The test above can fail: SQLite's defaults lose the second save."""
    out = _run(CONCURRENCY, f"sqlite:///{tmp_path}/db.sqlite3?transaction_mode=DEFERRED")
    assert out["second"] == "failed:OperationalError"


BACKUP_DURING_A_SAVE = """
import io, pathlib, sqlite3, sys, threading, time, django
django.setup()
from django.core.management import call_command
from django.db import connection, transaction
from treatments.models import Treatment

call_command("migrate", verbosity=0)
Treatment.objects.create(title="Peel", slug="peel", summary="s", description="d")
saving = threading.Event()

def slow_save():
    with transaction.atomic():
        Treatment.objects.create(title="Half", slug="half-saved", summary="s", description="d")
        saving.set()
        time.sleep(2)
    connection.close()

thread = threading.Thread(target=slow_save)
thread.start()
saving.wait()
started = time.monotonic()
call_command("backup", sys.argv[1], stdout=io.StringIO())
took = time.monotonic() - started
thread.join()
(copy,) = pathlib.Path(sys.argv[1]).glob("clinic-backup-*/db.sqlite3")
slugs = sorted(r[0] for r in sqlite3.connect(copy).execute("SELECT slug FROM treatments_treatment"))
print(",".join(slugs), f"{took:.1f}", Treatment.objects.count())
"""


def test_a_backup_runs_during_a_save_without_waiting_and_without_half_of_it(tmp_path):
    database = f"sqlite:///{tmp_path}/db.sqlite3"
    result = subprocess.run(
        [sys.executable, "-c", BACKUP_DURING_A_SAVE, str(tmp_path / "backups")],
        cwd=REPO,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "clinic_site.settings.test",
            "DJANGO_LOG_LEVEL": "CRITICAL",
            "DATABASE_URL": database,
        },
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    slugs, took, count_after = result.stdout.split()
    assert slugs == "peel"  # the snapshot before the unfinished save
    assert float(took) < 1.5  # did not wait for the 2-second save
    assert count_after == "2"
