"""Email each clinical reviewer one list of the pages due for their review.

A page is due when its clinical review falls due within 30 days or is overdue, when it
changed since it went live, or when no clinician has ever approved it. Each page goes
to the reviewer who last signed it; a page nobody has signed (or whose reviewer is no
longer a reviewer) goes to every reviewer. Run it once a week from cron
(docs/operations.md); ``--dry-run`` prints what would be sent.
"""

from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.urls import reverse

from treatments.models import REVIEWERS_GROUP, Page, Treatment
from treatments.models.workflow import is_reviewer, review_state


def _reason(state) -> str | None:
    if state.live is not None and state.overdue:
        return f"review overdue since {state.next_review_due:%d %B %Y}"
    if state.live is not None and state.due_soon:
        return f"review due on {state.next_review_due:%d %B %Y}"
    if state.pending is not None:
        return "a change is waiting for your review"
    if state.live is not None and state.never_reviewed:
        return "on the site, never approved by a clinician"
    return None


class Command(BaseCommand):
    help = "Email each clinical reviewer the pages due for review (overdue, due soon, waiting)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print; send nothing.")

    def handle(self, *args, dry_run: bool, **options):
        reviewers = [
            user
            for user in get_user_model().objects.filter(
                groups__name=REVIEWERS_GROUP, is_active=True
            )
            if is_reviewer(user) and user.email
        ]
        due: dict[int | None, list[str]] = defaultdict(list)
        for subject in [*Treatment.objects.with_content(), *Page.objects.all()]:
            state = review_state(subject)
            reason = _reason(state)
            if reason is None:
                continue
            model = subject._meta.model_name
            link = settings.SITE_BASE_URL + reverse(
                f"admin:treatments_{model}_change", args=[subject.pk]
            )
            owner = state.signoff.reviewer_id if state.signoff else None
            due[owner if owner in {r.pk for r in reviewers} else None].append(
                f"- {subject}: {reason}\n  {link}"
            )
        sent = 0
        for reviewer in reviewers:
            lines = due.get(reviewer.pk, []) + due.get(None, [])
            if not lines:
                continue
            body = (
                "These patient pages need a clinical review:\n\n" + "\n".join(lines) + "\n\n"
                "Open each one, check it, and approve it (or approve it as still accurate).\n"
            )
            subject_line = f"{len(lines)} patient page(s) due for clinical review"
            if dry_run:
                self.stdout.write(f"To {reviewer.email}: {subject_line}\n{body}")
            else:
                send_mail(subject_line, body, None, [reviewer.email])
            sent += 1
        verb = "Would send" if dry_run else "Sent"
        self.stdout.write(self.style.SUCCESS(f"{verb} {sent} reminder(s)."))
