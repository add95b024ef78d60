"""Where pages are kept: the shared cache, and each process's memory in front of it.

A page is stored as ``Stored(expires, versions, page)`` under its key and encoding, in
the shared cache (``PAGE_CACHE["CACHE"]``) and, when that is not this process's own
memory, in this process's memory too (``LOCAL_CACHE``): a page the process serves often
costs it no read of the page from the shared cache.

**One round trip per request.** A lookup reads, in one ``get_many`` of the shared
cache, the page's two versions (its path's and every page's) and, unless this process
holds a copy, the page. A page is served only if the versions it was stored with are
the current ones, so a copy in this process's memory is exactly as fresh as one in the
shared cache: its versions are always checked there. Only when this process's copy is
stale is the shared cache asked a second time, for a newer page another process made.

**Versions before the page.** On a miss the lookup hands back the versions to store the
new page under, read (or, when missing, written) *before* the page is made: a change
that commits while the page is being made deletes them, and the page is stale as soon
as it is stored. On a miss that makes the page, a second and third round trip write
any missing version and store the page.
"""

import time
from dataclasses import dataclass
from typing import NamedTuple

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpResponse

from clinic_site.pagecache import versions
from clinic_site.pagecache.conf import page_cache_settings
from clinic_site.pagecache.pages import stored_seconds


class Stored(NamedTuple):
    expires: float  # time.time() when the page goes, for its copy in local memory
    versions: tuple[str, ...]  # the versions (path, every page) read before it was made
    page: HttpResponse


@dataclass(frozen=True)
class Lookup:
    """What a lookup found: a fresh page, or None and the versions to store a new one
    under (None: do not store)."""

    page: HttpResponse | None
    versions: tuple[str, ...] | None


def _fresh(stored: Stored | None, current: tuple[str | None, ...]) -> bool:
    # A missing version (evicted, never written) is None, which no stored page carries.
    return stored is not None and None not in current and stored.versions == current


class PageStore:
    def __init__(self):
        conf = page_cache_settings()
        self.shared = caches[conf.cache]
        # In front of a cache that is already this process's memory, a second copy in
        # memory would save nothing.
        in_memory = isinstance(self.shared, LocMemCache | DummyCache)
        self.local = caches[conf.local_cache] if conf.local_cache and not in_memory else None

    def lookup(self, key: str, path: str) -> Lookup:
        """The page stored under ``key`` (a page's key and an encoding) if it is fresh
        for ``path``. Raises what the shared cache raises (down, timed out)."""
        version_keys = versions.keys_for(path)
        local = self.local.get(key) if self.local is not None else None
        found = self.shared.get_many([*version_keys, key] if local is None else version_keys)
        current = tuple(found.get(version_key) for version_key in version_keys)
        if _fresh(local, current):
            return Lookup(local.page, current)
        shared = found.get(key) if local is None else self.shared.get(key)
        if _fresh(shared, current):
            self._keep_locally({key: shared}, shared.expires - time.time())
            return Lookup(shared.page, current)
        return Lookup(None, versions.settle(self.shared, version_keys, found))

    def save(self, key: str, pages: dict[str, HttpResponse], made_at: tuple[str, ...]) -> None:
        """Store a page's encodings (``{encoding: response}``) under ``key`` and each
        encoding, filed under the versions ``made_at`` read before it was made. Raises
        what the shared cache raises."""
        seconds = stored_seconds()
        expires = time.time() + seconds
        entries = {
            f"{key}:{encoding}": Stored(expires, made_at, page) for encoding, page in pages.items()
        }
        self._keep_locally(entries, seconds)
        self.shared.set_many(entries, timeout=seconds)

    def _keep_locally(self, entries: dict[str, Stored], seconds: float) -> None:
        if self.local is not None and seconds >= 1:
            self.local.set_many(entries, timeout=seconds)
