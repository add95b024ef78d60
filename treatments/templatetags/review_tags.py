"""The admin index's panels: what waits for clinical review, what is due, and the site
pages patients cannot read yet."""

import datetime

from django import template
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from treatments.editorial.admin.treatments import ATTENTION, with_review_columns
from treatments.models import Feedback, Page, ReviewRequest, Treatment
from treatments.models.workflow import DUE_SOON_DAYS, signoff_required

register = template.Library()
# Whether a page needs a clinician's approval to go on the site.
register.simple_tag(signoff_required)


@register.inclusion_tag("admin/treatments/review_summary.html", takes_context=True)
def review_summary(context) -> dict:
    """Counts with links to the lists behind them, for staff who may see treatments."""
    request = context["request"]
    if not request.user.has_perm("treatments.view_treatment"):
        return {"rows": []}
    today = timezone.localdate()
    treatments = with_review_columns(Treatment.objects.all())
    counts = treatments.aggregate(
        overdue=_count(Q(review_due__lt=today)),
        soon=_count(
            Q(review_due__gte=today, review_due__lte=today + datetime.timedelta(DUE_SOON_DAYS))
        ),
        changed=_count(Q(live_hash__isnull=False) & ~Q(live_hash=F("working_hash"))),
        never=_count(Q(review_due__isnull=True)),
    )
    listing = reverse("admin:treatments_treatment_changelist")
    queue = reverse("admin:treatments_reviewrequest_changelist")
    waiting = ReviewRequest.objects.filter(state=ReviewRequest.State.PENDING).count()
    rows = [
        ("Waiting for clinical review", waiting, queue),
        ("Review overdue", counts["overdue"], f"{listing}?review=overdue"),
        (f"Review due in the next {DUE_SOON_DAYS} days", counts["soon"], f"{listing}?review=soon"),
        ("Changed since they went live", counts["changed"], f"{listing}?review=changed"),
        ("Never reviewed by a clinician", counts["never"], f"{listing}?review=never"),
        (ATTENTION, len(Feedback.objects.needing_attention()), f"{listing}?review=attention"),
    ]
    return {"rows": rows}


@register.simple_tag(takes_context=True)
def pages_not_on_the_site(context) -> list[Page]:
    """The site pages (About, Privacy) patients cannot read yet: no page links to one until
    it is published (in production, with a clinician's approval)."""
    public = context.get("public_pages") or frozenset()
    return [page for page in Page.objects.order_by("title") if page.slug not in public]


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition)
