"""The "Editors" group: staff who edit what patients read, but not staff or site settings.

Permissions are normally made after all migrations have run, so they are made here
first for this app; the migration can then run on an empty database.
"""

from django.db import migrations

from treatments.migrations._permissions import make_permissions

GROUP = "Editors"
# Everything about the content, including recovering deleted treatments (add + change).
EDIT = ["treatment", "section", "faq", "page", "image"]
# Made by the site itself when an address changes: seen, never edited.
VIEW_ONLY = ["formerslug"]


def codenames() -> list[str]:
    names = [
        f"{action}_{model}" for model in EDIT for action in ("add", "change", "delete", "view")
    ]
    return names + [f"view_{model}" for model in VIEW_ONLY]


def create_editors(apps, schema_editor):
    make_permissions(apps)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="treatments", codename__in=codenames())
    )


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("treatments", "0003_history_images_edit_lock"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
