"""Write every treatment in the database back to Markdown files, in the import format."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from treatments.content_sync import export_treatments


class Command(BaseCommand):
    help = "Write treatments to DIR/treatments/<slug>.md (default DIR: content/)."

    def add_arguments(self, parser):
        parser.add_argument("content_dir", nargs="?", type=Path, default=settings.CONTENT_DIR)

    def handle(self, *args, content_dir: Path, **options):
        written = export_treatments(content_dir)
        for path in written:
            self.stdout.write(str(path))
        self.stdout.write(self.style.SUCCESS(f"Exported {len(written)} treatments."))
