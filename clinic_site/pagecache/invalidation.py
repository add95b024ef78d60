"""Which pages a change makes stale, marked stale once the change commits.

**What to watch** comes from ``PAGE_CACHE["WATCH"]``: for each model, a function (a
dotted path, imported on first use) that takes a row and returns the URL paths of the
pages that show it, or ``"*"`` for every page. The app asks it about:

- a saved row, as saved, and, for a row that existed before, as it was stored before
  the save (read in ``pre_save``): a renamed page is stale at its old address and its
  new one;
- a deleted row, as it was.

Raw saves (``loaddata``, a restore from history) count too. A function that fails is
logged and taken to mean every page: a bug there must neither serve stale pages nor
break a save. ``QuerySet.update()`` and ``bulk_create()`` send no signals: code that
changes shown content that way calls ``pages_changed()`` itself.

**When.** After the transaction commits (``transaction.on_commit``), never inside it:

- whoever finds a page stale and makes it again is sure to read the new content; a
  page started while the change commits carries the versions it read before, which are
  then deleted, so it is stale at once;
- a transaction (or savepoint) that rolls back takes its pending pages with it: no
  page is marked stale for a change nobody else ever saw.

Many changes in one transaction mark each page once. Pages are gathered per savepoint
scope, exactly as Django discards on-commit callbacks when a savepoint rolls back; all
the scopes of one transaction share one batch, which marks a page only the first time
it comes up as the transaction commits. Outside a transaction (autocommit) each change
is marked at once, after its own commit.
"""

import logging
from collections.abc import Iterable
from urllib.parse import unquote

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save

from clinic_site.pagecache import versions
from clinic_site.pagecache.conf import imported, page_cache_settings
from clinic_site.pagecache.versions import EVERY_PAGE

logger = logging.getLogger(__name__)

# Where pre_save leaves the pages a row showed as stored, for post_save to add.
_SHOWN_BEFORE = "_pagecache_shown_before"


def normalised(pages: str | Iterable[str]) -> frozenset[str]:
    """Paths as ``request.path`` has them (percent-decoded), or just ``EVERY_PAGE``."""
    if isinstance(pages, str):
        pages = [pages]
    paths = frozenset(page if page == EVERY_PAGE else unquote(page) for page in pages)
    return frozenset({EVERY_PAGE}) if EVERY_PAGE in paths else paths


def pages_changed(pages: str | Iterable[str], using: str = DEFAULT_DB_ALIAS) -> None:
    """``pages`` (URL paths, or ``"*"`` for every page) change with what the transaction
    on ``using`` is writing: they go stale once it commits."""
    pages = normalised(pages)
    if pages:
        after_commit(pages, using)


class _Batch:
    """The pages one transaction has marked stale so far while it commits."""

    def __init__(self):
        self.done: set[str] = set()

    def mark_stale(self, pages: frozenset[str]) -> None:
        if EVERY_PAGE in self.done:
            return
        fresh = {EVERY_PAGE} if EVERY_PAGE in pages else set(pages) - self.done
        self.done |= fresh
        versions.mark_stale(fresh)


class _Pending:
    """An on-commit callback: the pages changed in one savepoint scope."""

    def __init__(self, batch: _Batch, pages: frozenset[str], using: str):
        self.batch, self.pages, self.using = batch, set(pages), using

    def __call__(self) -> None:
        self.batch.mark_stale(frozenset(self.pages))


def after_commit(pages: frozenset[str], using: str) -> None:
    """Mark ``pages`` stale once the transaction on ``using`` commits; at once outside one.

    (Tests whose transaction is rolled back, never committed, replace this with
    ``versions.mark_stale``.)
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        versions.mark_stale(pages)
        return
    # A scope's callback is discarded by the rollback of any savepoint it was registered
    # in. One registered while every savepoint open now was already open (and perhaps
    # others since released) goes exactly when this change goes: join it. Only the
    # latest of ours is looked at, so a transaction of many changes costs no scan.
    open_now = {sid for sid in connection.savepoint_ids if sid is not None}
    for sids, callback, _robust in reversed(connection.run_on_commit):
        if isinstance(callback, _Pending) and callback.using == using:
            if sids >= open_now:
                callback.pages |= pages
            else:
                transaction.on_commit(_Pending(callback.batch, pages, using), using=using)
            return
    transaction.on_commit(_Pending(_Batch(), pages, using), using=using)


def _pages_showing(model: type[Model], instance: Model) -> frozenset[str]:
    path = page_cache_settings().watch.get(model._meta.label)
    try:
        return normalised(imported(path)(instance))
    except Exception:
        logger.exception("%s failed for %s; every page is taken as changed", path, instance)
        return frozenset({EVERY_PAGE})


def _before_save(sender, instance: Model, raw: bool = False, using=DEFAULT_DB_ALIAS, **kwargs):
    # A raw save (loaddata, a restore) may overwrite a stored row whatever _state says.
    if instance.pk is None or (instance._state.adding and not raw):
        return
    stored = sender._base_manager.using(using).filter(pk=instance.pk).first()
    if stored is not None:
        vars(instance)[_SHOWN_BEFORE] = _pages_showing(sender, stored)


def _saved(sender, instance: Model, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    before = vars(instance).pop(_SHOWN_BEFORE, frozenset())
    pages_changed(before | _pages_showing(sender, instance), using)


def _deleted(sender, instance: Model, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    pages_changed(_pages_showing(sender, instance), using)


def _migrated(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Every deploy and every restore of a backup runs ``migrate`` (and ``flush`` sends
    the same signal): content may have changed under the cache without a save, so every
    page is stale. Sent once per app; each time is one small delete."""
    versions.mark_stale({EVERY_PAGE})


def watch_models() -> None:
    """Connect the receivers for every model in ``PAGE_CACHE["WATCH"]``."""
    for label in page_cache_settings().watch:
        model = apps.get_model(label)
        for signal, receiver, name in (
            (pre_save, _before_save, "pre_save"),
            (post_save, _saved, "post_save"),
            (post_delete, _deleted, "post_delete"),
        ):
            signal.connect(receiver, sender=model, dispatch_uid=f"pagecache.{name}.{label}")
    post_migrate.connect(_migrated, dispatch_uid="pagecache.migrate")
