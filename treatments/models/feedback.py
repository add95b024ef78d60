"""What patients tell us about a page, and the searches that found nothing.

- ``Feedback``: one answer to "Is this page helpful?" on a treatment page, its FAQ page
  or a care sheet: which page, the publication the patient read (so an answer belongs
  to the text it was about), yes or no, an optional comment after "no", and the day.
  Never the time, an address, a browser or a cookie: nothing that could point to a
  patient. Staff mark a comment as handled, with who and when. After the retention
  period the comment is emptied and the answer kept, so the counts stay right.
- ``UnansweredSearch``: a normalised query that found nothing, its day and how many
  times. Nothing else.

The per-treatment figures staff read (helpful share over 90 days and since the last
sign-off, pages that need attention) are ``FeedbackQuerySet``'s.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from treatments.models.review import SignOff, Subject
from treatments.models.treatment import Treatment

MAX_COMMENT_LENGTH = 500
MAX_QUERY_LENGTH = 100
# The window staff see a page's figures over, and the review queue judges it by.
RECENT_DAYS = 90

# Characters that would make a comment act as something other than text wherever it is
# shown or exported: control and format characters (bidi overrides, zero-width
# joiners), which can disguise what a comment says. Newlines and tabs stay.
_HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn"}


def clean_comment(text: str) -> str:
    """A comment as stored: Unicode-normalised, hidden characters removed, blank lines
    and runs of spaces collapsed, at most ``MAX_COMMENT_LENGTH`` characters. Markup is
    kept as the patient typed it: it is only ever shown escaped, as plain text."""
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in _HIDDEN)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text[:MAX_COMMENT_LENGTH].strip()


class PageKind(models.TextChoices):
    """The pages that ask "Is this page helpful?" (their URL names)."""

    DETAIL = "detail", "Treatment page"
    FAQ = "faq", "Questions page"
    BEFORE = "before", "Before-your-visit sheet"
    AFTERCARE = "aftercare", "Aftercare sheet"


@dataclass(frozen=True)
class Share:
    """Answers over a period: how many said yes and no."""

    yes: int
    no: int

    @property
    def total(self) -> int:
        return self.yes + self.no

    @property
    def helpful_percent(self) -> int | None:
        """The share that said yes, in whole percent; None without answers."""
        return round(100 * self.yes / self.total) if self.total else None


@dataclass(frozen=True)
class TreatmentFeedback:
    """One treatment's line in the staff summary."""

    object_id: int
    title: str
    recent: Share
    since_review: Share | None  # None: never signed off
    signed_on: datetime.date | None
    open_comments: int

    @property
    def needs_attention(self) -> bool:
        return share_needs_attention(self.recent)


def share_needs_attention(share: Share) -> bool:
    """Enough answers (``FEEDBACK_ATTENTION_MIN_ANSWERS``) and more of them "no" than
    ``FEEDBACK_ATTENTION_NO_SHARE`` (a fraction)."""
    return (
        share.total >= settings.FEEDBACK_ATTENTION_MIN_ANSWERS
        and share.no > share.total * settings.FEEDBACK_ATTENTION_NO_SHARE
    )


