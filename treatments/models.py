"""Treatments, their sections and their frequently asked questions.

Markdown fields are stored beside their rendered, sanitized HTML. The HTML is made
in ``save()`` by ``markup.render_markdown`` and never on a request.

Staff edit treatments concurrently, so a treatment carries a ``version`` number that
every save moves on; a save that names the version it started from is refused with
``EditConflict`` when someone else saved in between (optimistic locking).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import normalize_newlines, slugify

from .content_format import MAX_REMINDER_DAYS
from .images import FIGURE_WIDTH, ProcessedImage
from .markup import render_markdown
from .section_kinds import SECTION_ORDER, SectionKind

MARKDOWN_HELP = (
    "Markdown: a blank line starts a new paragraph; **bold**; - for a bullet list; "
    "1. for a numbered list; ### for a sub-heading; [words](https://address) for a link. "
    "HTML is shown as typed, not run."
)

# Pages live at /<slug>/, so they may not take the first part of another route.
RESERVED_PAGE_SLUGS = {"admin", "treatments", "static", "media", "healthz", "search"}


class EditConflict(Exception):
    """Someone saved the treatment after the copy being saved was opened."""


class TreatmentQuerySet(models.QuerySet):
    def published(self) -> "TreatmentQuerySet":
        """What the public may see. Views, sitemaps and search all start here."""
        return self.filter(status=Treatment.Status.PUBLISHED).filter(
            Q(publish_at__isnull=True) | Q(publish_at__lte=timezone.now())
        )

    def with_content(self) -> "TreatmentQuerySet":
        """Sections and FAQs in two further queries, whatever their number."""
        return self.select_related("hero_image").prefetch_related("sections", "faqs")


class Treatment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=80, unique=True, help_text="The last part of the page address."
    )
    summary = models.TextField(
        max_length=400, help_text="One or two plain sentences shown in the list of treatments."
    )
    description = models.CharField(
        "meta description",
        max_length=300,
        help_text="Shown by search engines under the link: aim for 50-160 characters.",
    )
    # "At a glance": the facts a patient scans for first. Plain text, one short line each.
    duration = models.CharField(
        "how long it takes", max_length=120, blank=True, help_text="e.g. 'About 1 hour'."
    )
    numbing = models.CharField(max_length=120, blank=True, help_text="e.g. 'Numbing cream first'.")
    downtime = models.CharField(max_length=160, blank=True)
    sessions = models.CharField("usual number of sessions", max_length=120, blank=True)
    results_show = models.CharField("when results show", max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        null=True, blank=True, help_text="Optional: a published page goes live at this time."
    )
    reviewed_by = models.CharField(max_length=200, blank=True)
    last_reviewed = models.DateField(null=True, blank=True)
    next_review = models.DateField(null=True, blank=True)
    hero_image = models.ForeignKey(
        "Image",
        null=True,
        blank=True,
        # A picture shown at the top of a page cannot be deleted from the library.
        on_delete=models.PROTECT,
        related_name="hero_of",
        verbose_name="picture at the top",
        help_text="Optional. Upload pictures under Images first, then choose one here.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField("last edited", default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name="last edited by",
    )
    # Moves on with every save; the admin form carries the number it was opened at.
    version = models.PositiveIntegerField(default=1, editable=False)
    # SHA-256 of the content file as last imported: tells an admin edit from an untouched page.
    source_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = TreatmentQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, expected_version: int | None = None, **kwargs) -> None:
        """Save and move ``version`` on by one.

        With ``expected_version``, the save goes ahead only if the stored version is
        still that number, checked and moved on in one UPDATE; otherwise it raises
        ``EditConflict`` and writes nothing.
        """
        self.updated_at = timezone.now()
        self.summary = normalize_newlines(self.summary)
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        with transaction.atomic(using=kwargs.get("using")):
            rows = Treatment.objects.filter(pk=self.pk)
            if expected_version is not None:
                rows = rows.filter(version=expected_version)
            if rows.update(version=F("version") + 1):
                self.version = Treatment.objects.values_list("version", flat=True).get(pk=self.pk)
            elif expected_version is not None:
                raise EditConflict(f"{self} was saved by someone else after {expected_version}.")
            super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("treatments:detail", kwargs={"slug": self.slug})

    def get_faq_url(self) -> str:
        return reverse("treatments:faq", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and (
            self.publish_at is None or self.publish_at <= timezone.now()
        )

    def mark_changed(self) -> None:
        """Record that a section or FAQ changed: the page's last-modified date moves."""
        self.updated_at = timezone.now()
        Treatment.objects.filter(pk=self.pk).update(updated_at=self.updated_at)

    def remember_slug(self, old_slug: str) -> None:
        """Keep ``old_slug`` redirecting here, and make the current slug live again."""
        FormerSlug.objects.filter(slug=self.slug).delete()
        if old_slug and old_slug != self.slug:
            FormerSlug.objects.update_or_create(
                slug=old_slug, defaults={"treatment": self, "deleted_treatment_pk": None}
            )


