"""Permissions follow the models (issue 15, part 6): Editors may add, change, delete and
view every kind of content, and adding a content model without a grant fails here.

"Content" is derived, not listed: the subjects patients read (the models whose edit page
carries the review panel), every row a treatment holds (``models.document``), and the
models they point to that staff manage in the admin (the image library).
"""

import importlib

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission

from treatments.editorial.admin.review import ReviewPanelMixin
from treatments.models import EDITORS_GROUP
from treatments.models.document import child_models

ACTIONS = ("add", "change", "delete", "view")
migration = importlib.import_module("treatments.migrations.0013_editor_permissions")


def content_models() -> set[type]:
    """Every model whose rows staff write and patients read."""
    subjects = {
        model
        for model in apps.get_app_config("treatments").get_models()
        if admin.site.is_registered(model)
        and isinstance(admin.site.get_model_admin(model), ReviewPanelMixin)
    }
    found = set(subjects) | set(child_models().values())
    for model in list(found):
        for field in model._meta.get_fields():
            target = field.related_model
            if (
                field.many_to_one
                and field.concrete
                and admin.site.is_registered(target)
                and target._meta.app_label == "treatments"
            ):
                found.add(target)
    return found


def test_content_is_what_staff_write_for_patients():
    names = {model._meta.model_name for model in content_models()}
    # The derivation finds what a person would list; anything more is a new content model.
    assert {"treatment", "section", "faq", "reminder", "source", "page", "image"} <= names
    assert not names & {"sitesettings", "reviewrequest", "signoff", "publication", "user"}


@pytest.mark.django_db
def test_editors_hold_every_permission_on_every_content_model():
    granted = set(
        Group.objects.get(name=EDITORS_GROUP).permissions.values_list("codename", flat=True)
    )
    missing = [
        f"{action}_{model._meta.model_name}"
        for model in content_models()
        for action in ACTIONS
        if f"{action}_{model._meta.model_name}" not in granted
    ]
    assert not missing, f"Editors lack {missing}: grant them in a migration"


@pytest.mark.django_db
def test_the_migration_gives_back_what_the_group_lacks_and_keeps_the_rest():
    editors = Group.objects.get(name=EDITORS_GROUP)
    editors.permissions.remove(
        *Permission.objects.filter(codename__in=["change_reminder", "add_source"])
    )
    extra = Permission.objects.get(codename="change_sitesettings")
    editors.permissions.add(extra)

    migration.grant_content(apps, None)

    granted = set(editors.permissions.values_list("codename", flat=True))
    assert {"change_reminder", "add_source"} <= granted
    assert set(migration.codenames()) <= granted
    assert "change_sitesettings" in granted


def test_the_migration_lists_every_content_model_there_is_today():
    assert {model._meta.model_name for model in content_models()} == set(migration.CONTENT)
