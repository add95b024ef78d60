"""Clinical review in the admin: the panel on each edit page, the queue, the sign-off.

- ``ReviewPanelMixin`` (treatments and pages): a panel at the top of the edit page that
  says where the page stands (on the site or not, who approved it, what patients do not
  see yet, a reviewer's comment), and the buttons that move it on: submit for review,
  publish without review where the site allows it, approve as still accurate.
- ``ReviewRequestAdmin``: the review queue. Each submission shows what changed against
  the page patients see now, word by word, with the reading grades and the content
  checks, and a reviewer approves it or asks for changes there.
- A staff profile (the name and title a reviewer signs with) on the user's edit page.

The rules themselves (four eyes, sign-off bound to the text) are ``models.workflow``'s.
"""

from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from treatments.content.checks import check_document, section_scores
from treatments.editorial.admin.busy import BusyMixin
from treatments.editorial.admin.editors import AddEditorMixin
from treatments.editorial.history import word_diffs
from treatments.editorial.sessions import is_busy
from treatments.models import ReviewRequest, StaffProfile, Treatment
from treatments.models.document import (
    Change,
    changes_between,
    page_changes,
)
from treatments.models.live import document_from_json, page_document_from_json
from treatments.models.section_kinds import SectionKind
from treatments.models.workflow import (
    ReviewRefused,
    approve,
    approve_still_accurate,
    is_reviewer,
    publish_without_review,
    refresh_working_hash,
    request_changes,
    review_state,
    signoff_required,
    submit,
    working_document,
)

SUBMIT, PUBLISH, UNPUBLISH = "_submit", "_publish", "_unpublish"
REVIEW_BUTTONS = (SUBMIT, PUBLISH, UNPUBLISH)


def live_changes(subject, state, document=None) -> list[Change]:
    """What the working copy changes against the page patients see now."""
    document = document if document is not None else working_document(subject)
    if state.live is None:
        return []
    if isinstance(subject, Treatment):
        return changes_between(document_from_json(state.live.document), document)
    return page_changes(page_document_from_json(state.live.document), document)


def _refusal(exc: Exception) -> str:
    """What to tell a reviewer whose decision was not recorded."""
    if isinstance(exc, DatabaseError):
        if not is_busy(exc):
            raise exc
        return "The website is busy, so nothing was recorded. Please try again in a minute."
    return str(exc)


