"""Index every treatment publication afresh: after a restore, a bulk change made without
signals, or a change to what the index holds. Safe to run while the site serves: the
old index stays visible until the new one is committed."""

from django.core.management.base import BaseCommand

from treatments.public.search import freshness, index


class Command(BaseCommand):
    help = "Rebuild the site search index from the treatments' publications."

    def handle(self, *args, **options):
        # Scheduled and unsigned publications too: a search shows them only once
        # patients may read them.
        entries, publications = index.rebuild()
        freshness.changed()
        self.stdout.write(
            self.style.SUCCESS(f"Indexed {entries} entries from {publications} publications.")
        )
