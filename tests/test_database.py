"""SQLite that holds up: WAL, IMMEDIATE transactions and a busy timeout, so staff saves
during public traffic neither fail nor stall readers, and a backup can run meanwhile.

The behaviour tests run in a fresh process on a real database file (the test suite's
own database lives in memory, where none of this applies), with threads standing in
for gunicorn workers: each thread has its own connection, as each worker does.
"""

import json
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


def _script(script: str, database: str, args: tuple[str, ...] = (), **env) -> str:
    """Run ``script`` in a fresh process on ``database``; returns what it printed."""
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
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
    return result.stdout


def _run(script: str, database: str, args: tuple[str, ...] = (), **env) -> dict[str, str]:
    """The script's "name value" lines as a dict."""
    output = _script(script, database, args, **env)
    return dict(line.split(" ", 1) for line in output.strip().splitlines())


CONCURRENCY = """
import os, threading, django
django.setup()
from django.db import connection, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE saves (who TEXT)")
    cursor.execute("PRAGMA journal_mode")
    print("journal_mode", cursor.fetchone()[0])

# Nothing here is timed: each thread waits for what the others have done, and a thread that
# would wait for ever (a reader blocked by the writer) shows up as a guard running out.
GUARD = 30
first_has_lock, second_begins, second_has_read, reader_done = (
    threading.Event() for _ in range(4)
)
commit_when = second_has_read if os.environ["WAIT_FOR"] == "read" else second_begins
results = {}

def first_writer():
    # An admin save that holds the write lock until the others have had their go.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO saves VALUES ('first')")
        first_has_lock.set()
        results["reader_done_while_locked"] = reader_done.wait(GUARD)
        results["second_begun_while_locked"] = commit_when.wait(GUARD)
    connection.close()

def second_writer():
    # Another save: reads, then writes, the pattern that fails under DEFERRED.
    first_has_lock.wait()
    connection.ensure_connection()
    # Told when its BEGIN starts, which is when it starts to queue for the lock.
    connection.connection.set_trace_callback(
        lambda sql: sql.startswith("BEGIN") and second_begins.set()
    )
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM saves")
            second_has_read.set()
            cursor.execute("INSERT INTO saves VALUES ('second')")
        results["second"] = "ok"
    except Exception as exc:
        results["second"] = "failed:" + type(exc).__name__
    connection.close()

def reader():
    # A public page view during the save.
    first_has_lock.wait()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM saves")
        results["reader_saw"] = cursor.fetchone()[0]
    reader_done.set()
    connection.close()

threads = [threading.Thread(target=f) for f in (first_writer, second_writer, reader)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for name, value in sorted(results.items()):
    print(name, value)
with connection.cursor() as cursor:
    cursor.execute("SELECT group_concat(who) FROM saves")
    print("saved", cursor.fetchone()[0])
"""


def test_a_second_save_waits_for_the_first_and_readers_do_not_wait(tmp_path):
    out = _run(CONCURRENCY, f"sqlite:///{tmp_path}/db.sqlite3", WAIT_FOR="begin")
    assert out["journal_mode"] == "wal"
    # The reader read while the first save held the lock: it did not wait for the save,
    # and it saw the data as it was before it.
    assert out["reader_done_while_locked"] == "True"
    assert out["reader_saw"] == "0"
    # The second save began while the first held the lock, queued, and went through.
    assert out["second_begun_while_locked"] == "True"
    assert out["second"] == "ok", out
    assert out["saved"] == "first,second"


def test_without_these_settings_the_second_save_fails(tmp_path):
    """The test above can fail: SQLite's defaults lose the second save."""
    out = _run(
        CONCURRENCY,
        f"sqlite:///{tmp_path}/db.sqlite3?transaction_mode=DEFERRED",
        WAIT_FOR="read",
    )
    assert out["second_begun_while_locked"] == "True"
    assert out["second"] == "failed:OperationalError"
    assert out["saved"] == "first"


BACKUP_DURING_A_SAVE = """
import io, pathlib, sqlite3, sys, threading, django
django.setup()
from django.core.management import call_command
from django.db import connection, transaction
from treatments.models import Treatment

call_command("migrate", verbosity=0)
Treatment.objects.create(title="Peel", slug="peel", summary="s", description="d")
saving, backed_up = threading.Event(), threading.Event()
held = {}

def unfinished_save():
    # Holds the write lock, with a row written, until the backup is done.
    with transaction.atomic():
        Treatment.objects.create(title="Half", slug="half-saved", summary="s", description="d")
        saving.set()
        held["backup_finished_meanwhile"] = backed_up.wait(60)
    connection.close()

thread = threading.Thread(target=unfinished_save)
thread.start()
saving.wait()
call_command("backup", sys.argv[1], stdout=io.StringIO())
backed_up.set()
thread.join()
(copy,) = pathlib.Path(sys.argv[1]).glob("clinic-backup-*/db.sqlite3")
slugs = sorted(r[0] for r in sqlite3.connect(copy).execute("SELECT slug FROM treatments_treatment"))
print("copied", ",".join(slugs))
print("backup_finished_while_locked", held["backup_finished_meanwhile"])
print("after", Treatment.objects.count())
"""


