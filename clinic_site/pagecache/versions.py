"""Page versions: one short random token per page (URL path), and one for every page,
kept in the shared cache beside the pages.

A page is stored with the tokens its path and "every page" had when it was *started*,
and is fresh while both are still there and the same. Telling the cache that pages
changed (``mark_stale``) deletes their tokens: every copy made before, in any process
on any server, is stale from then on, and the next request for such a page writes a
new token (``settle``) before it makes the page again.

So a missing token always means "changed", never "unchanged", whether a change deleted
it or the cache evicted it (or lost it in a restart). Tokens are random, never counters,
so a token written again is never one an old page could carry; and ``add`` writes one
only where none is, so two processes that find it missing at once agree on one (with
Redis; with files the second write wins, and the first process's page is merely stale).
Deleting, rather than writing new tokens, makes a save cheap whatever it touches: a
thousand treatments imported at once delete a few thousand small keys, most of which
do not exist.

Version keys are kept without expiry; under memory pressure the cache may evict them,
which costs only a page made again. Their keys hash the path, so any path is a valid
key, and carry no host: a change to ``/about/`` is a change for every host name the
site answers to.

A change the cache cannot be told (it is down) is logged and kept in this process, and
told again before this process next looks a page up (``retry_unsent``).
"""

import hashlib
import logging
import secrets
from collections.abc import Iterable

from django.core.cache import caches

from clinic_site.pagecache.conf import page_cache_settings

logger = logging.getLogger(__name__)

# The marker a watch function returns, and the "path" whose version every page carries.
EVERY_PAGE = "*"
_PREFIX = "pagecache:v:"

# Pages this process could not mark stale, to be marked again.
_unsent: set[str] = set()


def version_key(path: str) -> str:
    """The cache key of a page's version; ``EVERY_PAGE``'s for the marker."""
    if path == EVERY_PAGE:
        return f"{_PREFIX}{EVERY_PAGE}"
    return _PREFIX + hashlib.sha256(path.encode()).hexdigest()[:32]


def keys_for(path: str) -> tuple[str, str]:
    """The two versions a page at ``path`` is checked against: its own and every page's."""
    return version_key(path), version_key(EVERY_PAGE)


def settle(cache, keys: tuple[str, ...], found: dict) -> tuple[str, ...] | None:
    """The versions to file a page under that is about to be made: those ``found``, and
    for a key that was missing, a new token written now (before the page is made), or
    the one another process wrote first. None if the cache keeps none (a dummy cache)."""
    current = {key: found.get(key) for key in keys}
    lost = []
    for key in [key for key, token in current.items() if token is None]:
        token = secrets.token_hex(8)
        if cache.add(key, token, timeout=None):
            current[key] = token
        else:
            lost.append(key)
    if lost:
        current.update(cache.get_many(lost))
    versions = tuple(current[key] for key in keys)
    return None if None in versions else versions


def mark_stale(pages: Iterable[str]) -> None:
    """Delete the versions of ``pages`` (paths, or ``EVERY_PAGE``) now. Never raises: a
    cache that fails is logged and the pages are kept for ``retry_unsent``."""
    pages = set(pages)
    if not pages:
        return
    try:
        caches[page_cache_settings().cache].delete_many([version_key(page) for page in pages])
    except Exception as exc:
        _unsent.update(pages)
        logger.error(
            "Page cache unavailable (%r): %d changed page(s) not marked stale yet; "
            "trying again on this process's next request",
            exc,
            len(pages),
        )
        return
    _unsent.difference_update(pages)


def retry_unsent() -> None:
    """Mark stale again what an earlier call in this process could not."""
    if _unsent:
        mark_stale(set(_unsent))
