"""Write a consistent copy of the database, the content as files from the same snapshot,
uploads, and a manifest that ``restore_check`` verifies.

``manage.py backup [DIR]`` makes ``DIR/clinic-backup-<UTC time>/`` holding:

- ``db.sqlite3``: a copy made with SQLite's online backup API in one step, so one read
  transaction, so one consistent snapshot, while the site keeps serving and staff keep
  saving (copying the file with ``cp`` could catch a write half-done, and would miss
  what is still in the ``-wal`` file). Checked with ``PRAGMA integrity_check``.
  On PostgreSQL, ``db.pgdump`` from ``pg_dump --format=custom`` instead.
  This is the backup to restore.
- ``content/``: every treatment and page as Markdown, exported from the same snapshot
  as the database copy: on SQLite from the copy itself; on PostgreSQL inside the
  REPEATABLE READ transaction whose snapshot pg_dump was given (``--snapshot``).
- ``media/``: uploaded files, when there are any.
- ``manifest.json``: rows per model in the snapshot, and the size and SHA-256 of every
  other file, written last.

The folder is built under a hidden ``.clinic-backup-<time>.partial`` name and renamed
when whole, so a folder named ``clinic-backup-*`` is never half a backup.

In WAL mode (the site's setting) the copy never waits for a save: readers do not wait
for writers. A database in the old rollback-journal mode (a copy just put back, say)
refuses readers while a writer commits; then the backup waits for up to
``--lock-wait`` seconds, saying so, and fails clearly after that.

It runs no system checks: Django's model checks open the database, which is exactly
what a backup must not depend on. It checks what it needs itself.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from treatments.content.sync import export_content

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
# How long to wait for a database another connection holds locked against readers.
LOCK_WAIT_SECONDS = 60.0
# How often SQLite's backup is retried while the database is locked (milliseconds).
_RETRY_MS = 100


@dataclass
class Snapshot:
    """What was copied: the database file, the rows per model, the content files."""

    database_file: Path
    rows: dict[str, dict]
    content_files: list[Path]
    lock_waited: float = 0.0


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_list(folder: Path) -> dict[str, dict]:
    """Every file under ``folder`` but the manifest: relative path -> bytes and SHA-256."""
    return {
        path.relative_to(folder).as_posix(): {
            "bytes": path.stat().st_size,
            "sha256": sha256_of(path),
        }
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.relative_to(folder).as_posix() != MANIFEST
    }


def count_rows() -> dict[str, dict]:
    """Rows of every model's table in the default database, as it sees them now."""
    connection = connections[DEFAULT_DB_ALIAS]
    tables = set(connection.introspection.table_names())
    rows = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if model._meta.proxy or table not in tables:
                continue
            # A table name from the models, quoted by the backend: not user input.
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows[model._meta.label] = {"table": table, "rows": cursor.fetchone()[0]}
    return dict(sorted(rows.items()))