def retention_cutoff(today: datetime.date | None = None) -> datetime.date:
    """The first day whose patients' words are still kept (``FEEDBACK_RETENTION_DAYS``)."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=settings.FEEDBACK_RETENTION_DAYS)


class FeedbackQuerySet(models.QuerySet):
    def recent(self, today: datetime.date | None = None) -> FeedbackQuerySet:
        today = today or timezone.localdate()
        return self.filter(day__gt=today - datetime.timedelta(days=RECENT_DAYS))

    def of_treatments(self) -> FeedbackQuerySet:
        return self.filter(content_type=ContentType.objects.get_for_model(Treatment))

    def summary(self, today: datetime.date | None = None) -> list[TreatmentFeedback]:
        """Each treatment with answers: its figures over ``RECENT_DAYS`` and since its last
        sign-off, and its comments not yet handled, in one query, worst first."""
        today = today or timezone.localdate()
        cutoff = today - datetime.timedelta(days=RECENT_DAYS)
        last_signed = Subquery(
            SignOff.objects.filter(
                content_type=OuterRef("content_type"), object_id=OuterRef("object_id")
            )
            .order_by("-signed_on", "-id")
            .values("signed_on")[:1]
        )
        rows = (
            self.of_treatments()
            .values("object_id")
            .annotate(
                title=models.Max("subject_title"),
                signed_on=last_signed,
                recent_yes=Count("pk", filter=Q(day__gt=cutoff, helpful=True)),
                recent_no=Count("pk", filter=Q(day__gt=cutoff, helpful=False)),
                review_yes=Count("pk", filter=Q(day__gte=last_signed, helpful=True)),
                review_no=Count("pk", filter=Q(day__gte=last_signed, helpful=False)),
                open_comments=Count("pk", filter=Q(handled_at__isnull=True) & ~Q(comment="")),
            )
            .order_by("object_id")
        )
        lines = [
            TreatmentFeedback(
                object_id=row["object_id"],
                title=row["title"],
                recent=Share(row["recent_yes"], row["recent_no"]),
                since_review=(
                    Share(row["review_yes"], row["review_no"]) if row["signed_on"] else None
                ),
                signed_on=row["signed_on"],
                open_comments=row["open_comments"],
            )
            for row in rows
        ]
        return sorted(lines, key=lambda line: (not line.needs_attention, -line.recent.no))

    def needing_attention(self, today: datetime.date | None = None) -> list[int]:
        """Treatments (ids) whose recent "no" share is above the threshold."""
        rows = (
            self.of_treatments()
            .recent(today)
            .values("object_id")
            .annotate(
                yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False))
            )
        )
        return [
            row["object_id"] for row in rows if share_needs_attention(Share(row["yes"], row["no"]))
        ]

    def prune(self, today: datetime.date | None = None) -> int:
        """Empty the comments older than ``FEEDBACK_RETENTION_DAYS``; the answers stay, so
        the counts do. Returns how many comments were deleted."""
        return self.filter(day__lt=retention_cutoff(today)).exclude(comment="").update(comment="")


class Feedback(Subject):
    """One answer to "Is this page helpful?" (``Subject``: the treatment and its title)."""

    page = models.CharField(max_length=10, choices=PageKind)
    # The text the patient read: the publication the page was made from, and its hash,
    # which outlives the publication row should it ever be deleted.
    publication = models.ForeignKey(
        "Publication", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_hash = models.CharField("content version", max_length=64, blank=True)
    helpful = models.BooleanField()
    comment = models.TextField(blank=True, max_length=MAX_COMMENT_LENGTH)
    # The day only: a time of day could be matched with a visit.
    day = models.DateField(default=timezone.localdate, db_index=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = "page feedback"
        verbose_name_plural = "page feedback"
        indexes = [models.Index(fields=["content_type", "object_id", "day"])]

    def __str__(self) -> str:
        answer = "helpful" if self.helpful else "not helpful"
        return f"{self.subject_title} ({self.get_page_display()}), {self.day}: {answer}"

    @classmethod
    def record(cls, publication, page: str, helpful: bool) -> Feedback:
        """Store an answer given on ``page`` of the treatment ``publication`` shows."""
        return cls.objects.create(
            content_type_id=publication.content_type_id,
            object_id=publication.object_id,
            subject_title=publication.title[:120],
            publication=publication,
            content_hash=publication.content_hash,
            page=page,
            helpful=helpful,
        )

    def add_comment(self, text: str) -> bool:
        """Attach the comment a patient wrote after "no": once, and only to a "no"."""
        text = clean_comment(text)
        if not text or self.helpful:
            return False
        updated = Feedback.objects.filter(pk=self.pk, helpful=False, comment="").update(
            comment=text
        )
        if updated:
            self.comment = text
        return bool(updated)


# -- Searches that found nothing -----------------------------------------------------

# A query that may carry an e-mail address or a phone, NHS or booking number is not
# kept: it could point to a person.
_PERSONAL = re.compile(r"@|\d[\d\s-]{4,}\d")


def normalize_query(raw: str) -> str:
    """A search as counted: Unicode-normalised, lower case, spaces collapsed, at most
    ``MAX_QUERY_LENGTH`` characters; '' when there is nothing to keep."""
    text = unicodedata.normalize("NFKC", raw).casefold()
    text = "".join(c for c in text if unicodedata.category(c) not in _HIDDEN)
    text = " ".join(text.split())[:MAX_QUERY_LENGTH].strip()
    if not any(c.isalnum() for c in text) or _PERSONAL.search(text):
        return ""
    return text


class UnansweredSearch(models.Model):
    query = models.CharField(max_length=MAX_QUERY_LENGTH)
    day = models.DateField(default=timezone.localdate)
    count = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-day", "-count", "query"]
        verbose_name = "search that found nothing"
        verbose_name_plural = "searches that found nothing"
        constraints = [
            models.UniqueConstraint(fields=["query", "day"], name="unanswered_search_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.query} ({self.day}: {self.count})"


def record_unanswered_search(query: str) -> None:
    """Count a search that found nothing, normalised, under today's date. New queries
    stop being added after ``UNANSWERED_SEARCHES_PER_DAY`` a day, so a flood of made-up
    searches cannot fill the database; repeats of one already kept are still counted."""
    text = normalize_query(query)
    if not text:
        return
    today = timezone.localdate()
    rows = UnansweredSearch.objects.filter(query=text, day=today)
    if rows.update(count=F("count") + 1):
        return
    if UnansweredSearch.objects.filter(day=today).count() >= settings.UNANSWERED_SEARCHES_PER_DAY:
        return
    try:
        with transaction.atomic():
            UnansweredSearch.objects.create(query=text, day=today)
    except IntegrityError:
        # Another request added it a moment ago.
        rows.update(count=F("count") + 1)


def prune_unanswered_searches(today: datetime.date | None = None) -> int:
    """Delete searches older than ``FEEDBACK_RETENTION_DAYS``: what patients type is kept
    no longer than what they write. Returns how many rows went."""
    deleted, _ = UnansweredSearch.objects.filter(day__lt=retention_cutoff(today)).delete()
    return deleted
