"""Keep old treatment addresses working: a renamed slug redirects, a deleted one is gone.

Also removes a library picture's files once its row is gone for good.
"""

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from treatments.models import FormerSlug, Image, Page, Publication, Treatment


@receiver(pre_save, sender=Treatment)
def remember_former_slug(sender, instance: Treatment, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    old_slug = None
    if instance.pk is not None:
        old_slug = Treatment.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
    # A slug in use again is live again: it must not redirect or answer 410.
    FormerSlug.objects.remember(instance, old_slug or "")


@receiver(post_save, sender=Treatment)
def bring_back_former_slugs(sender, instance: Treatment, raw: bool = False, **kwargs) -> None:
    """A treatment recovered from its history gets its old addresses back."""
    if raw:
        return
    FormerSlug.objects.filter(deleted_treatment_pk=instance.pk).update(
        treatment=instance, deleted_treatment_pk=None
    )


@receiver(pre_delete, sender=Treatment)
def remember_deleted_slug(sender, instance: Treatment, **kwargs) -> None:
    # The rows outlive the treatment: on_delete=SET_NULL leaves them as 410 markers, and
    # deleted_treatment_pk says whose they were in case the treatment is recovered.
    FormerSlug.objects.filter(treatment=instance).update(deleted_treatment_pk=instance.pk)
    FormerSlug.objects.update_or_create(
        slug=instance.slug, defaults={"treatment": instance, "deleted_treatment_pk": instance.pk}
    )


@receiver(post_delete, sender=Image)
def delete_image_files(sender, instance: Image, **kwargs) -> None:
    names = instance.stored_names()
    # Only once the deletion is committed: a rolled-back delete must still have its files.
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


@receiver(post_delete, sender=Treatment)
@receiver(post_delete, sender=Page)
def forget_publications(sender, instance, **kwargs) -> None:
    """A deleted page is gone for patients too. The admin takes a live page off the site
    through review before it may be deleted; this covers every other way of deleting
    (the shell, a script). Sign-offs and review events stay, as the record of what was."""
    Publication.objects.of(instance).delete()
