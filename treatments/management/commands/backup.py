"""Write a consistent copy of the database and every treatment as content files.

``manage.py backup [DIR]`` makes ``DIR/clinic-backup-<UTC time>/`` holding:

- ``db.sqlite3``: a copy made with SQLite's online backup API, which reads one
  consistent snapshot while the site keeps serving and staff keep saving (copying
  the file with ``cp`` could catch a write half-done, and would miss what is still
  in the ``-wal`` file). The copy is checked with ``PRAGMA integrity_check``.
  This is the backup to restore.
  On PostgreSQL, ``db.pgdump`` from ``pg_dump --format=custom`` instead; without
  ``pg_dump`` on PATH the command refuses, and says so, rather than write half a backup.
- ``content/``: ``export_content`` of every treatment and page, taken right after,
  readable and restorable with ``import_content`` even without the database.
- ``media/``: uploaded files, when there are any.

docs/operations.md says how to restore from each part.
"""

import os
import shutil
import sqlite3
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from treatments.content.sync import export_content

# How long to wait for a database that another process holds locked (not in WAL mode).
LOCK_WAIT_SECONDS = 60


class Command(BaseCommand):
    help = "Copy the database, the content as Markdown and uploads to DIR/clinic-backup-<time>/."

    def add_arguments(self, parser):
        parser.add_argument(
            "backup_dir",
            nargs="?",
            type=Path,
            default=settings.VAR_DIR / "backups",
            help="Where to put the backup folder (default: var/backups/).",
        )

    def handle(self, *args, backup_dir: Path, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor not in {"sqlite", "postgresql"}:
            raise CommandError(f"Backing up a {connection.vendor} database is not supported.")
        stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
        target = backup_dir / f"clinic-backup-{stamp}"
        try:
            target.mkdir(parents=True)
        except FileExistsError:
            raise CommandError(f"{target} already exists; wait a second and run again.") from None

        try:
            if connection.vendor == "sqlite":
                database_file = self.backup_sqlite(connection, target / "db.sqlite3")
            else:
                database_file = self.backup_postgresql(connection, target / "db.pgdump")
            # Taken just after the database copy: the same content unless a member of staff
            # saved in between. The database copy is the one to restore.
            written = export_content(target / "content")
            media = self._copy_media(target / "media")
        except Exception:
            # Never leave something that looks like a backup but is not a whole one.
            shutil.rmtree(target, ignore_errors=True)
            raise

        self.stdout.write(f"Database: {database_file}")
        self.stdout.write(f"Content: {len(written)} files in {target / 'content'}")
        if media:
            self.stdout.write(f"Uploads: {media} files in {target / 'media'}")
        self.stdout.write(self.style.SUCCESS(f"Backup written to {target}"))

    def backup_sqlite(self, connection, destination: Path) -> Path:
        name = str(connection.settings_dict["NAME"])
        # A connection of its own, read-only: in WAL mode its read transaction is a
        # snapshot that the site's writers neither block nor change.
        uri = name if name.startswith("file:") else f"{Path(name).resolve().as_uri()}?mode=ro"
        started = time.monotonic()

        def give_up_if_locked_too_long(status, remaining, total):
            # Python retries a locked database for ever; a backup should say so instead.
            if time.monotonic() - started > LOCK_WAIT_SECONDS:
                raise CommandError(
                    f"The database stayed locked for {LOCK_WAIT_SECONDS} s; nothing was copied."
                )

        source = sqlite3.connect(uri, uri=True)
        copy = sqlite3.connect(destination)
        try:
            # All pages in one step: one read transaction, so one consistent snapshot.
            source.backup(copy, pages=-1, progress=give_up_if_locked_too_long)
            # One self-contained file: the site turns WAL back on when it opens it.
            copy.execute("PRAGMA journal_mode=DELETE")
            result = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
            source.close()
        if result != "ok":
            raise CommandError(f"The copy failed SQLite's integrity check: {result}")
        return destination

    def backup_postgresql(self, connection, destination: Path) -> Path:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise CommandError(
                "This site uses PostgreSQL, and pg_dump is not on PATH. Install the PostgreSQL "
                "client tools of the server's version (Debian: postgresql-client) and run "
                "again. Nothing was written."
            )
        params = connection.settings_dict
        command = [pg_dump, "--format=custom", "--no-owner", f"--file={destination}"]
        for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if params.get(key):
                command.append(f"{flag}={params[key]}")
        command.append(params["NAME"])
        environment = {**os.environ}
        if params.get("PASSWORD"):
            # The environment, not the command line, where other users could read it.
            environment["PGPASSWORD"] = params["PASSWORD"]
        result = subprocess.run(  # noqa: S603 - a fixed program with our own arguments
            command, env=environment, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        return destination

    def _copy_media(self, destination: Path) -> int:
        media_root = Path(settings.MEDIA_ROOT)
        if not media_root.is_dir() or not any(media_root.iterdir()):
            return 0
        shutil.copytree(media_root, destination)
        return sum(1 for path in destination.rglob("*") if path.is_file())
