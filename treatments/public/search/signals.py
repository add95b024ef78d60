"""Keep the search index in step with the treatments staff edit, until published
snapshots take their place (then the publication calls ``index.update_treatment``).

A published treatment (live or scheduled) is indexed when it is saved, and each section
or answer again when it alone is saved; a draft or a deleted treatment is taken out. The
writes share the transaction of the save, so a rolled-back save leaves the index as it was.
Raw saves (a restore from history, ``loaddata``) count too.

After ``migrate``, an empty index is filled from the published treatments: the first
deploy with search, or a database restored from before it, needs no extra step.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from treatments.models import FAQ, SearchEntry, Section, Treatment
from treatments.public.search import index


def _indexed(treatment: Treatment) -> bool:
    return treatment.status == Treatment.Status.PUBLISHED


@receiver(post_save, sender=Treatment, dispatch_uid="search.treatment_saved")
def treatment_saved(sender, instance: Treatment, **kwargs) -> None:
    if not _indexed(instance):
        index.remove_treatment(instance.pk)
        return
    # Read again: the instance may carry sections prefetched before they were replaced.
    fresh = Treatment.objects.prefetch_related("sections", "faqs").get(pk=instance.pk)
    index.update_treatment(fresh)


@receiver(post_delete, sender=Treatment, dispatch_uid="search.treatment_deleted")
def treatment_deleted(sender, instance: Treatment, **kwargs) -> None:
    index.remove_treatment(instance.pk)


@receiver(post_save, sender=Section, dispatch_uid="search.section_saved")
def section_saved(sender, instance: Section, **kwargs) -> None:
    if _indexed(instance.treatment):
        index.update_section(instance.treatment, instance)


@receiver(post_save, sender=FAQ, dispatch_uid="search.answer_saved")
def answer_saved(sender, instance: FAQ, **kwargs) -> None:
    if _indexed(instance.treatment):
        index.update_answer(instance.treatment, instance)


@receiver(post_delete, sender=Section, dispatch_uid="search.section_deleted")
def section_deleted(sender, instance: Section, **kwargs) -> None:
    index.remove_source(instance.treatment_id, index.section_source(instance))


@receiver(post_delete, sender=FAQ, dispatch_uid="search.answer_deleted")
def answer_deleted(sender, instance: FAQ, **kwargs) -> None:
    index.remove_source(instance.treatment_id, index.answer_source(instance))


@receiver(post_migrate, dispatch_uid="search.filled_after_migrate")
def filled_after_migrate(sender, app_config=None, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    if app_config is None or app_config.label != "treatments":
        return
    # Migrated back to before the index existed: nothing to fill.
    if SearchEntry._meta.db_table not in connections[using].introspection.table_names():
        return
    published = Treatment.objects.filter(status=Treatment.Status.PUBLISHED)
    if SearchEntry.objects.exists() or not published.exists():
        return
    index.rebuild(published.prefetch_related("sections", "faqs").iterator(chunk_size=200))
