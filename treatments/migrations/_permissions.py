"""Permissions for groups made by data migrations (0004, 0007, 0010, 0012, 0013).

Django makes permissions after all migrations have run, so a migration that gives a
group permissions on a new model makes them first, for this app.
"""

from django.contrib.auth.management import create_permissions


def make_permissions(apps) -> None:
    app_config = apps.get_app_config("treatments")
    # create_permissions skips an app config without a models module, which is what a
    # migration's app config is; lend it one for the call.
    had_module = hasattr(app_config, "models_module")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        if had_module:
            app_config.models_module = models_module
        else:
            del app_config.models_module


def grant(apps, group_name: str, codenames: list[str]) -> None:
    """Give ``group_name`` (made if need be) these treatments permissions, on top of its own."""
    make_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=group_name)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="treatments", codename__in=codenames)
    )
