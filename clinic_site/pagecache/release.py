"""The release fingerprint: a short hash of what decides how pages look in this release.

It is part of every page's key, so after a deploy no server sends a page made by the
old templates, with links to static files that are gone, and during a rolling deploy an
old server and a new one never serve each other's pages.
"""

import functools
import hashlib
import importlib
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage

_SOURCE_SUFFIXES = {".py", ".html", ".txt", ".xml"}


def _folders() -> list[Path]:
    """The templates' folders, the project's own apps (those directly in ``BASE_DIR``:
    Django's and other installed apps change with their version) and the folder of the
    root URLconf, which holds the project's settings and code."""
    folders = [Path(folder) for template in settings.TEMPLATES for folder in template["DIRS"]]
    base = getattr(settings, "BASE_DIR", None)
    if base is not None:
        folders += [
            Path(app.path) for app in apps.get_app_configs() if Path(app.path).parent == Path(base)
        ]
    folders.append(Path(importlib.import_module(settings.ROOT_URLCONF).__file__).parent)
    return sorted(set(folders))


@functools.cache
def release_fingerprint() -> str:
    """Templates, Python, the static files' manifest (hashed file names in the pages)
    and Django's version, hashed. Read once per process."""
    digest = hashlib.sha256(django.get_version().encode())
    digest.update(getattr(staticfiles_storage, "manifest_hash", "").encode())
    for folder in _folders():
        for path in sorted(folder.rglob("*")):
            if path.suffix in _SOURCE_SUFFIXES and path.is_file():
                digest.update(f"{folder.name}/{path.relative_to(folder)}".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
