"""One small interface over each database's full-text engine (``base.SearchBackend``):
SQLite's FTS5 by default, PostgreSQL's full-text search in production. Callers ask
``backend()`` and never branch on the database themselves."""

import functools

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import NotSupportedError

from treatments.public.search.backends.base import SearchBackend


@functools.cache
def _for_vendor(vendor: str) -> SearchBackend:
    if vendor == "sqlite":
        from treatments.public.search.backends.sqlite import SQLiteBackend

        return SQLiteBackend()
    if vendor == "postgresql":
        from treatments.public.search.backends.postgresql import PostgreSQLBackend

        return PostgreSQLBackend()
    raise NotSupportedError(f"Site search supports SQLite and PostgreSQL, not {vendor}.")


def backend(using: str = DEFAULT_DB_ALIAS) -> SearchBackend:
    """The full-text search of the database ``using`` names."""
    return _for_vendor(connections[using].vendor)
