"""Treatments, their sections and their frequently asked questions.

Markdown fields are stored beside their rendered, sanitized HTML. The HTML is made
in ``save()`` by ``markup.render_markdown`` and never on a request.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from .markup import render_markdown
from .section_kinds import SECTION_ORDER, SectionKind

MARKDOWN_HELP = (
    "Markdown: a blank line starts a new paragraph; **bold**; - for a bullet list; "
    "1. for a numbered list; ### for a sub-heading; [words](https://address) for a link. "
    "HTML is shown as typed, not run."
)

# Pages live at /<slug>/, so they may not take the first part of another route.
RESERVED_PAGE_SLUGS = {"admin", "treatments", "static", "media", "healthz", "search"}


class TreatmentQuerySet(models.QuerySet):
    def published(self) -> "TreatmentQuerySet":
        """What the public may see. Views, sitemaps and search all start here."""
        return self.filter(status=Treatment.Status.PUBLISHED).filter(
            Q(publish_at__isnull=True) | Q(publish_at__lte=timezone.now())
        )

    def with_content(self) -> "TreatmentQuerySet":
        """Sections and FAQs in two further queries, whatever their number."""
        return self.prefetch_related("sections", "faqs")


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
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        null=True, blank=True, help_text="Optional: a published page goes live at this time."
    )
    reviewed_by = models.CharField(max_length=200, blank=True)
    last_reviewed = models.DateField(null=True, blank=True)
    next_review = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # SHA-256 of the content file as last imported: tells an admin edit from an untouched page.
    source_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = TreatmentQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.updated_at = timezone.now()
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

    def save(self, *args, **kwargs) -> None:
        if not self.position and self.kind:
            self.position = SECTION_ORDER[self.kind] + 1
        self.body_html = render_markdown(self.body, id_prefix=self.anchor)
        super().save(*args, **kwargs)
        self.treatment.mark_changed()

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

    def save(self, *args, **kwargs) -> None:
        self.anchor = self._unique_anchor()
        self.answer_html = render_markdown(self.answer, id_prefix=self.anchor)
        super().save(*args, **kwargs)
        self.treatment.mark_changed()

    def _unique_anchor(self) -> str:
        base = (slugify(self.question)[:80].strip("-")) or "question"
        taken = set(
            FAQ.objects.filter(treatment_id=self.treatment_id)
            .exclude(pk=self.pk)
            .values_list("anchor", flat=True)
        )
        anchor, n = base, 2
        while anchor in taken:
            anchor, n = f"{base}-{n}", n + 1
        return anchor


class FormerSlug(models.Model):
    """An address a treatment used to have.

    While the treatment exists the old address redirects to it permanently (301),
    so search engines and bookmarks follow a renamed page. When the treatment is
    deleted its row is kept with no treatment and the address answers 410 Gone.
    """

    slug = models.SlugField(max_length=80, unique=True)
    treatment = models.ForeignKey(
        Treatment, null=True, blank=True, on_delete=models.SET_NULL, related_name="former_slugs"
    )
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
