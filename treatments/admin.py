"""Django's admin finds ``<app>.admin``; the editing screens live in ``editorial.admin``."""

from treatments.editorial import admin  # noqa: F401 - registers the admin screens
