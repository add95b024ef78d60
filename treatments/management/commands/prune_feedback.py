"""Delete what patients wrote once it is older than ``FEEDBACK_RETENTION_DAYS``.

The text of each comment is emptied and its yes/no answer kept, so the counts staff and
assessors read do not change; searches that found nothing go too. Run it daily from
cron (docs/operations.md).
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from treatments.models import Feedback
from treatments.models.feedback import prune_unanswered_searches


class Command(BaseCommand):
    help = "Delete feedback comments and unanswered searches older than the retention period."

    def handle(self, *args, **options) -> None:
        comments = Feedback.objects.prune()
        searches = prune_unanswered_searches()
        self.stdout.write(
            f"Deleted {comments} comment(s) and {searches} search(es) older than "
            f"{settings.FEEDBACK_RETENTION_DAYS} days; every yes/no answer kept."
        )
