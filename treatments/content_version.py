"""The content version: one number that moves on whenever anything a public page shows
changes, and the signal receivers that move it.

The page cache (``page_cache.py``) files each page under the number it was made at, so a
new number makes every cached page stale at once. The number is a database row
(``ContentVersion``), not a value in a per-process cache, so every gunicorn worker and
every app server reads the same number the moment it moves.

It moves after the change is committed (``transaction.on_commit``), never inside the
transaction:

- whoever reads the new number is sure to read the new content with it; a page made
  while the change commits can only be filed under the old number, which nobody asks
  for again;
- a transaction that rolls back never moves it, so no page made from content that never
  existed for anyone else ends up under a number that a later change will reuse.

A save or delete of any model of this app moves it (except ``ContentVersion`` itself),
including the raw saves of ``loaddata`` and of a restore from history, and many changes
in one transaction move it once. ``QuerySet.update()`` and ``bulk_create()`` send no
signals: code that changes public content that way calls ``changed()`` itself.
"""

import time
from functools import cache, partial

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.db.models.signals import post_delete, post_migrate, post_save

from treatments.models import ContentVersion

ROW = 1


@cache
def _read_sql(using: str) -> str:
    quote = connections[using].ops.quote_name
    meta = ContentVersion._meta
    number, table, pk = meta.get_field("number").column, meta.db_table, meta.pk.column
    # Names from the model and a constant: nothing from outside. No parameters, so the
    # driver has no placeholders to rewrite.
    return f"SELECT {quote(number)} FROM {quote(table)} WHERE {quote(pk)} = {ROW:d}"  # noqa: S608


def current(using: str = DEFAULT_DB_ALIAS) -> int:
    """The number now: one read by primary key. 0 while nothing has ever changed.

    Read on every request the page cache answers, so the SQL is written out once: building
    it with the ORM costs more than the rest of such a request put together.
    """
    with connections[using].cursor() as cursor:
        cursor.execute(_read_sql(using))
        row = cursor.fetchone()
    return row[0] if row else 0


def _now_microseconds() -> int:
    return time.time_ns() // 1000


def bump(using: str = DEFAULT_DB_ALIAS) -> None:
    """Move the number on now. Use ``changed()``, which waits for the commit.

    The new number is at least the time in microseconds, so it is above every number
    used before, even after a database backup with an older number is restored.
    """
    rows = ContentVersion.objects.using(using)
    moved_on = Greatest(F("number") + 1, Value(_now_microseconds()))
    if not rows.filter(pk=ROW).update(number=moved_on):
        # The first change ever. Should two processes race to create the row, both end
        # with a new number, which is all either needs.
        rows.get_or_create(pk=ROW, defaults={"number": _now_microseconds()})


def _is_pending_bump(callback, using: str) -> bool:
    return isinstance(callback, partial) and callback.func is bump and callback.args == (using,)


def changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """Public content changed: move the number on once the transaction commits (at once
    outside a transaction). Later changes in the same transaction add nothing.

    A bump already waiting was registered in this transaction or in one of its open
    savepoints; if that savepoint rolls back, so does this change, so skipping is safe.
    """
    connection = connections[using]
    if connection.in_atomic_block and any(
        _is_pending_bump(callback, using) for _, callback, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(partial(bump, using), using=using)


def _content_saved_or_deleted(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    changed(using)


# Every model of this app holds something a public page shows: treatments, sections,
# questions, reminders, pages, pictures, former addresses, the site settings.
for _model in apps.get_app_config("treatments").get_models():
    if _model is not ContentVersion:
        for _signal in (post_save, post_delete):
            _signal.connect(
                _content_saved_or_deleted,
                sender=_model,
                dispatch_uid=f"content_version.{_signal is post_save}.{_model._meta.label}",
            )


def _migrated(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Every deploy and every restore of a backup runs ``migrate``: pages cached before
    are not served after it, whatever number the database now holds."""
    bump(using)


post_migrate.connect(
    _migrated, sender=apps.get_app_config("treatments"), dispatch_uid="content_version.migrate"
)
