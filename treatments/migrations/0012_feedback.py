"""Patient feedback ("Is this page helpful?") and the searches that found nothing.

Editors and clinical reviewers read both, and may mark a comment as handled (a change).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from treatments.migrations._permissions import grant

FEEDBACK_PERMISSIONS = ["view_feedback", "change_feedback", "view_unansweredsearch"]


def roles(apps, schema_editor):
    for group in ("Editors", "Clinical reviewers"):
        grant(apps, group, FEEDBACK_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("treatments", "0011_facts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="UnansweredSearch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("query", models.CharField(max_length=100)),
                ("day", models.DateField(default=django.utils.timezone.localdate)),
                ("count", models.PositiveIntegerField(default=1)),
            ],
            options={
                "verbose_name": "search that found nothing",
                "verbose_name_plural": "searches that found nothing",
                "ordering": ["-day", "-count", "query"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("query", "day"), name="unanswered_search_once_a_day"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Feedback",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("object_id", models.PositiveBigIntegerField()),
                ("subject_title", models.CharField(max_length=120, verbose_name="page")),
                (
                    "page",
                    models.CharField(
                        choices=[
                            ("detail", "Treatment page"),
                            ("faq", "Questions page"),
                            ("before", "Before-your-visit sheet"),
                            ("aftercare", "Aftercare sheet"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "content_hash",
                    models.CharField(blank=True, max_length=64, verbose_name="content version"),
                ),
                ("helpful", models.BooleanField()),
                ("comment", models.TextField(blank=True, max_length=500)),
                ("day", models.DateField(db_index=True, default=django.utils.timezone.localdate)),
                ("handled_at", models.DateTimeField(blank=True, null=True)),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "handled_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "publication",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="treatments.publication",
                    ),
                ),
            ],
            options={
                "verbose_name": "page feedback",
                "verbose_name_plural": "page feedback",
                "ordering": ["-day", "-id"],
                "indexes": [
                    models.Index(
                        fields=["content_type", "object_id", "day"],
                        name="treatments__content_dcb33d_idx",
                    )
                ],
            },
        ),
        migrations.RunPython(roles, migrations.RunPython.noop),
    ]
