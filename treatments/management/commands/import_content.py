"""Load ``content/treatments/*.md`` and ``content/pages/*.md`` into the database.

All or nothing: any malformed file stops the import with its file and line, and
nothing is written. A treatment edited in the admin since it was imported is
left alone and reported, unless ``--force`` is given.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from treatments.content.file_format import ContentError
from treatments.content.sync import Outcome, import_content


class Command(BaseCommand):
    help = "Create or update treatments and pages from the Markdown files in content/."

    def add_arguments(self, parser):
        parser.add_argument(
            "content_dir",
            nargs="?",
            type=Path,
            default=settings.CONTENT_DIR,
            help="The content folder (default: content/).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument(
            "--force", action="store_true", help="Overwrite treatments edited in the admin."
        )

    def handle(self, *args, content_dir: Path, dry_run: bool, force: bool, **options):
        try:
            result = import_content(content_dir, force=force, dry_run=dry_run)
        except ContentError as exc:
            raise CommandError(f"Nothing was imported. {exc}") from exc

        for slug, outcome in result.outcomes:
            style = self.style.WARNING if outcome == Outcome.KEPT_EDITED else self.style.SUCCESS
            self.stdout.write(style(f"{slug}: {outcome}"))
        prefix = "Dry run, nothing written: " if dry_run else ""
        self.stdout.write(
            f"{prefix}{result.count(Outcome.CREATED)} created, "
            f"{result.count(Outcome.UPDATED)} updated, "
            f"{result.count(Outcome.UNCHANGED)} unchanged, "
            f"{result.count(Outcome.KEPT_EDITED)} kept as edited."
        )
