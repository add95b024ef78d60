"""The treatment edit page: fields, sections and FAQs, with everything around them.

Derived HTML fields are hidden: staff write Markdown only. The page also carries
the edit lock (``forms.TreatmentForm``), the Preview and Publish buttons, the
checks the content check reports, and links to history and the Markdown download.
"""

import datetime

from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from reversion.admin import VersionAdmin

from treatments.content.checks import check_document, section_scores
from treatments.content.file_format import dump_document
from treatments.content.sync import export_text
from treatments.editorial import history
from treatments.editorial.admin.busy import BusyMixin
from treatments.editorial.admin.forms import EDIT_CONFLICT, TEXT_BOXES, TreatmentForm, editor_name
from treatments.editorial.admin.history import HistoryMixin
from treatments.editorial.admin.preview import PreviewMixin
from treatments.editorial.admin.snapshot import snapshot
from treatments.models import FAQ, EditConflict, Reminder, Section, Treatment
from treatments.models.section_kinds import SectionKind
from treatments.text.readability import MAX_FK_GRADE

# Where a finding points, in words.
PLACES = {
    "description": "Meta description",
    "summary": "Summary",
    "next_review": "Review date",
    "sections": "Sections",
    "faqs": "Questions",
    "links": "Links",
}
# Review dates this close count as "due soon" in the list filter.
DUE_SOON_DAYS = 30


def place(where: str) -> str:
    """Where a finding points, for people: "faq:3" becomes "Question 3"."""
    if where.startswith("section:"):
        kind = where.split(":", 1)[1]
        return f"Section: {SectionKind(kind).label}" if kind in SectionKind.values else "Section"
    if where.startswith("faq:"):
        return f"Question {where.split(':', 1)[1]}"
    return PLACES.get(where, where.capitalize())


def _finding_html(finding) -> str:
    # Findings about one section or question already start with its name.
    if finding.where.startswith(("section:", "faq:")):
        return finding.message
    return format_html("<strong>{}:</strong> {}", place(finding.where), finding.message)


def _own_message(finding, name: str) -> str:
    """A finding shown beside its own section or question, without repeating the name."""
    return finding.message.removeprefix(f"{name}: ")


def _bullets(items) -> str:
    return format_html("<ul class='checks'>{}</ul>", format_html_join("", "<li>{}</li>", items))


class OrderedInline(admin.StackedInline):
    """Sections and questions are ordered by their number; editing.js adds drag and buttons."""

    extra = 0
    classes = ["ordered-inline"]
    formfield_overrides = TEXT_BOXES

    @admin.display(description="Guidance")
    def guidance(self, obj) -> str:
        notes = getattr(obj, "guidance_notes", None)
        if notes is None:
            return "Save to see the checks for this part."
        if not notes:
            return "No problems found."
        return _bullets((note,) for note in notes)


class SectionInline(OrderedInline):
    model = Section
    fields = ["kind", "position", "body", "guidance"]
    readonly_fields = ["guidance"]


class ReminderInline(admin.TabularInline):
    model = Reminder
    extra = 0
    fields = ["after_days", "title"]
    verbose_name = "aftercare reminder"
    verbose_name_plural = (
        "Aftercare reminders (patients can add these to their calendar from the aftercare page)"
    )


class FAQInline(OrderedInline):
    model = FAQ
    fields = ["position", "question", "answer", "guidance"]
    readonly_fields = ["guidance"]


