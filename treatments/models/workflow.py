"""The review cycle: how a change reaches patients only with a clinician's approval.

1. An editor saves the working copy as often as they like: patients still see the
   live publication.
2. ``submit`` freezes the draft in a ``ReviewRequest``.
3. A clinical reviewer who did not write the change ``approve``\\s it (or sends it back
   with ``request_changes``). Approval records a ``SignOff`` bound to the exact text and
   makes a ``Publication`` that goes live now or at the go-live time.
4. ``approve_still_accurate`` re-signs unchanged live text when its review falls due.

Where the site allows it (``CLINICAL_SIGNOFF_REQUIRED`` off, as for ``make run``),
``publish_without_review`` puts a draft live with no sign-off; the page then says that
no clinician has checked it. Every step writes a ``ReviewEvent``.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from reversion.models import Version

from treatments.models.document import (
    PageDocument,
    TreatmentDocument,
    clinical_hash,
    document_from_page,
    document_from_treatment,
    page_hash,
)
from treatments.models.live import (
    ReviewStamp,
    content_snapshot,
    document_from_json,
    document_to_json,
    live_page,
    live_treatment,
    page_document_from_json,
    page_snapshot,
)
from treatments.models.page import Page
from treatments.models.publication import Publication
from treatments.models.review import (
    REVIEWERS_GROUP,
    ReviewEvent,
    ReviewRequest,
    SignOff,
    StaffProfile,
)
from treatments.models.treatment import DEFAULT_REVIEW_MONTHS, Treatment

# A review falling due within this many days counts as "due soon".
DUE_SOON_DAYS = 30


class ReviewRefused(Exception):
    """An action the review rules do not allow, with the reason in plain words."""


def signoff_required() -> bool:
    return settings.CLINICAL_SIGNOFF_REQUIRED


# -- Treatments and pages alike --------------------------------------------------------


def working_document(subject: models.Model) -> TreatmentDocument | PageDocument:
    """The copy staff are editing, as a document."""
    if isinstance(subject, Treatment):
        return document_from_treatment(subject)
    return document_from_page(subject)


def content_hash(subject: models.Model, document: Any = None) -> str:
    document = document if document is not None else working_document(subject)
    if isinstance(subject, Treatment):
        return clinical_hash(document)
    return page_hash(document)


def _snapshot(subject: models.Model, document: Any) -> dict[str, Any]:
    if isinstance(subject, Treatment):
        return content_snapshot(document)
    return page_snapshot(document)


def _document_json(subject: models.Model, document: Any) -> dict[str, Any]:
    if isinstance(subject, Treatment):
        return document_to_json(document)
    return {"fields": dict(document.meta), "body": document.body}


def _document_from_json(subject: models.Model, data: dict[str, Any]) -> Any:
    if isinstance(subject, Treatment):
        return document_from_json(data)
    return page_document_from_json(data)


def refresh_working_hash(treatment: Treatment) -> str:
    """Store the hash of the treatment's copy as saved now; call after its rows are saved."""
    fresh = Treatment.objects.with_content().get(pk=treatment.pk)
    digest = clinical_hash(document_from_treatment(fresh))
    if digest != treatment.working_hash:
        Treatment.objects.filter(pk=treatment.pk).update(working_hash=digest)
        treatment.working_hash = digest
    return digest


def wants_to_be_live(subject: models.Model) -> bool:
    """A treatment says so with its status; a page is always meant to be on the site."""
    return subject.status == Treatment.Status.PUBLISHED if isinstance(subject, Treatment) else True


def live_publication(subject: models.Model) -> Publication | None:
    return Publication.objects.of(subject).live().select_related("signoff").first()


