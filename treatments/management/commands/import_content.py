"""Load ``content/treatments/*.md`` and ``content/pages/*.md`` into the database.

All or nothing: any malformed file stops the import with its file and line, and
nothing is written. A treatment edited in the admin since it was imported is left
alone and reported, unless ``--force`` is given. A page marked ``status: published``
that is not finished stops the import, unless ``--allow-incomplete`` loads it as a
draft. What goes live follows the clinical sign-off rules, and each file's line says
what patients now see. Treatments whose file is gone are reported; ``--prune`` takes
them off the site (nothing is deleted).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from treatments.content.file_format import ContentError
from treatments.content.sync import Outcome, import_content
from treatments.public.search import index as search_index


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
        parser.add_argument(
            "--allow-incomplete",
            action="store_true",
            help="Load an unfinished page marked published as a draft instead of stopping.",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Take treatments whose file was removed off the site (their history stays).",
        )

    def handle(self, *args, content_dir: Path, dry_run: bool, force: bool, **options):
        try:
            result = import_content(
                content_dir,
                force=force,
                dry_run=dry_run,
                allow_incomplete=options["allow_incomplete"],
                prune=options["prune"],
            )
        except ContentError as exc:
            raise CommandError(f"Nothing was imported. {exc}") from exc
        if not dry_run and (result.count(Outcome.CREATED) or result.count(Outcome.UPDATED)):
            # Autovacuum would look in a minute or so; searches plan with them now.
            search_index.gather_statistics()

        for file in result.files:
            warn = file.outcome in (Outcome.KEPT_EDITED, Outcome.MISSING) or any(
                note.startswith(("not ", "imported as not")) for note in file.notes
            )
            style = self.style.WARNING if warn else self.style.SUCCESS
            notes = "".join(f"; {note}" for note in file.notes)
            self.stdout.write(style(f"{file.name}: {file.outcome}{notes}"))
        prefix = "Dry run, nothing written: " if dry_run else ""
        self.stdout.write(
            f"{prefix}{result.count(Outcome.CREATED)} created, "
            f"{result.count(Outcome.UPDATED)} updated, "
            f"{result.count(Outcome.UNCHANGED)} unchanged, "
            f"{result.count(Outcome.KEPT_EDITED)} kept as edited, "
            f"{result.count(Outcome.MISSING)} not in the folder."
        )
