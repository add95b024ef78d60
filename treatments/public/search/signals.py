"""Keep the search index in step with what patients read: publications.

A publication saved (made, scheduled, signed, taken off) is indexed afresh, and the
publications of its subject that it replaced for good are forgotten. A deleted one
takes its entries with it (``SearchEntry.publication`` cascades). Saving the rows staff
edit (Treatment, Section, FAQ) changes nothing here: they are drafts. The writes share
the transaction of the save, so a rolled-back save leaves the index as it was.

Every such change, and every change to the synonyms, makes cached results stale
(``freshness.changed``) once it commits.

After ``migrate``, an empty index is filled from the publications: the first deploy
with search, or a database restored from before it, needs no extra step.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from treatments.models import Publication, SearchEntry, SearchSynonym
from treatments.public.search import freshness, index


@receiver(post_save, sender=Publication, dispatch_uid="search.publication_saved")
def publication_saved(sender, instance: Publication, raw: bool = False, **kwargs) -> None:
    # A raw save (loaddata) may come before the rows it points at: rebuild_search_index.
    if not raw:
        index.update_publication(instance)
    freshness.changed()


@receiver(post_delete, sender=Publication, dispatch_uid="search.publication_deleted")
@receiver(post_save, sender=SearchSynonym, dispatch_uid="search.synonym_saved")
@receiver(post_delete, sender=SearchSynonym, dispatch_uid="search.synonym_deleted")
def results_changed(sender, **kwargs) -> None:
    freshness.changed()


@receiver(post_migrate, dispatch_uid="search.filled_after_migrate")
def filled_after_migrate(sender, app_config=None, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    if app_config is None or app_config.label != "treatments":
        return
    # Migrated back to before the index existed: nothing to fill.
    if SearchEntry._meta.db_table not in connections[using].introspection.table_names():
        return
    if SearchEntry.objects.exists() or not Publication.objects.filter(withdrawn=False).exists():
        return
    index.rebuild()
    freshness.changed()
