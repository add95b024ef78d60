"""Editors may add, change, delete and view every kind of content row.

Migration 0004 gave them treatments, sections, questions, pages and pictures; 0007 added
aftercare reminders and sources. This one grants the whole list again, so a database
whose group lost a permission (or was made before a model existed) ends up complete.
tests/test_editor_permissions.py fails when a content model is added without a grant.
Nothing is taken away: a group that holds more keeps it.
"""

from django.db import migrations

from treatments.migrations._permissions import grant

EDITORS = "Editors"
# Content staff write, as of this migration: a treatment with its rows, site pages, and
# the image library. A model added later gets its own grant in its own migration.
CONTENT = ["treatment", "section", "faq", "reminder", "source", "page", "image"]
ACTIONS = ("add", "change", "delete", "view")


def codenames() -> list[str]:
    return [f"{action}_{model}" for model in CONTENT for action in ACTIONS]


def grant_content(apps, schema_editor) -> None:
    grant(apps, EDITORS, codenames())


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("treatments", "0012_feedback"),
    ]

    # Reversing keeps the permissions: 0004 and 0007 gave most of them already.
    operations = [migrations.RunPython(grant_content, migrations.RunPython.noop)]
