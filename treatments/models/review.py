"""Clinical review as data: who may approve, each submission, each sign-off, and a log.

- ``StaffProfile``: the name and professional title a reviewer signs with, as patients
  will read it ("Dr A. Example", "Consultant dermatologist, GMC 1234567").
- ``ReviewRequest``: a draft an editor submitted, frozen as submitted, waiting for a
  clinician, then approved or sent back with a comment.
- ``SignOff``: a clinician's approval of one exact text (``content_hash``), with the date
  patients see and when the page is due for review again.
- ``ReviewEvent``: every submission, approval, request for changes, re-approval and
  publication, with who, when, which version and the note: the audit trail an inspector
  reads (``manage.py review_log --csv``).

The rules that move a page through review live in ``workflow.py``.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

REVIEWERS_GROUP = "Clinical reviewers"
EDITORS_GROUP = "Editors"


class SubjectQuerySet(models.QuerySet):
    """Rows about one treatment or page (their "subject")."""

    def of(self, subject: models.Model) -> "SubjectQuerySet":
        return self.filter(
            content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
        )


class Subject(models.Model):
    """A treatment or a page, and its title as it was (the row may be deleted later)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    subject_title = models.CharField("page", max_length=120)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        abstract = True

    def set_subject(self, subject: models.Model) -> None:
        self.content_type = ContentType.objects.get_for_model(subject)
        self.object_id = subject.pk
        self.subject_title = str(subject)[:120]


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    public_name = models.CharField(
        "name shown to patients",
        max_length=120,
        help_text="As it should appear on pages this person approves, e.g. 'Dr A. Example'.",
    )
    professional_title = models.CharField(
        "professional title and registration",
        max_length=200,
        help_text="e.g. 'Consultant dermatologist, GMC 1234567'. Shown beside the name.",
    )

    class Meta:
        verbose_name = "staff profile"

    def __str__(self) -> str:
        return f"{self.public_name}, {self.professional_title}"


class SignOff(Subject):
    class Kind(models.TextChoices):
        APPROVED = "approved", "Approved"
        STILL_ACCURATE = "still_accurate", "Approved as still accurate"
        IMPORTED = "imported", "Recorded in a content file"

    kind = models.CharField(max_length=20, choices=Kind)
    content_hash = models.CharField(max_length=64, db_index=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signoffs",
    )
    # As patients read them on the page, kept as they were when the page was signed.
    reviewer_name = models.CharField(max_length=120)
    reviewer_title = models.CharField(max_length=200)
    signed_on = models.DateField()
    signed_at = models.DateTimeField(default=timezone.now)
    next_review_due = models.DateField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        verbose_name = "sign-off"

    def __str__(self) -> str:
        return f"{self.subject_title}: {self.get_kind_display()} by {self.reviewer_name}"


class ReviewRequest(Subject):
    class Action(models.TextChoices):
        PUBLISH = "publish", "Publish these changes"
        UNPUBLISH = "unpublish", "Take the page off the site"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        WITHDRAWN = "withdrawn", "Withdrawn by the editor"
        SUPERSEDED = "superseded", "Replaced by a newer submission"

    action = models.CharField(max_length=10, choices=Action, default=Action.PUBLISH)
    # The draft exactly as submitted: what the reviewer reads and, once approved, what
    # goes live, whatever is saved to the working copy afterwards.
    document = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64, blank=True)
    publish_at = models.DateTimeField(null=True, blank=True)
    # Everyone who changed this copy since it was last approved: none of them may approve it.
    authors = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    state = models.CharField(max_length=20, choices=State, default=State.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = "review request"

    def __str__(self) -> str:
        return f"{self.subject_title}: {self.get_action_display()} ({self.get_state_display()})"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING


class ReviewEvent(Subject):
    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        STILL_ACCURATE = "still_accurate", "Approved as still accurate"
        SUBMISSION_WITHDRAWN = "withdrawn", "Submission withdrawn"
        PUBLISHED_UNREVIEWED = "published_unreviewed", "Published without clinical review"
        TAKEN_OFF = "taken_off", "Taken off the site"
        IMPORTED_SIGNED = "imported_signed", "Imported with a matching sign-off"
        IMPORTED_UNREVIEWED = "imported_unreviewed", "Imported without a valid sign-off"

    action = models.CharField(max_length=30, choices=Action)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_name = models.CharField("by", max_length=150, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # The working copy's edit-lock number and the clinical text's hash at the time.
    version = models.PositiveIntegerField(default=0)
    content_hash = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "review event"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.subject_title}: {self.get_action_display()}"
