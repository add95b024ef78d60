"""What patients told us, for staff: answers and comments, and searches that found nothing.

- ``FeedbackAdmin``: above the list, each treatment's helpful share over the last 90
  days and since its last sign-off, worst first, with those that need attention
  marked; below, every answer with its comment, which staff mark as handled (who and
  when are kept). CSV downloads of the answers and of the summary, for an assessor.
- ``UnansweredSearchAdmin``: what patients searched for and did not find, to turn into
  new questions or words the search should know.

Patients' words are only ever shown as plain text: escaped, never made into links, and
in CSV a cell that a spreadsheet would run as a formula is marked as text.
"""

import csv

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator

from treatments.models import Feedback, UnansweredSearch
from treatments.models.feedback import RECENT_DAYS

# What a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A value as a CSV cell that a spreadsheet shows as text and never runs."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return response


class CommentFilter(admin.SimpleListFilter):
    title = "comment"
    parameter_name = "comment"

    def lookups(self, request, model_admin):
        return [("open", "Not handled yet"), ("handled", "Handled"), ("any", "Has a comment")]

    def queryset(self, request, queryset):
        with_comment = queryset.exclude(comment="")
        if self.value() == "open":
            return with_comment.filter(handled_at__isnull=True)
        if self.value() == "handled":
            return with_comment.filter(handled_at__isnull=False)
        if self.value() == "any":
            return with_comment
        return queryset


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["day", "subject_title", "page", "answer", "comment_text", "handled"]
    list_filter = [CommentFilter, "helpful", "page", "day"]
    list_select_related = ["handled_by"]
    search_fields = ["subject_title", "comment"]
    actions = ["mark_handled", "mark_not_handled"]
    change_list_template = "admin/treatments/feedback/change_list.html"
    fields = [
        "subject_title",
        "page",
        "helpful",
        "day",
        "publication",
        "content_hash",
        "comment",
        "handled_by",
        "handled_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # The counts are the record: comments go after the retention period, answers stay.
        return False

    @admin.display(description="Helpful?", ordering="helpful")
    def answer(self, obj: Feedback) -> str:
        return "Yes" if obj.helpful else "No"

    @admin.display(description="Comment")
    def comment_text(self, obj: Feedback) -> str:
        # A string: the admin escapes it, and nothing turns it into a link.
        return Truncator(obj.comment).chars(140) if obj.comment else ""

    @admin.display(description="Handled", ordering="handled_at")
    def handled(self, obj: Feedback) -> str:
        if not obj.comment:
            return ""
        if obj.handled_at is None:
            return "Not yet"
        who = (
            obj.handled_by.get_full_name() or obj.handled_by.get_username()
            if obj.handled_by
            else "?"
        )
        return f"By {who}, {date_format(timezone.localtime(obj.handled_at), 'j M Y')}"

    @admin.action(description="Mark the comments as handled", permissions=["change"])
    def mark_handled(self, request: HttpRequest, queryset) -> None:
        done = queryset.exclude(comment="").filter(handled_at__isnull=True)
        count = done.update(handled_by=request.user, handled_at=timezone.now())
        messages.success(request, f"{count} comment(s) marked as handled.")

    @admin.action(description="Mark the comments as not handled", permissions=["change"])
    def mark_not_handled(self, request: HttpRequest, queryset) -> None:
        count = queryset.filter(handled_at__isnull=False).update(handled_by=None, handled_at=None)
        messages.success(request, f"{count} comment(s) marked as not handled.")

    # -- The summary and the downloads ----------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("answers.csv", wrap(self.answers_csv), name="treatments_feedback_answers_csv"),
            path("summary.csv", wrap(self.summary_csv), name="treatments_feedback_summary_csv"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        context = {
            "summary": Feedback.objects.summary(),
            "recent_days": RECENT_DAYS,
            "answers_csv": reverse("admin:treatments_feedback_answers_csv"),
            "summary_csv": reverse("admin:treatments_feedback_summary_csv"),
            "unanswered_url": reverse("admin:treatments_unansweredsearch_changelist"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def answers_csv(self, request: HttpRequest) -> HttpResponse:
        """Every answer the list shows (with its filters), for an assessor."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = self.get_changelist_instance(request).get_queryset(request)
        return csv_response(
            "page-feedback.csv",
            ["day", "page", "which page", "content version", "helpful", "comment", "handled on"],
            (
                (
                    f.day,
                    f.subject_title,
                    f.get_page_display(),
                    f.content_hash[:12],
                    "yes" if f.helpful else "no",
                    f.comment,
                    f.handled_at.date() if f.handled_at else "",
                )
                for f in rows.iterator()
            ),
        )

    def summary_csv(self, request: HttpRequest) -> HttpResponse:
        """Each treatment's figures, as the page above the list shows them."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return csv_response(
            "page-feedback-summary.csv",
            [
                "page",
                f"answers, last {RECENT_DAYS} days",
                f"helpful %, last {RECENT_DAYS} days",
                "last signed off",
                "answers since",
                "helpful % since",
                "comments not handled",
                "needs attention",
            ],
            (
                (
                    line.title,
                    line.recent.total,
                    line.recent.helpful_percent,
                    line.signed_on or "",
                    line.since_review.total if line.since_review else "",
                    line.since_review.helpful_percent if line.since_review else "",
                    line.open_comments,
                    "yes" if line.needs_attention else "no",
                )
                for line in Feedback.objects.summary()
            ),
        )


@admin.register(UnansweredSearch)
class UnansweredSearchAdmin(admin.ModelAdmin):
    list_display = ["query", "day", "count"]
    search_fields = ["query"]
    date_hierarchy = "day"
    ordering = ["-day", "-count", "query"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
