"""Print the audit trail of clinical review: every submission, approval, request for
changes, re-approval and publication, with who, when, which version and the note.

``--csv`` writes it as CSV for an inspector; ``--since YYYY-MM-DD`` limits it.
"""

import csv
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from treatments.models import ReviewEvent

COLUMNS = ["when", "page", "kind", "action", "by", "version", "content_hash", "note"]


class Command(BaseCommand):
    help = "The clinical review audit trail, oldest first; --csv for an inspector."

    def add_arguments(self, parser):
        parser.add_argument(
            "--csv", action="store_true", dest="as_csv", help="Write CSV to standard output."
        )
        parser.add_argument("--since", help="Only events on or after this date (YYYY-MM-DD).")

    def handle(self, *args, as_csv: bool, since: str | None, **options):
        events = ReviewEvent.objects.select_related("content_type").order_by("at", "id")
        if since:
            try:
                day = datetime.date.fromisoformat(since)
            except ValueError as exc:
                raise CommandError("--since takes a date written as YYYY-MM-DD.") from exc
            events = events.filter(at__date__gte=day)
        rows = (self._row(event) for event in events)
        if as_csv:
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(rows)
            return
        for row in rows:
            self.stdout.write(
                "  ".join(str(value) for value in row[:5]) + (f": {row[7]}" if row[7] else "")
            )

    @staticmethod
    def _row(event: ReviewEvent) -> list:
        return [
            timezone.localtime(event.at).isoformat(timespec="seconds"),
            event.subject_title,
            event.content_type.model,
            event.get_action_display(),
            event.user_name,
            event.version,
            event.content_hash,
            event.note,
        ]
