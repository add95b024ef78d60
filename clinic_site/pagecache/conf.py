"""The page cache's settings: ``settings.PAGE_CACHE``, a dict, over these defaults.

``CACHE``
    Alias of the cache (``CACHES``) that holds the pages and the page versions. It must be
    shared by every process that serves or changes pages: a folder of files on one
    machine, Redis for several. A per-process memory cache is right only for one process.
``LOCAL_CACHE``
    Alias of a cache in each process's memory, kept in front of ``CACHE`` for the pages
    (never the versions, which are always read from ``CACHE``), or None.
``SECONDS``
    The longest a page is kept; it goes stale sooner when what it shows changes.
``MAX_AGE``
    Seconds browsers and CDNs may reuse a page without asking again (0: they ask every
    time, and get a 304 while it has not changed).
``NEVER``
    Path prefixes never cached (the admin, a health check).
``WATCH``
    ``{"app_label.Model": "dotted.path.to.function"}``: for a saved or deleted row of the
    model (and for the row as stored before a save), the function returns the URL paths
    of the pages that show it, or ``"*"`` for every page.
``NEXT_CHANGE``
    Dotted path to a function that returns when pages next change without a save (a
    scheduled publication), or None: no page is kept past that moment.

``WATCH`` is read once, when the app is ready; the rest is read again when a test
changes the setting.
"""

import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

DEFAULTS = {
    "CACHE": "default",
    "LOCAL_CACHE": None,
    "SECONDS": 60 * 60 * 24,
    "MAX_AGE": 0,
    "NEVER": (),
    "WATCH": {},
    "NEXT_CHANGE": None,
}


@dataclass(frozen=True)
class PageCacheSettings:
    cache: str
    local_cache: str | None
    seconds: int
    max_age: int
    never: tuple[str, ...]
    watch: dict[str, str] = field(hash=False)
    next_change: str | None


@functools.cache
def page_cache_settings() -> PageCacheSettings:
    """``settings.PAGE_CACHE`` over the defaults; a key that is not known is an error."""
    given = getattr(settings, "PAGE_CACHE", {})
    unknown = set(given) - set(DEFAULTS)
    if unknown:
        raise ImproperlyConfigured(
            f"PAGE_CACHE has unknown keys {sorted(unknown)}; known: {sorted(DEFAULTS)}."
        )
    values = {**DEFAULTS, **given}
    return PageCacheSettings(
        cache=values["CACHE"],
        local_cache=values["LOCAL_CACHE"],
        seconds=int(values["SECONDS"]),
        max_age=int(values["MAX_AGE"]),
        never=tuple(values["NEVER"]),
        watch=dict(values["WATCH"]),
        next_change=values["NEXT_CHANGE"],
    )


@functools.cache
def imported(dotted_path: str):
    """The function a setting names, imported on first use (the project's modules may
    import models, which are not ready when settings are read)."""
    return import_string(dotted_path)


@receiver(setting_changed)
def _setting_changed(setting: str, **kwargs) -> None:
    if setting == "PAGE_CACHE":
        page_cache_settings.cache_clear()
