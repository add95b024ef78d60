"""Verify a backup folder against its manifest before anyone has to rely on it.

``manage.py restore_check DIR`` (or ``--latest FOLDER``: the newest backup in FOLDER)
reads ``DIR/manifest.json`` (written by ``backup``) and checks, stopping at the first
mismatch, which it names:

1. every file the manifest lists is there, with the same size and SHA-256, and no file
   is there that it does not list;
2. a SQLite copy passes ``PRAGMA integrity_check`` and holds, table by table, the rows
   the manifest counted when the backup was made;
3. a PostgreSQL archive is listed by ``pg_restore --list`` with every table the manifest
   counted (its rows can only be counted once restored: see docs/operations.md).

It exits 0 and says what it checked when everything matches, non-zero otherwise. It
reads nothing but DIR: no system checks, no database of the site.
"""

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from treatments.management.commands.backup import MANIFEST, MANIFEST_FORMAT, file_list


class Mismatch(CommandError):
    """The backup differs from its manifest."""


def _read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise Mismatch(
            f"{path} is missing: this is not a backup made by `manage.py backup`, or one "
            "that did not finish."
        )
    try:
        manifest = json.loads(path.read_text())
    except ValueError as exc:
        raise Mismatch(f"{path} is not valid JSON: {exc}") from None
    if manifest.get("format") != MANIFEST_FORMAT:
        raise Mismatch(f"{path} has format {manifest.get('format')!r}; expected {MANIFEST_FORMAT}.")
    return manifest


def check_files(folder: Path, listed: dict[str, dict]) -> int:
    """Compare the files in ``folder`` with the manifest's list; returns how many match."""
    found = file_list(folder)
    for name, expected in listed.items():
        actual = found.get(name)
        if actual is None:
            raise Mismatch(f"{name}: missing (the manifest lists it).")
        if actual["bytes"] != expected["bytes"]:
            raise Mismatch(
                f"{name}: {actual['bytes']} bytes, the manifest says {expected['bytes']}."
            )
        if actual["sha256"] != expected["sha256"]:
            raise Mismatch(f"{name}: its SHA-256 differs from the manifest's (changed since).")
    extra = sorted(set(found) - set(listed))
    if extra:
        raise Mismatch(f"{extra[0]}: not in the manifest (added since the backup was made).")
    return len(listed)


def check_sqlite_rows(database: Path, rows: dict[str, dict]) -> None:
    """The copy is whole and holds the rows the manifest counted."""
    with sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True) as copy:
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise Mismatch(f"{database.name}: SQLite's integrity check says {result}.")
        for label, entry in rows.items():
            table = entry["table"].replace('"', '""')
            try:
                (count,) = copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()  # noqa: S608
            except sqlite3.OperationalError as exc:
                raise Mismatch(f"{label} ({entry['table']}): {exc}.") from None
            if count != entry["rows"]:
                raise Mismatch(
                    f"{label} ({entry['table']}): {count} rows in {database.name}, the "
                    f"manifest says {entry['rows']}."
                )


def check_pgdump_tables(archive: Path, rows: dict[str, dict]) -> bool:
    """Every counted table is in the archive's list; False when pg_restore is missing."""
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        return False
    result = subprocess.run(  # noqa: S603 - a fixed program with our own arguments
        [pg_restore, "--list", str(archive)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise Mismatch(f"{archive.name}: pg_restore cannot read it: {result.stderr.strip()}")
    # "3456; 0 16390 TABLE DATA public treatments_treatment owner": schema, then table.
    listed = {
        line.split(" TABLE DATA ", 1)[1].split()[1]
        for line in result.stdout.splitlines()
        if " TABLE DATA " in line and len(line.split(" TABLE DATA ", 1)[1].split()) >= 2
    }
    for label, entry in rows.items():
        if entry["table"] not in listed:
            raise Mismatch(f"{label} ({entry['table']}): no table data in {archive.name}.")
    return True


class Command(BaseCommand):
    help = "Verify a backup folder against its manifest.json; exits non-zero on a mismatch."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="A clinic-backup-<time> folder.")
        parser.add_argument(
            "--latest",
            action="store_true",
            help="BACKUP is the folder of backups: check the newest clinic-backup-* in it.",
        )

    def handle(self, *args, backup: Path, latest: bool, **options):
        if not backup.is_dir():
            raise CommandError(f"{backup} is not a folder.")
        if latest:
            # The names carry the UTC time, so the last in order is the newest.
            found = sorted(p for p in backup.glob("clinic-backup-*") if p.is_dir())
            if not found:
                raise Mismatch(f"No clinic-backup-* folder in {backup}.")
            backup = found[-1]
        manifest = _read_manifest(backup)
        matched = check_files(backup, manifest["files"])
        self.stdout.write(f"Files: {matched} match their size and SHA-256.")
        database = backup / manifest["database"]["file"]
        rows = manifest["rows"]
        total = sum(entry["rows"] for entry in rows.values())
        if manifest["database"]["vendor"] == "sqlite":
            check_sqlite_rows(database, rows)
            self.stdout.write(
                f"Database: {database.name} passes SQLite's integrity check and holds "
                f"{total} rows in {len(rows)} tables, as counted."
            )
        elif check_pgdump_tables(database, rows):
            self.stdout.write(
                f"Database: {database.name} lists all {len(rows)} tables; restore it to "
                "count their rows (docs/operations.md)."
            )
        else:
            self.stdout.write(
                f"Database: {database.name} matches its SHA-256; pg_restore is not "
                "installed, so its table list was not read."
            )
        self.stdout.write(self.style.SUCCESS(f"{backup} is a whole backup."))
