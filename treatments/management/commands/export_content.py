"""Write every treatment and page in the database back to Markdown files, as import reads them."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from treatments.content.sync import export_content


class Command(BaseCommand):
    help = "Write treatments and pages to DIR/treatments/ and DIR/pages/ (default DIR: content/)."

    def add_arguments(self, parser):
        parser.add_argument("content_dir", nargs="?", type=Path, default=settings.CONTENT_DIR)

    def handle(self, *args, content_dir: Path, **options):
        written = export_content(content_dir)
        for path in written:
            self.stdout.write(str(path))
        self.stdout.write(self.style.SUCCESS(f"Exported {len(written)} files."))
