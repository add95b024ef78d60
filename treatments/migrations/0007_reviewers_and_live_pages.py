"""Roles for clinical review, and today's public pages kept public as publications.

- The "Clinical reviewers" group: they read everything and decide submissions. Their
  name and title come from a staff profile a superuser fills in.
- Editors may now edit aftercare reminders and sources too (migration 0004 predates
  them), and read the review queue and its records.
- Every published treatment and every page becomes a ``Publication`` with no sign-off:
  patients go on seeing what they saw (with the notice that no clinician has checked
  it), and nothing claims a review that did not happen. The stored HTML is used as it
  is, so no Markdown runs here. The free-text "reviewed by" is not a sign-off: where
  it named someone, a review event keeps what it said, for the record.
"""

from django.db import migrations
from django.utils import timezone

from treatments.migrations._permissions import grant

REVIEWERS = "Clinical reviewers"
EDITORS = "Editors"
CONTENT = ["treatment", "section", "faq", "reminder", "source", "page", "image"]
RECORDS = ["reviewrequest", "signoff", "reviewevent", "publication"]
GLANCE = ("duration", "numbing", "downtime", "sessions", "results_show")
NOT_A_REVIEWER = ("", "pending clinical review")


def roles(apps, schema_editor):
    grant(
        apps,
        EDITORS,
        [f"{a}_{m}" for m in ("reminder", "source") for a in ("add", "change", "delete", "view")],
    )
    grant(apps, EDITORS, [f"view_{m}" for m in RECORDS])
    grant(apps, REVIEWERS, [f"view_{m}" for m in [*CONTENT, *RECORDS, "formerslug"]])
    grant(apps, REVIEWERS, ["change_reviewrequest"])


def _fields(treatment) -> dict:
    names = ("title", "slug", "summary", "description", *GLANCE, "status")
    fields = {name: getattr(treatment, name) for name in names}
    fields["review_interval_months"] = treatment.review_interval_months
    fields["publish_at"] = treatment.publish_at.isoformat() if treatment.publish_at else None
    return fields


def _snapshot(treatment) -> dict:
    return {
        "fields": _fields(treatment),
        "rows": {
            "reminders": [
                {"after_days": r.after_days, "title": r.title}
                for r in treatment.reminders.order_by("after_days", "id")
            ],
            "sources": [],
        },
        "sections": [
            {"kind": s.kind, "body": s.body, "html": s.body_html}
            for s in treatment.sections.order_by("position", "id")
        ],
        "faqs": [
            {"question": f.question, "answer": f.answer, "anchor": f.anchor, "html": f.answer_html}
            for f in treatment.faqs.order_by("position", "id")
        ],
    }


def keep_public(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Publication = apps.get_model("treatments", "Publication")
    ReviewEvent = apps.get_model("treatments", "ReviewEvent")
    Treatment = apps.get_model("treatments", "Treatment")
    Page = apps.get_model("treatments", "Page")
    treatment_type, _ = ContentType.objects.get_or_create(app_label="treatments", model="treatment")
    page_type, _ = ContentType.objects.get_or_create(app_label="treatments", model="page")
    now = timezone.now()
    for treatment in Treatment.objects.all():
        if treatment.reviewed_by.strip().lower() not in NOT_A_REVIEWER:
            ReviewEvent.objects.create(
                content_type=treatment_type,
                object_id=treatment.pk,
                subject_title=treatment.title,
                action="imported_unreviewed",
                user_name="migration",
                note=f"The page said 'Reviewed by: {treatment.reviewed_by}'. That was free "
                "text, not a recorded sign-off, so it is no longer shown.",
            )
        if treatment.status != "published":
            continue
        snapshot = _snapshot(treatment)
        Publication.objects.create(
            content_type=treatment_type,
            object_id=treatment.pk,
            slug=treatment.slug,
            title=treatment.title,
            summary=treatment.summary,
            fields=snapshot["fields"],
            faq_count=len(snapshot["faqs"]),
            document=snapshot,
            hero_image_id=treatment.hero_image_id,
            live_from=max(treatment.publish_at or now, now),
        )
    for page in Page.objects.all():
        fields = {"title": page.title, "slug": page.slug, "description": page.description}
        Publication.objects.create(
            content_type=page_type,
            object_id=page.pk,
            slug=page.slug,
            title=page.title,
            fields=fields,
            document={"fields": fields, "body": page.body, "html": page.body_html},
            live_from=now,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("treatments", "0006_publications_signoffs_sources"),
    ]

    operations = [
        migrations.RunPython(roles, migrations.RunPython.noop),
        migrations.RunPython(keep_public, migrations.RunPython.noop),
    ]
