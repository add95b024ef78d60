"""Staff sessions that give way to a busy database, and how to tell that it is busy.

Sessions live in the database, and ``SESSION_SAVE_EVERY_REQUEST`` writes each staff
session again on every request to move its idle timeout on. On SQLite that write needs
the write lock, like a save: while another connection holds the lock, Django's own store
waits the whole busy timeout and then fails the request (400 "session interrupted").
That would turn the admin's "busy, nothing saved" page (``admin/busy.py``) into an error,
and double the time the editor waits. So a write that only moves the timeout on waits
briefly for the lock and, if it is still held, is skipped: the session ends a little
sooner than it would have. A session that changed (a sign-in, a sign-out) is saved as
Django saves it, waiting and failing as before.
"""

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router

logger = logging.getLogger(__name__)

# How long the refresh of an unchanged session waits for SQLite's write lock.
REFRESH_LOCK_WAIT_MS = 500
# Python's sqlite3 waits 5 seconds unless the settings say otherwise.
_SQLITE_DEFAULT_TIMEOUT = 5.0
# SQLite's primary result codes for "another connection holds the lock".
_SQLITE_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
# PostgreSQL: lock_not_available (lock_timeout or NOWAIT).
_POSTGRES_BUSY_STATES = {"55P03"}


def is_busy(exc: BaseException | None) -> bool:
    """True when ``exc`` (or what it wraps) says another connection holds a lock we need."""
    while exc is not None:
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in _SQLITE_BUSY_CODES:
            return True
        if getattr(exc, "sqlstate", None) in _POSTGRES_BUSY_STATES:
            return True
        if "database is locked" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@contextmanager
def brief_lock_wait(connection, milliseconds: int) -> Iterator[None]:
    """Make SQLite wait at most ``milliseconds`` for a lock, then put the timeout back."""
    if connection.vendor != "sqlite":
        yield
        return
    configured = connection.settings_dict["OPTIONS"].get("timeout", _SQLITE_DEFAULT_TIMEOUT)
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(float(configured) * 1000)}")


class SessionStore(DatabaseSessionStore):
    """Django's database sessions; the refresh of an unchanged one gives way when busy."""

    def save(self, must_create: bool = False) -> None:
        if must_create or self.modified or self.session_key is None:
            super().save(must_create)
            return
        connection = connections[router.db_for_write(self.model)]
        try:
            with brief_lock_wait(connection, REFRESH_LOCK_WAIT_MS):
                super().save()
        except UpdateError as exc:
            if not is_busy(exc.__context__):
                raise
            logger.info(
                "Staff session not refreshed: the database is busy.",
                extra={"cause": "database_busy"},
            )
