"""Treatments, their sections, frequently asked questions and aftercare reminders.

Markdown fields are stored beside their rendered, sanitized HTML. The HTML is made
in ``save()`` by ``text.markdown.render_markdown`` and never on a request.

Staff edit treatments concurrently, so a treatment carries a ``version`` number that
every save moves on; a save that names the version it started from is refused with
``EditConflict`` when someone else saved in between (optimistic locking).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import normalize_newlines, slugify

from treatments.models.section_kinds import SECTION_ORDER, SectionKind
from treatments.text.markdown import render_markdown

MARKDOWN_HELP = (
    "Markdown: a blank line starts a new paragraph; **bold**; - for a bullet list; "
    "1. for a numbered list; ### for a sub-heading; [words](https://address) for a link. "
    "HTML is shown as typed, not run."
)


MAX_REMINDER_DAYS = 365
# A clinician approves a page for this long before it is due for review again; the
# NHS standard for health information allows at most three years.
DEFAULT_REVIEW_MONTHS = 12
MAX_REVIEW_MONTHS = 36


class ProcedureType(models.TextChoices):
    """schema.org's two kinds of medical procedure (MedicalProcedureType)."""

    NONINVASIVE = "noninvasive", "No: nothing goes through the skin"
    PERCUTANEOUS = "percutaneous", "Yes: needles or injections go through the skin"


class EditConflict(Exception):
    """Someone saved the treatment after the copy being saved was opened."""


class TreatmentQuerySet(models.QuerySet):
    def with_content(self) -> "TreatmentQuerySet":
        """Every part of the copy in a few further queries, whatever their number."""
        return self.select_related("hero_image").prefetch_related(
            "sections", "faqs", "reminders", "sources"
        )


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
    # Facts for search engines (the page's JSON-LD), stated by staff, never read out of
    # the copy: a guess from prose said "face" for "not used on the face".
    alternate_names = models.CharField(
        "other names",
        max_length=200,
        blank=True,
        help_text="Other names patients may know it by, separated by commas, e.g. "
        "'skin needling, collagen induction therapy'. Leave empty if it has none.",
    )
    body_locations = models.CharField(
        "parts of the body",
        max_length=200,
        blank=True,
        help_text="The parts of the body it is used on, separated by commas, e.g. "
        "'face, neck, hands'. Leave empty rather than guess.",
    )
    procedure_type = models.CharField(
        "through the skin?",
        max_length=20,
        choices=ProcedureType,
        blank=True,
        help_text="Whether needles or injections go through the skin. Leave empty if it "
        "is neither clearly one nor the other: then search engines are told nothing.",
    )
    # What this copy asks for once it is approved: to be on the site, or taken off it.
    # Patients see the live publication (``Publication``), never these rows directly.
    status = models.CharField(
        "on the site",
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        help_text="Published: patients see this copy once it is approved. Draft: it is not "
        "on the site (or is taken off it once that is approved).",
    )
    publish_at = models.DateTimeField(
        "go live at",
        null=True,
        blank=True,
        help_text="Optional: approved changes wait until this time; the page patients see "
        "now stays up until then.",
    )
    review_interval_months = models.PositiveSmallIntegerField(
        "review every (months)",
        default=DEFAULT_REVIEW_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REVIEW_MONTHS)],
        help_text=f"How long a clinician's approval lasts before the page is due for review "
        f"again: at most {MAX_REVIEW_MONTHS} months.",
    )
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
    # The clinical text's hash as last saved (``models.document.clinical_hash``), so a list
    # can tell which pages changed since they went live without reading every page's copy.
    working_hash = models.CharField(max_length=64, blank=True, editable=False)

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

    def save(self, *args, mark_changed: bool = True, **kwargs) -> None:
        """Render and save. ``mark_changed=False`` is for a caller that saves the treatment
        itself after many sections (an import), so the treatment is written once."""
        if not self.position and self.kind:
            self.position = SECTION_ORDER[self.kind] + 1
        self.render()
        # One transaction: the page's text and its last-changed date move together, and
        # the page cache, told on commit, sees both at once. Inside a caller's
        # transaction no savepoint is needed: an error here fails the caller.
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
        self.set_anchor(taken_anchors)
        self.answer = normalize_newlines(self.answer)
        self.answer_html = render_markdown(self.answer, id_prefix=self.anchor)

    def set_anchor(self, taken_anchors: set[str]) -> None:
        """Set ``anchor`` from the question, unique among ``taken_anchors``, which it joins.
        Nothing is rendered: where a preview opens needs only the anchors."""
        base = (slugify(self.question)[:80].strip("-")) or "question"
        anchor, n = base, 2
        while anchor in taken_anchors:
            anchor, n = f"{base}-{n}", n + 1
        self.anchor = anchor
        taken_anchors.add(anchor)


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


class Source(models.Model):
    """A published source the page relies on, listed under "Sources" and cited in the
    copy as ``[words](#source-<key>)``."""

    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="sources")
    position = models.PositiveSmallIntegerField(default=0)
    key = models.SlugField(
        "short name",
        max_length=40,
        help_text="Lower-case letters, digits and hyphens, e.g. 'fda'. The copy links to it "
        "as [US FDA](#source-fda).",
    )
    title = models.CharField(max_length=300, help_text="As published.")
    publisher = models.CharField(
        "publisher or journal",
        max_length=200,
        help_text="An organisation, or a journal with its volume and pages.",
    )
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(1900)])
    url = models.URLField("address", max_length=500, help_text="An https address.")

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["treatment", "key"], name="one_source_per_short_name")
        ]

    def __str__(self) -> str:
        return f"{self.publisher} ({self.year}). {self.title}"

    @property
    def anchor(self) -> str:
        return f"source-{self.key}"