class Section(models.Model):
    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=20, choices=SectionKind)
    position = models.PositiveSmallIntegerField(default=0)
    body = models.TextField(blank=True, help_text=MARKDOWN_HELP)
    body_html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["treatment", "kind"], name="one_section_of_each_kind")
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, mark_changed: bool = True, **kwargs) -> None:
        """Render and save. ``mark_changed=False`` is for a caller that saves the treatment
        itself after many sections (an import), so the treatment is written once."""
        if not self.position and self.kind:
            self.position = SECTION_ORDER[self.kind] + 1
        self.render()
        # One transaction: the page's text and its last-changed date move together, and
        # the page cache sees both at once (content_version.py moves on commit). Inside a
        # caller's transaction no savepoint is needed: an error here fails the caller.
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(*args, **kwargs)
            if mark_changed:
                self.treatment.mark_changed()

    def render(self) -> None:
        """Make ``body_html`` from ``body``: on save, and for a preview that is never saved."""
        self.body = normalize_newlines(self.body)
        self.body_html = render_markdown(self.body, id_prefix=self.anchor)

    @property
    def title(self) -> str:
        return SectionKind(self.kind).label

    @property
    def anchor(self) -> str:
        return SectionKind(self.kind).anchor


class FAQ(models.Model):
    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="faqs")
    position = models.PositiveSmallIntegerField(default=0)
    question = models.CharField(max_length=200)
    answer = models.TextField(help_text=MARKDOWN_HELP)
    answer_html = models.TextField(blank=True, editable=False)
    # The answer's id on the FAQ page, made from the question so links survive reordering.
    anchor = models.SlugField(max_length=90, editable=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"

    def __str__(self) -> str:
        return self.question

    def save(
        self,
        *args,
        taken_anchors: set[str] | None = None,
        mark_changed: bool = True,
        **kwargs,
    ) -> None:
        """Render and save. A caller saving many questions of one treatment (an import)
        passes the anchors already taken, which the new one joins, instead of one query
        per question, and ``mark_changed=False`` when it saves the treatment itself."""
        if taken_anchors is None:
            taken_anchors = set(
                FAQ.objects.filter(treatment_id=self.treatment_id)
                .exclude(pk=self.pk)
                .values_list("anchor", flat=True)
            )
        self.render(taken_anchors)
        # One transaction, as in Section.save.
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(*args, **kwargs)
            if mark_changed:
                self.treatment.mark_changed()

    def render(self, taken_anchors: set[str]) -> None:
        """Set ``anchor`` (unique among ``taken_anchors``, which it then joins) and make
        ``answer_html``."""
        base = (slugify(self.question)[:80].strip("-")) or "question"
        anchor, n = base, 2
        while anchor in taken_anchors:
            anchor, n = f"{base}-{n}", n + 1
        self.anchor = anchor
        taken_anchors.add(anchor)
        self.answer = normalize_newlines(self.answer)
        self.answer_html = render_markdown(self.answer, id_prefix=self.anchor)


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

    class Meta:
        verbose_name = "former address"
        verbose_name_plural = "former addresses"

    def __str__(self) -> str:
        return f"/treatments/{self.slug}/"

    @property
    def is_gone(self) -> bool:
        return self.treatment_id is None


class Page(models.Model):
    """A site-level page such as "About this information", from ``content/pages/``."""

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField("meta description", max_length=300)
    body = models.TextField(help_text=MARKDOWN_HELP)
    body_html = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    source_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.body = normalize_newlines(self.body)
        self.body_html = render_markdown(self.body, top_heading_level=2)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("treatments:page", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.slug in RESERVED_PAGE_SLUGS:
            raise ValidationError(
                {"slug": f"'{self.slug}' is already a part of the site; choose another."},
                code="reserved",
            )


class SiteSettings(models.Model):
    """The clinic's details, one row, edited in the admin and shown on every page."""

    clinic_name = models.CharField(max_length=120, default="Skin Clinic")
    phone = models.CharField(max_length=40, blank=True, help_text="As patients should dial it.")
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True, help_text="One line per part of the address.")
    opening_hours = models.TextField(
        blank=True, help_text="One line per day or range, e.g. 'Monday-Friday 09:00-18:00'."
    )
    booking_url = models.URLField(blank=True, help_text="Where the 'Book' button goes.")
    out_of_hours = models.TextField(
        "out-of-hours advice",
        blank=True,
        default=(
            "If you are worried about your skin after treatment and we are closed, "
            "call your out-of-hours health service. In an emergency, call the emergency number."
        ),
    )
    disclaimer = models.TextField(
        blank=True,
        default=(
            "This information is for education. It does not replace a consultation with a "
            "clinician who knows your health."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self) -> str:
        return "Site settings"

    def save(self, *args, **kwargs) -> None:
        # One row only: whatever the form says, it is row 1.
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "SiteSettings":
        """The settings row, or the defaults while nobody has saved it: one read, no write,
        so serving a page never writes to the database."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]

    @property
    def opening_hours_lines(self) -> list[str]:
        return [line.strip() for line in self.opening_hours.splitlines() if line.strip()]


IMAGE_FOLDER = "images"


class Image(models.Model):
    """A picture in the image library: a hero image, or a figure placed in Markdown.

    Only what ``images.process_upload`` made is stored: a master without metadata and
    WebP renditions, under random names, through ``STORAGES["default"]``.
    """

    file = models.FileField(max_length=200, editable=False)
    alt_text = models.CharField(
        "description (alt text)",
        max_length=250,
        help_text=(
            "Say what the picture shows, for people who cannot see it, e.g. "
            "'Cheek before and after three sessions of microneedling'. Required."
        ),
    )
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    # [{"width": 480, "height": 320, "name": "images/....webp"}, ...], narrowest first.
    renditions = models.JSONField(default=list, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.alt_text

    def store(self, processed: ProcessedImage) -> None:
        """Write the master and renditions under fresh random names; fills the file fields."""
        token = uuid.uuid4().hex
        self.file.name = default_storage.save(
            f"{IMAGE_FOLDER}/{token}.{processed.extension}", ContentFile(processed.data)
        )
        self.width, self.height = processed.width, processed.height
        self.renditions = [
            {
                "width": rendition.width,
                "height": rendition.height,
                "name": default_storage.save(
                    f"{IMAGE_FOLDER}/{token}-{rendition.width}w.webp", ContentFile(rendition.data)
                ),
            }
            for rendition in processed.renditions
        ]

    def stored_names(self) -> list[str]:
        return [name for name in [self.file.name, *(r["name"] for r in self.renditions)] if name]

    @property
    def token(self) -> str:
        """The random part of the stored names, which every copy of the picture shares."""
        return self.file.name.rsplit("/", 1)[-1].split(".", 1)[0]

    @property
    def url(self) -> str:
        return self.file.url

    @property
    def srcset(self) -> str:
        return ", ".join(f"{default_storage.url(r['name'])} {r['width']}w" for r in self.renditions)

    @property
    def figure_url(self) -> str:
        """The copy a picture placed in the text uses: the widest up to ``FIGURE_WIDTH``."""
        fitting = [r for r in self.renditions if r["width"] <= FIGURE_WIDTH] or self.renditions
        return default_storage.url(fitting[-1]["name"]) if fitting else self.url

    @property
    def markdown(self) -> str:
        """What staff paste into a section or answer to show the picture there."""
        alt = " ".join(self.alt_text.replace("[", "(").replace("]", ")").split())
        return f"![{alt}]({self.figure_url})"

    def used_in_text(self) -> list[Treatment]:
        """Treatments whose sections or answers show this picture."""
        token = self.token
        if not token:
            return []
        return list(
            Treatment.objects.filter(
                Q(sections__body__contains=token) | Q(faqs__answer__contains=token)
            ).distinct()
        )


class Reminder(models.Model):
    """An aftercare milestone a patient can put in their calendar, counted from the
    treatment day, e.g. "You can wear makeup again" after 1 day."""

    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="reminders")
    after_days = models.PositiveSmallIntegerField(
        "days after treatment",
        validators=[MaxValueValidator(MAX_REMINDER_DAYS)],
        help_text="1 is the day after the treatment.",
    )
    title = models.CharField(
        max_length=120, help_text="What the calendar shows, e.g. 'You can wear makeup again'."
    )

    class Meta:
        ordering = ["after_days", "id"]

    def __str__(self) -> str:
        return f"Day {self.after_days}: {self.title}"


class ContentVersion(models.Model):
    """A number that moves on whenever anything a public page shows changes.

    Cached pages remember the number they were made at, so a different number means
    stale. It lives in the database, not in a per-process cache, so every gunicorn
    worker and every app server sees the same number at once.
    """

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "content version"

    def __str__(self) -> str:
        return str(self.number)