class ReviewFilter(admin.SimpleListFilter):
    title = "clinical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("soon", f"Due in the next {DUE_SOON_DAYS} days"),
            ("none", "No date set"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(next_review__lt=today)
        if self.value() == "soon":
            return queryset.filter(
                next_review__gte=today,
                next_review__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
            )
        if self.value() == "none":
            return queryset.filter(next_review__isnull=True)
        return queryset


@admin.register(Treatment)
class TreatmentAdmin(BusyMixin, HistoryMixin, PreviewMixin, VersionAdmin):
    form = TreatmentForm
    formfield_overrides = TEXT_BOXES
    change_form_template = "admin/treatments/treatment/change_form.html"
    list_display = ["title", "status_label", "updated_at", "edited_by", "review_due"]
    list_filter = ["status", ReviewFilter]
    list_select_related = ["updated_by"]
    search_fields = ["title", "summary", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SectionInline, FAQInline, ReminderInline]
    readonly_fields = ["checks", "former_addresses"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "description", "based_on_version"]}),
        ("Checks", {"fields": ["checks"], "classes": ["checks-panel"]}),
        (
            "At a glance",
            {
                "fields": ["duration", "numbing", "downtime", "sessions", "results_show"],
                "description": "Short answers shown in a box at the top of the page.",
            },
        ),
        ("Picture", {"fields": ["hero_image"]}),
        (
            "Publishing",
            {
                "fields": ["status", "publish_at"],
                "description": (
                    "A draft is seen only by signed-in staff. A published page is public, "
                    "from the time below if one is set. Press Preview to see your changes "
                    "before you save them."
                ),
            },
        ),
        ("Clinical review", {"fields": ["reviewed_by", "last_reviewed", "next_review"]}),
        ("Old addresses", {"fields": ["former_addresses"], "classes": ["collapse"]}),
    ]

    class Media:
        css = {"all": ["treatments/admin/editing.css"]}
        js = ["treatments/admin/editing.js"]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return self.preview_urls(wrap) + self.history_urls(wrap) + super().get_urls()

    # -- The list --------------------------------------------------------------------

    @admin.display(description="Status", ordering="status")
    def status_label(self, obj: Treatment) -> str:
        if obj.status == Treatment.Status.PUBLISHED and not obj.is_public:
            when = date_format(timezone.localtime(obj.publish_at), "j M Y, H:i")
            return f"Goes live {when}"
        return obj.get_status_display()

    @admin.display(description="Last edited by", ordering="updated_by__username")
    def edited_by(self, obj: Treatment) -> str:
        return editor_name(obj.updated_by) if obj.updated_by else "Content import"

    @admin.display(description="Next review due", ordering="next_review")
    def review_due(self, obj: Treatment) -> str:
        if obj.next_review is None:
            return "Not set"
        due = date_format(obj.next_review, "j M Y")
        if obj.next_review < timezone.localdate():
            return format_html("<strong class='overdue'>{} (overdue)</strong>", due)
        return due

    # -- Read-only panels ------------------------------------------------------------

    @admin.display(description="What to fix")
    def checks(self, obj: Treatment) -> str:
        findings = getattr(obj, "findings", None)
        if findings is None:
            return "Save the treatment to see the checks."
        if not findings:
            return "No problems found."
        return _bullets((_finding_html(finding),) for finding in findings)

    @admin.display(description="Old addresses that lead here")
    def former_addresses(self, obj: Treatment) -> str:
        rows = list(obj.former_slugs.order_by("slug")) if obj.pk else []
        if not rows:
            return "None: this page has always had its current address."
        return _bullets((str(row),) for row in rows)

    # -- Saving ----------------------------------------------------------------------

    def save_model(self, request, obj: Treatment, form, change: bool) -> None:
        obj.updated_by = request.user
        if "_publish" in request.POST:
            obj.status = Treatment.Status.PUBLISHED
        if change:
            obj.save(expected_version=form.cleaned_data.get("based_on_version"))
        else:
            obj.save()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        try:
            return super().change_view(request, object_id, form_url, extra_context)
        except EditConflict:
            # Someone saved between this request's check and its UPDATE. Everything was
            # rolled back; run the view again, and the form's check now shows the conflict.
            return super().change_view(request, object_id, form_url, extra_context)

    def _response_after_publish(self, request, obj: Treatment):
        if obj.is_public:
            message = format_html(
                "“{}” is published: patients can see it at <a href='{}'>{}</a>.",
                obj,
                obj.get_absolute_url(),
                obj.get_absolute_url(),
            )
        else:
            when = date_format(timezone.localtime(obj.publish_at), "j F Y, H:i")
            message = f"“{obj}” is published and goes live on {when}."
        messages.success(request, message)
        return HttpResponseRedirect(self._url("change", obj.pk))

    def response_change(self, request, obj):
        if "_publish" in request.POST:
            return self._response_after_publish(request, obj)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if "_publish" in request.POST:
            return self._response_after_publish(request, obj)
        return super().response_add(request, obj, post_url_continue)

    # -- Guidance and the conflict page ----------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Three ways to save are enough for anyone: Save, Save and continue, Publish.
        context["show_save_and_add_another"] = False
        form = context["adminform"].form
        formsets = [inline.formset for inline in context["inline_admin_formsets"]]
        if obj is not None and obj.pk is not None:
            # Read-only fields render after this, when the template runs, so they see these.
            copy = snapshot(form, formsets)
            self._add_guidance(obj, copy)
            if form.is_bound and form.has_error(NON_FIELD_ERRORS, EDIT_CONFLICT):
                context["conflict"] = self._conflict(obj, form, copy)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _add_guidance(self, obj: Treatment, copy) -> None:
        """The content check's findings for the copy on the page: all of them on the
        treatment, and each section's and question's own beside it."""
        findings = check_document(copy.document)
        obj.findings = findings
        scores = section_scores(copy.document)
        for part, form in zip(copy.document.sections, copy.section_forms, strict=True):
            notes = []
            if part.kind in scores:
                score = scores[part.kind]
                notes.append(
                    f"{score.words} words; reading grade {score.fk_grade:g} "
                    f"(aim for {MAX_FK_GRADE:g} or below)."
                )
            where = f"section:{part.kind}"
            notes += [_own_message(f, part.title) for f in findings if f.where == where]
            form.instance.guidance_notes = notes
        for number, (part, form) in enumerate(
            zip(copy.document.faqs, copy.faq_forms, strict=True), start=1
        ):
            form.instance.guidance_notes = [
                _own_message(f, f"'{part.question}'")
                for f in findings
                if f.where == f"faq:{number}"
            ]

    def _conflict(self, obj: Treatment, form, copy) -> dict:
        """What the refused editor sees: who saved, and what each of them changed."""
        current = Treatment.objects.with_content().select_related("updated_by").get(pk=obj.pk)
        theirs = export_text(current)
        yours = dump_document(copy.document)
        base_version = history.version_at(current, form.cleaned_data.get("based_on_version") or 0)
        base = history.version_text(base_version) if base_version else None
        return {
            "who": editor_name(current.updated_by),
            "when": current.updated_at,
            "latest_url": self._url("change", obj.pk),
            "their_changes": history.diff_lines(base, theirs) if base is not None else None,
            "your_changes": history.diff_lines(base if base is not None else theirs, yours),
            "compared_with_saved": base is None,
        }