@contextmanager
def database_file_as_default(path: Path) -> Iterator[None]:
    """Point the ORM's default database at the SQLite file ``path``, read-only.

    ``export_content`` and ``count_rows`` read through the default database; meanwhile
    they read the copy, and so the very snapshot it holds. No ``init_command``: the copy
    stays as it is, in no WAL mode, unchanged.
    """
    original = connections[DEFAULT_DB_ALIAS]
    settings_dict = {
        **original.settings_dict,
        "NAME": f"{path.resolve().as_uri()}?mode=ro",
        "OPTIONS": {},
        "CONN_MAX_AGE": 0,
    }
    copy = original.__class__(settings_dict, alias=DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = copy
    try:
        yield
    finally:
        copy.close()
        connections[DEFAULT_DB_ALIAS] = original


def pg_dump_command(
    pg_dump: str, params: dict, destination: Path, snapshot: str | None, lock_wait: float
) -> list[str]:
    """pg_dump's arguments; the password goes in the environment, never here."""
    command = [
        pg_dump,
        "--format=custom",
        "--no-owner",
        f"--file={destination}",
        f"--lock-wait-timeout={max(1, int(lock_wait * 1000))}",
    ]
    if snapshot:
        command.append(f"--snapshot={snapshot}")
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if params.get(key):
            command.append(f"{flag}={params[key]}")
    command.append(params["NAME"])
    return command


class Command(BaseCommand):
    help = (
        "Copy the database, the content as Markdown from the same snapshot, uploads and a "
        "manifest to DIR/clinic-backup-<time>/."
    )
    # Django's checks open the database (JSONField asks SQLite what it supports): a
    # backup must not fail because of them, nor wait for a lock on their account.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "backup_dir",
            nargs="?",
            type=Path,
            default=settings.VAR_DIR / "backups",
            help="Where to put the backup folder (default: var/backups/).",
        )
        parser.add_argument(
            "--lock-wait",
            type=float,
            default=LOCK_WAIT_SECONDS,
            metavar="SECONDS",
            help=f"How long to wait for a locked database (default {LOCK_WAIT_SECONDS:g}).",
        )

    def handle(self, *args, backup_dir: Path, lock_wait: float, **options):
        started = time.monotonic()
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor not in {"sqlite", "postgresql"}:
            raise CommandError(f"Backing up a {connection.vendor} database is not supported.")
        name = f"clinic-backup-{datetime.now(tz=UTC).strftime('%Y%m%dT%H%M%SZ')}"
        target = backup_dir / name
        partial = backup_dir / f".{name}.partial"
        if target.exists():
            raise CommandError(f"{target} already exists; wait a second and run again.")
        try:
            partial.mkdir(parents=True)
        except FileExistsError:
            raise CommandError(f"{partial} exists: is another backup running?") from None

        try:
            if connection.vendor == "sqlite":
                snapshot = self.backup_sqlite(connection, partial, lock_wait)
            else:
                snapshot = self.backup_postgresql(connection, partial, lock_wait)
            media = self._copy_media(partial / "media")
            files = file_list(partial)
            manifest = {
                "format": MANIFEST_FORMAT,
                "made_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
                "database": {"vendor": connection.vendor, "file": snapshot.database_file.name},
                "rows": snapshot.rows,
                "files": files,
            }
            (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
            partial.rename(target)
        except BaseException:
            # Never leave something that looks like a backup but is not a whole one.
            shutil.rmtree(partial, ignore_errors=True)
            raise
        self._report(target, snapshot, media, files, time.monotonic() - started)

    def _report(self, target: Path, snapshot: Snapshot, media: int, files: dict, took: float):
        size = sum(entry["bytes"] for entry in files.values())
        self.stdout.write(f"Database: {target / snapshot.database_file.name}")
        self.stdout.write(f"Content: {len(snapshot.content_files)} files in {target / 'content'}")
        if media:
            self.stdout.write(f"Uploads: {media} files in {target / 'media'}")
        total_rows = sum(entry["rows"] for entry in snapshot.rows.values())
        self.stdout.write(f"Rows: {total_rows} in {len(snapshot.rows)} tables")
        self.stdout.write(f"Manifest: {target / MANIFEST} ({len(files)} files, SHA-256)")
        if snapshot.lock_waited:
            self.stdout.write(f"Waited {snapshot.lock_waited:.1f} s for the database lock.")
        self.stdout.write(f"Took {took:.1f} s; {size / 1_000_000:.1f} MB.")
        self.stdout.write(self.style.SUCCESS(f"Backup written to {target}"))

    # -- SQLite ------------------------------------------------------------------------

    def backup_sqlite(self, connection, folder: Path, lock_wait: float) -> Snapshot:
        destination = folder / "db.sqlite3"
        waited = self.copy_sqlite(str(connection.settings_dict["NAME"]), destination, lock_wait)
        # Rows and content from the copy: the very snapshot it holds, whatever staff save
        # on the live database meanwhile.
        with database_file_as_default(destination):
            rows = count_rows()
            written = export_content(folder / "content")
        return Snapshot(destination, rows, written, waited)

    def copy_sqlite(self, name: str, destination: Path, lock_wait: float) -> float:
        """Copy the database at ``name`` to ``destination``; returns seconds spent waiting."""
        # A connection of its own, read-only: in WAL mode its read transaction is a
        # snapshot that the site's writers neither block nor change. No busy timeout of its
        # own: a locked database comes back at once, to be waited for below, out loud.
        uri = name if name.startswith("file:") else f"{Path(name).resolve().as_uri()}?mode=ro"
        started = time.monotonic()
        waiting = {"since": None}

        def wait_for_the_lock(status, remaining, total):
            if status not in {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}:
                return
            now = time.monotonic()
            if waiting["since"] is None:
                waiting["since"] = now
                self.stderr.write(
                    "The database is locked by another connection (a save, an import or a "
                    f"stuck process). Waiting up to {lock_wait:g} s for it; the site keeps "
                    "running meanwhile."
                )
            if now - waiting["since"] >= lock_wait:
                raise CommandError(
                    f"The database stayed locked for {lock_wait:g} s, so no backup was made. "
                    "Run the backup again in a few minutes, or allow longer with "
                    "--lock-wait 600. If it keeps happening, something holds the lock: look "
                    "for a running import_content, or restart the site "
                    "(systemctl restart clinic)."
                )

        source = sqlite3.connect(uri, uri=True, timeout=0)
        copy = sqlite3.connect(destination)
        try:
            # All pages in one step: one read transaction, so one consistent snapshot.
            source.backup(copy, pages=-1, progress=wait_for_the_lock, sleep=_RETRY_MS / 1000)
            # One self-contained file: the site turns WAL back on when it opens it.
            copy.execute("PRAGMA journal_mode=DELETE")
            result = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
            source.close()
        if result != "ok":
            raise CommandError(f"The copy failed SQLite's integrity check: {result}")
        return 0.0 if waiting["since"] is None else time.monotonic() - started

    # -- PostgreSQL ----------------------------------------------------------------------

    def backup_postgresql(self, connection, folder: Path, lock_wait: float) -> Snapshot:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise CommandError(
                "This site uses PostgreSQL, and pg_dump is not on PATH. Install the PostgreSQL "
                "client tools of the server's version (Debian: postgresql-client) and run "
                "again. Nothing was written."
            )
        destination = folder / "db.pgdump"
        # One REPEATABLE READ transaction: pg_dump dumps its exported snapshot, and the
        # rows and the content are read in it afterwards, so all three see the same data.
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            params = connection.settings_dict
            self.run_pg_dump(
                pg_dump_command(pg_dump, params, destination, snapshot, lock_wait), params
            )
            rows = count_rows()
            written = export_content(folder / "content")
        return Snapshot(destination, rows, written)

    def run_pg_dump(self, command: list[str], params: dict) -> None:
        environment = {**os.environ}
        if params.get("PASSWORD"):
            # The environment, not the command line, where other users could read it.
            environment["PGPASSWORD"] = params["PASSWORD"]
        result = subprocess.run(  # noqa: S603 - a fixed program with our own arguments
            command, env=environment, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            message = result.stderr.strip()
            if "lock" in message:
                message += (
                    " (a table stayed locked longer than --lock-wait allows; a migration "
                    "may be running: run the backup again once it has finished)"
                )
            raise CommandError(f"pg_dump failed: {message}")

    def _copy_media(self, destination: Path) -> int:
        media_root = Path(settings.MEDIA_ROOT)
        if not media_root.is_dir() or not any(media_root.iterdir()):
            return 0
        shutil.copytree(media_root, destination)
        return sum(1 for path in destination.rglob("*") if path.is_file())