class ReviewPanelMixin:
    """The review panel and buttons of a treatment's or a page's edit page."""

    def review_urls(self, wrap) -> list:
        name = f"{self.opts.app_label}_{self.opts.model_name}_still_accurate"
        return [path("<path:object_id>/still-accurate/", wrap(self.still_accurate_view), name=name)]

    def get_urls(self):
        return self.review_urls(self.admin_site.admin_view) + super().get_urls()

    def still_accurate_view(self, request: HttpRequest, object_id: str):
        """A clinical reviewer's periodic review: the live text is still right. Reviewers
        may only view pages, so this has a view of its own rather than the save."""
        obj = get_object_or_404(self.model, pk=object_id)
        if request.method != "POST" or not self.has_view_permission(request, obj):
            raise PermissionDenied
        try:
            signoff = approve_still_accurate(obj, request.user, request.POST.get("review_note", ""))
        except (ReviewRefused, DatabaseError) as exc:
            messages.error(request, _refusal(exc))
        else:
            messages.success(
                request,
                f"Approved as still accurate. Next review due {signoff.next_review_due:%d %B %Y}.",
            )
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )

    def review_context(self, request: HttpRequest, obj) -> dict:
        """What the edit page's review panel and buttons need."""
        if obj is None or obj.pk is None:
            return {}
        state = review_state(obj)
        reviewer = is_reviewer(request.user)
        may_edit = self.has_change_permission(request, obj)
        return {
            "state": state,
            "changes": word_diffs(live_changes(obj, state)),
            "signoff_required": signoff_required(),
            "pending_url": (
                reverse("admin:treatments_reviewrequest_change", args=[state.pending.pk])
                if state.pending
                else ""
            ),
            "can_submit": may_edit,
            # Unreviewed where allowed; else only text a clinician approved already (a new
            # picture or go-live time needs no new sign-off).
            "can_publish": may_edit and (not signoff_required() or state.text_approved),
            "can_unpublish": may_edit and state.live is not None,
            "can_still_accurate": (
                reviewer and state.signoff is not None and not state.changed_since_live
            ),
        }

    def intent_from_button(self, request: HttpRequest, obj) -> None:
        """Before saving: the button says whether this copy should be on the site."""
        if not isinstance(obj, Treatment):
            return
        if SUBMIT in request.POST or PUBLISH in request.POST:
            obj.status = Treatment.Status.PUBLISHED
        elif UNPUBLISH in request.POST:
            obj.status = Treatment.Status.DRAFT

    def after_save(self, request: HttpRequest, obj) -> None:
        """Once the page and its rows are saved: submit, publish or re-approve as the
        button pressed asks, and say what patients now see."""
        if isinstance(obj, Treatment):
            refresh_working_hash(obj)
        note = request.POST.get("review_note", "").strip()
        try:
            if UNPUBLISH in request.POST and signoff_required():
                submit(obj, request.user, note)
                messages.success(
                    request,
                    "Asked a clinical reviewer to take the page off the site. Patients see it "
                    "until then.",
                )
                return
            if UNPUBLISH in request.POST:
                publication = publish_without_review(obj, request.user, note=note)
                messages.success(request, self._published_message(obj, publication))
                return
            if SUBMIT in request.POST:
                submit(obj, request.user, note)
                messages.success(
                    request,
                    "Sent for clinical review. Patients see the page as it was until a "
                    "clinician approves the change.",
                )
                return
            if PUBLISH in request.POST:
                publication = publish_without_review(obj, request.user, note=note)
                messages.success(request, self._published_message(obj, publication))
                return
        except ReviewRefused as exc:
            messages.error(request, f"Saved, but: {exc}")
            return
        state = review_state(obj)
        if state.live is not None and state.changed_since_live:
            messages.info(
                request,
                "Saved as a draft: patients still see the published page. Submit it for "
                "review when it is ready.",
            )
        elif state.live is None:
            messages.info(request, "Saved. This page is not on the site yet.")

    @staticmethod
    def _published_message(obj, publication) -> str:
        if publication.withdrawn:
            return "Taken off the site: patients can no longer see this page."
        if publication.live_from > publication.created_at:
            return f"Goes live on {publication.live_from:%d %B %Y at %H:%M}."
        return format_html(
            "Live now: patients see it at <a href='{}'>{}</a>. No clinician has checked it, "
            "and the page says so.",
            publication.get_absolute_url(),
            publication.get_absolute_url(),
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        """A page patients can see is taken off the site through review first."""
        if obj is not None and obj.pk is not None and review_state(obj).live is not None:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        # The bulk delete would skip has_delete_permission's per-page rule.
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions


@admin.register(ReviewRequest)
class ReviewRequestAdmin(BusyMixin, admin.ModelAdmin):
    """The review queue: what waits for a clinician, and what was decided."""

    list_display = ["subject_title", "action", "submitted_by", "submitted_at", "state"]
    list_filter = ["state", "action"]
    list_select_related = ["submitted_by"]
    ordering = ["-submitted_at"]
    change_form_template = "admin/treatments/reviewrequest/review.html"

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        # The queue opens on what is waiting, not on everything ever decided.
        if "state__exact" not in request.GET and not request.GET.get("all"):
            query = request.GET.copy()
            query["state__exact"] = ReviewRequest.State.PENDING
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        urls = super().get_urls()
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/decide/", wrap(self.decide_view), name="treatments_reviewrequest_decide"
            ),
            *urls,
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        review = get_object_or_404(ReviewRequest, pk=object_id)
        context = {**(extra_context or {}), **self._review_context(request, review)}
        return super().change_view(request, object_id, form_url, context)

    def get_fields(self, request, obj=None):
        return []

    def _review_context(self, request, review: ReviewRequest) -> dict:
        subject = review.subject
        context = {
            "review": review,
            "decide_url": reverse("admin:treatments_reviewrequest_decide", args=[review.pk]),
            "can_decide": review.is_pending and is_reviewer(request.user),
            "is_author": request.user.pk in review.authors,
        }
        if subject is None:
            return {**context, "deleted": True}
        state = review_state(subject)
        if isinstance(subject, Treatment):
            document = document_from_json(review.document)
            context["scores"] = [
                (SectionKind(kind).label, score) for kind, score in section_scores(document).items()
            ]
            context["findings"] = check_document(document)
        else:
            document = page_document_from_json(review.document)
        context.update(
            subject=subject,
            state=state,
            changes=word_diffs(live_changes(subject, state, document)),
            edit_url=reverse(
                f"admin:treatments_{subject._meta.model_name}_change", args=[subject.pk]
            ),
        )
        return context

    def decide_view(self, request: HttpRequest, pk: int):
        review = get_object_or_404(ReviewRequest, pk=pk)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:treatments_reviewrequest_change", args=[pk]))
        if not is_reviewer(request.user):
            raise PermissionDenied
        note = request.POST.get("note", "")
        try:
            if "_approve" in request.POST:
                publication = approve(review, request.user, note)
                when = (
                    "now"
                    if publication.live_from <= publication.created_at
                    else f"on {publication.live_from:%d %B %Y at %H:%M}"
                )
                messages.success(request, f"Approved. “{review.subject_title}” goes live {when}.")
            else:
                request_changes(review, request.user, note)
                messages.success(request, "Sent back to the editor with your comment.")
        except (ReviewRefused, DatabaseError) as exc:
            messages.error(request, _refusal(exc))
            return HttpResponseRedirect(reverse("admin:treatments_reviewrequest_change", args=[pk]))
        return HttpResponseRedirect(reverse("admin:treatments_reviewrequest_changelist"))


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    verbose_name_plural = "How this person is named on pages they approve (clinical reviewers)"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(AddEditorMixin, UserAdmin):
    inlines = [*UserAdmin.inlines, StaffProfileInline]

    def get_urls(self):
        return self.add_editor_urls() + super().get_urls()
