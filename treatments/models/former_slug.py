"""Addresses treatments used to have."""

from django.db import models

from treatments.models.treatment import Treatment


class FormerSlugManager(models.Manager):
    def remember(self, treatment: Treatment, old_slug: str) -> None:
        """Keep ``old_slug`` redirecting to ``treatment``, and make its current slug live
        again (a slug in use must not redirect or answer 410)."""
        self.filter(slug=treatment.slug).delete()
        if old_slug and old_slug != treatment.slug:
            self.update_or_create(
                slug=old_slug, defaults={"treatment": treatment, "deleted_treatment_pk": None}
            )


class FormerSlug(models.Model):
    """An address a treatment used to have.

    While the treatment exists the old address redirects to it permanently (301),
    so search engines and bookmarks follow a renamed page. When the treatment is
    deleted its row is kept with no treatment and the address answers 410 Gone;
    ``deleted_treatment_pk`` remembers whose it was, so recovering the treatment
    from its history brings its old addresses back.
    """

    slug = models.SlugField(max_length=80, unique=True)
    treatment = models.ForeignKey(
        Treatment, null=True, blank=True, on_delete=models.SET_NULL, related_name="former_slugs"
    )
    deleted_treatment_pk = models.BigIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FormerSlugManager()

    class Meta:
        verbose_name = "former address"
        verbose_name_plural = "former addresses"

    def __str__(self) -> str:
        return f"/treatments/{self.slug}/"

    @property
    def is_gone(self) -> bool:
        return self.treatment_id is None
