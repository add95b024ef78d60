"""What patients see: each treatment's and page's content frozen when it went live.

Staff edit a working copy (a ``Treatment`` with its rows, a ``Page``). Patients never
read those rows: they read the subject's live ``Publication``, a snapshot of the copy
with its Markdown already rendered to HTML, made when a clinician approved it (or,
where the site allows it, when an editor published without review). So saving a draft
changes nothing patients see, byte for byte, until the change is approved.

A publication may wait for its time (``live_from`` in the future): the one before
stays live until then. Taking a page off the site is a publication too, with
``withdrawn`` set and no content. The live publication of a subject is simply its
newest one whose time has come, so scheduling needs no background job.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from treatments.models.page import Page
from treatments.models.treatment import Treatment


class PublicationQuerySet(models.QuerySet):
    def of(self, subject: models.Model) -> PublicationQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
        )

    def of_model(self, model: type[models.Model]) -> PublicationQuerySet:
        # A join rather than a content-type lookup first: a page's queries stay the same
        # whether or not this process has looked the type up before.
        return self.filter(
            content_type__app_label=model._meta.app_label,
            content_type__model=model._meta.model_name,
        )

    def current(self, now: datetime.datetime | None = None) -> PublicationQuerySet:
        """The newest publication of each subject whose time has come, withdrawn or not."""
        now = now or timezone.now()
        newer = Publication.objects.filter(
            content_type=OuterRef("content_type"),
            object_id=OuterRef("object_id"),
            live_from__lte=now,
        ).filter(
            Q(live_from__gt=OuterRef("live_from"))
            | Q(live_from=OuterRef("live_from"), pk__gt=OuterRef("pk"))
        )
        return self.filter(live_from__lte=now).exclude(Exists(newer))

    def live(self, now: datetime.datetime | None = None) -> PublicationQuerySet:
        """What patients can read now: each subject's current publication, unless that
        took it off the site."""
        return self.current(now).filter(withdrawn=False)

    def public(self, now: datetime.datetime | None = None) -> PublicationQuerySet:
        """What patients may be shown: the live publications, and where the site requires
        clinical sign-off (``CLINICAL_SIGNOFF_REQUIRED``), only those a clinician approved,
        whenever and however they went live."""
        live = self.live(now)
        return live.filter(signoff__isnull=False) if settings.CLINICAL_SIGNOFF_REQUIRED else live

    def scheduled(self, now: datetime.datetime | None = None) -> PublicationQuerySet:
        """Publications waiting for their time."""
        return self.filter(live_from__gt=now or timezone.now())

    def treatments(self) -> PublicationQuerySet:
        """Every live treatment, for lists: without the heavy ``document``."""
        return self.public().of_model(Treatment).defer("document").order_by("title", "slug")

    def treatment(self, slug: str) -> Publication | None:
        """The live treatment at ``slug``, ready to show: one query."""
        return (
            self.public()
            .of_model(Treatment)
            .filter(slug=slug)
            .select_related("signoff", "hero_image")
            .first()
        )

    def page(self, slug: str) -> Publication | None:
        return self.public().of_model(Page).filter(slug=slug).select_related("signoff").first()

    def page_slugs(self) -> frozenset[str]:
        """The addresses of the site pages patients may read now, for links to them."""
        return frozenset(self.public().of_model(Page).values_list("slug", flat=True))


class Publication(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    # Copied from the content so that lists, the sitemap and address lookups never read
    # ``document``.
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=120)
    summary = models.TextField(blank=True)
    # The page's own fields (title, summary, at a glance...): all a list or card needs.
    fields = models.JSONField(default=dict)
    faq_count = models.PositiveIntegerField(default=0)
    # The content as ``live.content_snapshot`` made it: fields, rows, and each section's
    # and answer's HTML. Empty when ``withdrawn``. Lists defer it.
    document = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64, blank=True)
    hero_image = models.ForeignKey(
        "Image", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    live_from = models.DateTimeField(default=timezone.now)
    withdrawn = models.BooleanField(default=False)
    # The clinician's approval this copy carries, moved on when the same text is approved
    # again as still accurate. None: published without clinical review.
    signoff = models.ForeignKey(
        "SignOff", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-live_from", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "live_from"]),
            models.Index(fields=["content_type", "slug"]),
            # Everything public() reads, so it never reads a row: a row holds its whole
            # ``document`` before these columns, and site search filters every ranking
            # by public() (each read walked ~75 KB of a row: 140 ms at 1,000 treatments).
            models.Index(
                fields=["content_type", "object_id", "live_from", "withdrawn", "signoff"],
                name="publication_public",
            ),
        ]

    def __str__(self) -> str:
        state = "taken off the site" if self.withdrawn else "live"
        return f"{self.title}: {state} from {self.live_from:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        name = "page" if self.content_type.model_class() is Page else "detail"
        return reverse(f"treatments:{name}", kwargs={"slug": self.slug})

    def get_faq_url(self) -> str:
        return reverse("treatments:faq", kwargs={"slug": self.slug})
