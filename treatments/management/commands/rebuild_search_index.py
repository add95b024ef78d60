"""Index every published treatment afresh: after a restore, a bulk change made without
signals, or a change to what the index holds. Safe to run while the site serves: the
old index stays visible until the new one is committed."""

from django.core.management.base import BaseCommand

from treatments import content_version
from treatments.models import Treatment
from treatments.public.search import index


class Command(BaseCommand):
    help = "Rebuild the site search index from the published treatments."

    def handle(self, *args, **options):
        # Scheduled treatments too: their entries wait for their time to come.
        treatments = (
            Treatment.objects.filter(status=Treatment.Status.PUBLISHED)
            .prefetch_related("sections", "faqs")
            .order_by("pk")
        )
        made = index.rebuild(treatments.iterator(chunk_size=200))
        content_version.changed()
        self.stdout.write(
            self.style.SUCCESS(f"Indexed {made} entries from {treatments.count()} treatments.")
        )