def scheduled_publication(subject: models.Model) -> Publication | None:
    return Publication.objects.of(subject).scheduled().order_by("live_from", "id").first()


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved on ``months`` calendar months (the 31st becomes the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def review_months(subject: models.Model) -> int:
    return getattr(subject, "review_interval_months", None) or DEFAULT_REVIEW_MONTHS


def stamp(signoff: SignOff | None) -> ReviewStamp | None:
    """What the page shows of a sign-off; None without one."""
    if signoff is None:
        return None
    return ReviewStamp(
        name=signoff.reviewer_name,
        title=signoff.reviewer_title,
        reviewed_on=signoff.signed_on,
        next_review_due=signoff.next_review_due,
    )


def listed_treatment(publication: Publication):
    """A live treatment for a list or a card: its own fields, no sections (not loaded)."""
    return live_treatment(
        {"fields": publication.fields},
        pk=publication.object_id,
        updated_at=publication.live_from,
    )


def page_from_publication(publication: Publication):
    """The live page patients read, from a publication (its sign-off already loaded)."""
    review = stamp(publication.signoff)
    if publication.content_type.model_class() is Page:
        return live_page(
            publication.document,
            pk=publication.object_id,
            updated_at=publication.live_from,
            review=review,
        )
    return live_treatment(
        publication.document,
        pk=publication.object_id,
        hero_image=publication.hero_image,
        updated_at=publication.live_from,
        review=review,
        publication=publication,
    )


def _log(
    subject: models.Model, action: str, user=None, *, note: str = "", content: str = ""
) -> ReviewEvent:
    event = ReviewEvent(
        action=action,
        user=user,
        user_name=_name(user),
        version=getattr(subject, "version", 0) or 0,
        content_hash=content,
        note=note,
    )
    event.set_subject(subject)
    event.save()
    return event


def _name(user) -> str:
    if user is None:
        return "content import"
    profile = StaffProfile.objects.filter(user=user).first()
    return profile.public_name if profile else (user.get_full_name() or user.get_username())


# -- Who may review --------------------------------------------------------------------


def is_reviewer(user) -> bool:
    """In the Clinical reviewers group, active, and with the name and title patients will
    read. A superuser is a reviewer only if in the group, like anyone else."""
    return bool(
        user is not None
        and user.is_active
        and user.groups.filter(name=REVIEWERS_GROUP).exists()
        and StaffProfile.objects.filter(user=user).exclude(public_name="").exists()
    )


def _authors_since_live(subject: models.Model, live: Publication | None) -> set[int]:
    """Everyone who saved this copy since the live version went up (or ever)."""
    versions = Version.objects.get_for_object(subject)
    if live is not None:
        versions = versions.filter(revision__date_created__gt=live.created_at)
    return set(versions.exclude(revision__user=None).values_list("revision__user", flat=True))


# -- The steps -------------------------------------------------------------------------


def _publish(
    subject: models.Model,
    snapshot: dict[str, Any],
    digest: str,
    *,
    signoff: SignOff | None,
    user,
    live_from: datetime.datetime | None = None,
) -> Publication:
    now = timezone.now()
    fields = snapshot.get("fields", {})
    publication = Publication(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        slug=fields.get("slug") or "",
        title=fields.get("title") or "",
        summary=fields.get("summary") or "",
        fields=fields,
        faq_count=len(snapshot.get("faqs", [])),
        document=snapshot,
        content_hash=digest,
        hero_image_id=getattr(subject, "hero_image_id", None),
        live_from=live_from if live_from and live_from > now else now,
        signoff=signoff,
        published_by=user,
    )
    publication.save()
    # A newer publication replaces any still waiting for its time.
    Publication.objects.of(subject).scheduled(now).exclude(pk=publication.pk).delete()
    return publication


def _take_off(subject: models.Model, *, user, live_from=None) -> Publication:
    now = timezone.now()
    publication = Publication(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        slug=getattr(subject, "slug", ""),
        title=str(subject)[:120],
        withdrawn=True,
        live_from=live_from if live_from and live_from > now else now,
        published_by=user,
    )
    publication.save()
    Publication.objects.of(subject).scheduled(now).exclude(pk=publication.pk).delete()
    return publication


@transaction.atomic
def submit(subject: models.Model, user, note: str = "") -> ReviewRequest:
    """Freeze the working copy for a clinician to review. A newer submission replaces any
    still waiting; submitting what is already live changes nothing and is refused."""
    document = working_document(subject)
    digest = content_hash(subject, document)
    live = live_publication(subject)
    action = (
        ReviewRequest.Action.PUBLISH
        if wants_to_be_live(subject)
        else ReviewRequest.Action.UNPUBLISH
    )
    if action == ReviewRequest.Action.PUBLISH and live and live.content_hash == digest:
        raise ReviewRefused("Nothing to review: the page on the site already has this text.")
    if action == ReviewRequest.Action.UNPUBLISH and live is None:
        raise ReviewRefused("Nothing to review: this page is not on the site.")
    ReviewRequest.objects.of(subject).filter(state=ReviewRequest.State.PENDING).update(
        state=ReviewRequest.State.SUPERSEDED
    )
    request = ReviewRequest(
        action=action,
        document=_document_json(subject, document),
        content_hash=digest,
        publish_at=getattr(subject, "publish_at", None),
        authors=sorted(_authors_since_live(subject, live) | {user.pk}),
        version=getattr(subject, "version", 0) or 0,
        submitted_by=user,
        note=note,
    )
    request.set_subject(subject)
    request.save()
    _log(subject, ReviewEvent.Action.SUBMITTED, user, note=note, content=digest)
    return request


def _check_reviewer(request: ReviewRequest, reviewer) -> None:
    if not request.is_pending:
        raise ReviewRefused("This submission has already been dealt with.")
    if not is_reviewer(reviewer):
        raise ReviewRefused(
            "Only a member of Clinical reviewers with a name and title on their staff profile "
            "can review pages."
        )


@transaction.atomic
def approve(request: ReviewRequest, reviewer, note: str = "") -> Publication:
    """Sign off the submitted text and publish it (at its go-live time, if one was set)."""
    _check_reviewer(request, reviewer)
    if reviewer.pk in request.authors:
        raise ReviewRefused(
            "You changed this page, so another clinical reviewer must approve it: nobody "
            "approves their own change."
        )
    subject = request.subject
    if subject is None:
        raise ReviewRefused("This page has been deleted.")
    if request.action == ReviewRequest.Action.UNPUBLISH:
        publication = _take_off(subject, user=reviewer, live_from=request.publish_at)
        action = ReviewEvent.Action.TAKEN_OFF
    else:
        signoff = sign(subject, request.content_hash, reviewer, SignOff.Kind.APPROVED, note)
        document = _document_from_json(subject, request.document)
        publication = _publish(
            subject,
            _snapshot(subject, document),
            request.content_hash,
            signoff=signoff,
            user=reviewer,
            live_from=request.publish_at,
        )
        action = ReviewEvent.Action.APPROVED
    request.state = ReviewRequest.State.APPROVED
    request.decided_by, request.decided_at, request.decision_note = reviewer, timezone.now(), note
    request.save()
    _log(subject, action, reviewer, note=note, content=request.content_hash)
    return publication


@transaction.atomic
def request_changes(request: ReviewRequest, reviewer, comment: str) -> None:
    """Send the draft back; the editor sees ``comment`` on the edit page."""
    _check_reviewer(request, reviewer)
    if not comment.strip():
        raise ReviewRefused("Say what needs to change: the editor will see your comment.")
    request.state = ReviewRequest.State.CHANGES_REQUESTED
    request.decided_by, request.decided_at = reviewer, timezone.now()
    request.decision_note = comment.strip()
    request.save()
    _log(
        request.subject or request,
        ReviewEvent.Action.CHANGES_REQUESTED,
        reviewer,
        note=request.decision_note,
        content=request.content_hash,
    )


@transaction.atomic
def withdraw_submission(request: ReviewRequest, user) -> None:
    if not request.is_pending:
        raise ReviewRefused("This submission has already been dealt with.")
    request.state = ReviewRequest.State.WITHDRAWN
    request.decided_by, request.decided_at = user, timezone.now()
    request.save()
    _log(request.subject, ReviewEvent.Action.SUBMISSION_WITHDRAWN, user)


def sign(
    subject: models.Model,
    digest: str,
    reviewer,
    kind: str,
    note: str = "",
    *,
    on: datetime.date | None = None,
    name: str = "",
    title: str = "",
) -> SignOff:
    """Record a sign-off of the text with hash ``digest``."""
    on = on or timezone.localdate()
    if reviewer is not None:
        profile = StaffProfile.objects.get(user=reviewer)
        name, title = profile.public_name, profile.professional_title
    signoff = SignOff(
        kind=kind,
        content_hash=digest,
        reviewer=reviewer,
        reviewer_name=name,
        reviewer_title=title,
        signed_on=on,
        next_review_due=add_months(on, review_months(subject)),
        note=note,
    )
    signoff.set_subject(subject)
    signoff.save()
    return signoff


@transaction.atomic
def approve_still_accurate(subject: models.Model, reviewer, note: str = "") -> SignOff:
    """A periodic review that finds the live text still right: sign it again, unchanged,
    and move its review dates on."""
    live = live_publication(subject)
    if live is None:
        raise ReviewRefused("This page is not on the site, so there is nothing to re-approve.")
    if not is_reviewer(reviewer):
        raise ReviewRefused("Only a clinical reviewer can approve a page as still accurate.")
    if live.signoff is None:
        raise ReviewRefused(
            "No clinician has approved this text yet: submit it for review instead."
        )
    signoff = sign(subject, live.content_hash, reviewer, SignOff.Kind.STILL_ACCURATE, note)
    live.signoff = signoff
    # save(), not update(): the page cache hears of saves, and the page's dates change.
    live.save(update_fields=["signoff"])
    _log(subject, ReviewEvent.Action.STILL_ACCURATE, reviewer, note=note, content=live.content_hash)
    return signoff


@transaction.atomic
def publish_without_review(subject: models.Model, user, *, note: str = "") -> Publication:
    """Put the working copy live (or take it off) without a new review: where the site
    allows unreviewed pages, or where a clinician already approved this very text and only
    what a sign-off does not cover changed (the picture, the go-live time)."""
    document = working_document(subject)
    digest = content_hash(subject, document)
    signoff = matching_signoff(subject, digest)
    if signoff_required() and (signoff is None or not wants_to_be_live(subject)):
        raise ReviewRefused(
            "This site publishes only what a clinician has approved: submit the page for review."
        )
    if not wants_to_be_live(subject):
        publication = _take_off(subject, user=user)
        _log(subject, ReviewEvent.Action.TAKEN_OFF, user, note=note)
        return publication
    publication = _publish(
        subject,
        _snapshot(subject, document),
        digest,
        signoff=signoff,
        user=user,
        live_from=getattr(subject, "publish_at", None),
    )
    action = ReviewEvent.Action.APPROVED if signoff else ReviewEvent.Action.PUBLISHED_UNREVIEWED
    _log(subject, action, user, note=note, content=publication.content_hash)
    return publication


def matching_signoff(subject: models.Model, digest: str) -> SignOff | None:
    """The newest sign-off of exactly this text, if a clinician ever approved it."""
    return SignOff.objects.of(subject).filter(content_hash=digest).first()


# -- Imports -----------------------------------------------------------------------------


def _imported_signoff(subject: models.Model, recorded, digest: str) -> SignOff | None:
    """The file's sign-off as a ``SignOff``, made once; None unless it is for this text."""
    if recorded is None or recorded.content_hash != digest:
        return None
    existing = (
        SignOff.objects.of(subject)
        .filter(content_hash=digest, signed_on=recorded.date, reviewer_name=recorded.reviewer)
        .first()
    )
    if existing is not None:
        return existing
    signoff = sign(
        subject,
        digest,
        None,
        SignOff.Kind.IMPORTED,
        on=recorded.date,
        name=recorded.reviewer,
        title=recorded.title,
    )
    _log(subject, ReviewEvent.Action.IMPORTED_SIGNED, content=digest)
    return signoff


def workflow_import(
    subject: models.Model, recorded, digest: str, snapshot: dict[str, Any] | None = None
) -> list[str]:
    """After an import wrote the working copy: keep the file's sign-off if it is for this
    very text, and put the page live (or take it off) as the rules allow. Returns what
    happened to the page patients see, in plain words."""
    notes = []
    signoff = _imported_signoff(subject, recorded, digest)
    if recorded is not None and signoff is None:
        notes.append("imported as not reviewed: its sign-off is for other text")
        _log(subject, ReviewEvent.Action.IMPORTED_UNREVIEWED, content=digest)
    live = live_publication(subject)
    if not wants_to_be_live(subject):
        if live is not None:
            _take_off(subject, user=None)
            _log(subject, ReviewEvent.Action.TAKEN_OFF, note="status: draft in the content file")
            notes.append("taken off the site (status: draft)")
        return notes
    signoff = signoff or matching_signoff(subject, digest)
    latest = scheduled_publication(subject) or live
    if (
        latest is not None
        and latest.content_hash == digest
        and latest.signoff_id == getattr(signoff, "pk", None)
    ):
        return notes
    if signoff is None and signoff_required():
        kept = "; patients still see the approved version" if live else ""
        notes.append(f"not on the site: no clinician has approved this text{kept}")
        return notes
    if snapshot is None:
        snapshot = _snapshot(subject, working_document(subject))
    _publish(
        subject,
        snapshot,
        digest,
        signoff=signoff,
        user=None,
        live_from=getattr(subject, "publish_at", None),
    )
    if signoff is None:
        _log(subject, ReviewEvent.Action.PUBLISHED_UNREVIEWED, content=digest)
        notes.append("published without clinical review")
    else:
        notes.append(
            f"published, approved by {signoff.reviewer_name} on {signoff.signed_on:%d %b %Y}"
        )
    return notes


def take_off_by_import(subject: models.Model) -> None:
    _take_off(subject, user=None)
    _log(subject, ReviewEvent.Action.TAKEN_OFF, note="file removed from content/ (import --prune)")


# -- Where a page stands ---------------------------------------------------------------


@dataclass
class ReviewState:
    """Everything the edit page and the review views say about one page."""

    live: Publication | None
    scheduled: Publication | None
    pending: ReviewRequest | None
    sent_back: ReviewRequest | None
    working_hash: str
    today: datetime.date

    @property
    def signoff(self) -> SignOff | None:
        return self.live.signoff if self.live else None

    @property
    def is_live(self) -> bool:
        return self.live is not None

    @property
    def changed_since_live(self) -> bool:
        return self.live is None or self.live.content_hash != self.working_hash

    @property
    def text_approved(self) -> bool:
        """A clinician has approved the working copy's text as it is now."""
        return self.signoff is not None and self.signoff.content_hash == self.working_hash

    @property
    def never_reviewed(self) -> bool:
        return self.signoff is None

    @property
    def next_review_due(self) -> datetime.date | None:
        return self.signoff.next_review_due if self.signoff else None

    @property
    def overdue(self) -> bool:
        due = self.next_review_due
        return due is not None and due < self.today

    @property
    def due_soon(self) -> bool:
        due = self.next_review_due
        return due is not None and self.today <= due <= self.today + datetime.timedelta(
            days=DUE_SOON_DAYS
        )


def review_state(subject: models.Model, document: Any = None) -> ReviewState:
    latest = (
        ReviewRequest.objects.of(subject)
        .exclude(state=ReviewRequest.State.SUPERSEDED)
        .order_by("-submitted_at", "-id")
        .first()
    )
    states = ReviewRequest.State
    return ReviewState(
        live=live_publication(subject),
        scheduled=scheduled_publication(subject),
        pending=latest if latest and latest.state == states.PENDING else None,
        sent_back=latest if latest and latest.state == states.CHANGES_REQUESTED else None,
        working_hash=content_hash(subject, document),
        today=timezone.localdate(),
    )