def test_a_backup_runs_during_a_save_without_waiting_and_without_half_of_it(tmp_path):
    out = _run(
        BACKUP_DURING_A_SAVE,
        f"sqlite:///{tmp_path}/db.sqlite3",
        args=(str(tmp_path / "backups"),),
    )
    # The backup finished while the save still held the write lock: it never waited.
    assert out["backup_finished_while_locked"] == "True"
    assert out["copied"] == "peel"  # the snapshot before the unfinished save
    assert out["after"] == "2"


BUSY_ADMIN = """
import json, sqlite3, threading, django
django.setup()
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from tests.admin_forms import form_data
from tests.conftest import make_treatment
from treatments.models import Page, Treatment

call_command("migrate", verbosity=0)
client = Client()  # raises whatever a view raises: a 500 would end this script
client.force_login(User.objects.create_superuser("sam", "sam@example.com", "pw"))
peel = make_treatment(faqs=[("Does it hurt?", "A little.")])
change = reverse("admin:treatments_treatment_change", args=[peel.pk])
typed = form_data(client.get(change).content.decode(), "treatment_form")
typed["summary"] = "Typed while the site was busy."
typed["faqs-0-answer"] = "An answer typed while the site was busy."
page = {"title": "Opening hours", "slug": "opening-hours", "description": "When.", "body": "9-5"}

holding, release = threading.Event(), threading.Event()

def hold_the_write_lock():
    # Another connection (an import, a stuck process) holding the lock past the timeout.
    other = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    holding.set()
    release.wait()
    other.execute("ROLLBACK")
    other.close()

holder = threading.Thread(target=hold_the_write_lock)
holder.start()
holding.wait()
try:
    busy = client.post(change, typed)
    busy_page = client.post(reverse("admin:treatments_page_add"), page)
    busy_get = client.get(change)
    busy_lists = [
        client.get(reverse(f"admin:treatments_{model}_changelist")).status_code
        for model in ("treatment", "page", "sitesettings")
    ]
finally:
    release.set()
    holder.join()
saved_while_busy = [Treatment.objects.get().summary, Page.objects.count()]
again = form_data(busy.content.decode(), "treatment_form")
saved = client.post(change, again)
peel.refresh_from_db()
print(json.dumps({
    "busy": [busy.status_code, busy.content.decode()],
    "busy_page": [busy_page.status_code, busy_page.content.decode()],
    "busy_get": busy_get.status_code,
    "busy_lists": busy_lists,
    "saved_while_busy": saved_while_busy,
    "resent_as_shown": [saved.status_code, peel.summary, peel.faqs.get().answer],
}))
"""


def test_a_save_while_the_database_is_busy_keeps_the_editors_page(tmp_path):
    output = _script(
        BUSY_ADMIN,
        # A busy timeout short enough for a test; the lock is held well past it.
        f"sqlite:///{tmp_path}/db.sqlite3?timeout=0.2",
        DJANGO_LOG_LEVEL="WARNING",
    )
    *log_lines, last = output.strip().splitlines()
    out = json.loads(last)

    status, html = out["busy"]
    assert status == 200
    assert "The website is busy, so nothing was saved." in html
    assert "Please wait a minute, then press Save again." in html
    assert "Please correct the error" not in html
    # The page is the form as the editor typed it, inlines included.
    assert "Typed while the site was busy." in html
    assert "An answer typed while the site was busy." in html
    status, html = out["busy_page"]
    assert status == 200
    assert "The website is busy, so nothing was saved." in html
    assert 'value="Opening hours"' in html
    # Opening a page to edit, or a list, while busy works too: they only read, so they
    # never ask for the lock (the lists failed with "database is locked" when they did).
    assert out["busy_get"] == 200
    assert out["busy_lists"] == [200, 200, 302]  # site settings go straight to their page

    # Nothing was saved while busy...
    summary, pages = out["saved_while_busy"]
    assert summary != "Typed while the site was busy."
    assert pages == 0
    # ...and pressing Save again on the page as shown saves what was typed.
    assert out["resent_as_shown"] == [
        302,
        "Typed while the site was busy.",
        "An answer typed while the site was busy.",
    ]
    # The operations log says why.
    logged = [json.loads(line) for line in log_lines if line.startswith("{")]
    busy_lines = [entry for entry in logged if entry.get("cause") == "database_busy"]
    assert [(entry["model"], entry["http_method"]) for entry in busy_lines] == [
        ("treatments.Treatment", "POST"),
        ("treatments.Page", "POST"),
    ]
