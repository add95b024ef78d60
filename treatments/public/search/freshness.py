"""Which generation of search results is current: part of every results cache key.

The generation is a short random token kept in the cache beside the results, with the
time the next scheduled publication goes live. It is replaced, so every result cached
before is never read again, when:

- a publication is saved or deleted, or a synonym changes (``changed()``, called by
  ``signals`` once the change commits: a publication made, scheduled, signed or taken
  off, a treatment deleted);
- a scheduled publication's time comes: that needs no save, so the token carries the
  time and is not used from then on (``current()``);
- the cache loses it (evicted, restarted): a missing token always means "changed".

A token is random, never a counter, so a new one never matches results an old one
stored. Reading it costs one cache read and no SQL; working out a new one costs one
small query (the next go-live time). There is no content version to read: the page cache
(``clinic_site.pagecache``) keeps its own tokens per page, and results pages carry a
query string, which it never stores.
"""

import contextlib
import datetime
import secrets

from django.core.cache import caches
from django.db import transaction

from treatments.public.cache import next_scheduled_change

CACHE_ALIAS = "default"
KEY = "search:generation"


def _cache():
    return caches[CACHE_ALIAS]


def current(now: datetime.datetime) -> str:
    """The token results cached now are filed under. Never raises: with the cache down,
    a fresh token each time (results are then never reused)."""
    stored = None
    with contextlib.suppress(Exception):
        stored = _cache().get(KEY)
    if stored is not None:
        token, next_go_live = stored
        if next_go_live is None or now < next_go_live:
            return token
    token = secrets.token_hex(8)
    with contextlib.suppress(Exception):
        _cache().set(KEY, (token, next_scheduled_change()), timeout=None)
    return token


def _forget() -> None:
    with contextlib.suppress(Exception):
        _cache().delete(KEY)


def changed() -> None:
    """Cached results are stale once the current transaction commits (at once outside
    one), and, in case a search ran meanwhile and filed results under the old token,
    at once as well."""
    _forget()
    transaction.on_commit(_forget)
