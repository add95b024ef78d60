"""Keep old treatment addresses working: a renamed slug redirects, a deleted one is gone."""

from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver

from .models import FormerSlug, Treatment


@receiver(pre_save, sender=Treatment)
def remember_former_slug(sender, instance: Treatment, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    # A slug in use again is live again: it must not redirect or answer 410.
    FormerSlug.objects.filter(slug=instance.slug).delete()
    if instance.pk is None:
        return
    old_slug = Treatment.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
    if old_slug and old_slug != instance.slug:
        FormerSlug.objects.update_or_create(slug=old_slug, defaults={"treatment": instance})


@receiver(pre_delete, sender=Treatment)
def remember_deleted_slug(sender, instance: Treatment, **kwargs) -> None:
    # The row outlives the treatment: on_delete=SET_NULL leaves it as a 410 marker.
    FormerSlug.objects.update_or_create(slug=instance.slug, defaults={"treatment": instance})
