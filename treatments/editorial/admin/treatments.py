"""The treatment edit page: fields, sections and FAQs, with everything around them.

Derived HTML fields are hidden: staff write Markdown only. The page also carries
the edit lock (``forms.TreatmentForm``), the Preview and Publish buttons, the
checks the content check reports, and links to history and the Markdown download.
"""

import datetime

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from reversion.admin import VersionAdmin

from treatments.content.checks import check_document, section_scores
from treatments.editorial import history
from treatments.editorial.admin.busy import BusyMixin
from treatments.editorial.admin.forms import EDIT_CONFLICT, TEXT_BOXES, TreatmentForm, editor_name
from treatments.editorial.admin.history import HistoryMixin
from treatments.editorial.admin.live import LiveMixin, reading_note
from treatments.editorial.admin.markdown_forms import FAQForm, SectionForm
from treatments.editorial.admin.picture_chooser import PICTURE_BOXES
from treatments.editorial.admin.preview import PreviewMixin
from treatments.editorial.admin.review import REVIEW_BUTTONS, ReviewPanelMixin
from treatments.editorial.admin.snapshot import snapshot
from treatments.models import (
    FAQ,
    EditConflict,
    Feedback,
    Publication,
    Reminder,
    ReviewRequest,
    Section,
    Source,
    Treatment,
)
from treatments.models.document import (
    FACTS,
    GLANCE,
    PAGE,
    PUBLISHING,
    REVIEW,
    TREATMENT_FIELDS,
    changes_between,
    document_from_treatment,
)
from treatments.models.section_kinds import SectionKind
from treatments.models.workflow import DUE_SOON_DAYS
from treatments.text.readability import measure

# Where a finding points, in words.
PLACES = {
    "description": "Meta description",
    "summary": "Summary",
    "review": "Clinical review",
    "sections": "Sections",
    "faqs": "Questions",
    "links": "Links",
    "reminders": "Aftercare reminders",
    **{f.name: f"At a glance: {f.patient_label}" for f in TREATMENT_FIELDS if f.group == GLANCE},
}


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
    # Each part can be closed, showing its length and reading grade (issue 15, part 5).
    template = "admin/treatments/treatment/collapsible_stacked.html"
    # Text boxes with an "Insert picture" button (editorial.admin.picture_chooser).
    formfield_overrides = {**TEXT_BOXES, models.TextField: PICTURE_BOXES}

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
    form = SectionForm
    fields = ["kind", "position", "body", "guidance"]
    readonly_fields = ["guidance"]


class ReminderInline(admin.StackedInline):
    """Stacked, with both fields on one line: Django's table layout leaves its boxes without
    labels a screen reader can read (axe: "label"), which a stacked row has."""

    model = Reminder
    extra = 0
    fields = [("after_days", "title")]
    verbose_name = "aftercare reminder"
    verbose_name_plural = (
        "Aftercare reminders (patients can add these to their calendar from the aftercare page)"
    )


class SourceInline(admin.StackedInline):
    model = Source
    extra = 0
    fields = ["position", "key", "title", "publisher", "year", "url"]
    classes = ["ordered-inline"]
    verbose_name_plural = (
        "Sources (listed at the end of the page; cite one in the text as [US FDA](#source-fda))"
    )


class FAQInline(OrderedInline):
    model = FAQ
    form = FAQForm
    fields = ["position", "question", "answer", "guidance"]
    readonly_fields = ["guidance"]


# Patients' answers to "Is this page helpful?" say it is not (models/feedback.py).
ATTENTION = "Needs attention: patients say it does not help"


class ReviewFilter(admin.SimpleListFilter):
    """Pages by where they stand in clinical review: the "Due for review" view."""

    title = "clinical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("waiting", "Waiting for review"),
            ("overdue", "Review overdue"),
            ("soon", f"Review due in the next {DUE_SOON_DAYS} days"),
            ("changed", "Changed since it went live"),
            ("never", "Never reviewed by a clinician"),
            ("attention", ATTENTION),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        conditions = {
            "waiting": Q(waiting=True),
            "overdue": Q(review_due__lt=today),
            "soon": Q(
                review_due__gte=today,
                review_due__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
            ),
            "changed": Q(live_hash__isnull=False) & ~Q(live_hash=F("working_hash")),
            "never": Q(review_due__isnull=True),
        }
        value = self.value()
        if value == "attention":
            return queryset.filter(pk__in=Feedback.objects.needing_attention())
        return queryset.filter(conditions[value]) if value in conditions else queryset


def with_review_columns(queryset):
    """Each treatment with its live publication's text hash, its review due date and
    whether a submission waits: what the list shows, filters and sorts by, in one query."""
    content_type = ContentType.objects.get_for_model(Treatment)
    live = Publication.objects.live().filter(content_type=content_type, object_id=OuterRef("pk"))
    waiting = ReviewRequest.objects.filter(
        content_type=content_type, object_id=OuterRef("pk"), state=ReviewRequest.State.PENDING
    )
    return queryset.annotate(
        live_hash=Subquery(live.values("content_hash")[:1]),
        review_due=Subquery(live.values("signoff__next_review_due")[:1]),
        waiting=Exists(waiting),
    )


GROUP_HELP = {
    FACTS: "What search engines are told about the treatment, exactly as given here: "
    "nothing is read out of the copy. Leave a box empty rather than guess. Like the copy, "
    "these need a clinician's approval.",
}


def _fieldsets() -> list:
    """The edit page's groups, from the fields ``models.document`` declares."""
    groups: dict[str, list[str]] = {}
    for f in TREATMENT_FIELDS:
        groups.setdefault(f.group, []).append(f.name)
    return [
        (None, {"fields": [*groups.pop(PAGE), "based_on_version"]}),
        ("Checks", {"fields": ["checks"], "classes": ["checks-panel"]}),
        (
            GLANCE,
            {
                "fields": groups.pop(GLANCE),
                "description": "Short answers shown in a box at the top of the page.",
            },
        ),
        *(
            (group, {"fields": names, "description": GROUP_HELP.get(group, "")})
            for group, names in groups.items()
            if group not in (REVIEW, PUBLISHING)
        ),
        ("Picture", {"fields": ["hero_image"]}),
        (
            PUBLISHING,
            {
                "fields": [*groups.get(PUBLISHING, []), *groups.get(REVIEW, [])],
                "description": (
                    "Patients see only the published version. Save keeps your changes as a "
                    "draft; Submit for review sends them to a clinician, and once approved "
                    "they go live (at the time below, if one is set). Press Preview to see "
                    "your changes as patients will. A clinician's approval covers all the "
                    "copy patients read: title, summary, description, at a glance, facts for "
                    "search engines, sections, questions, aftercare reminders and sources. "
                    "The picture at the top, the "
                    "go-live time and the review interval are not part of it: changing only "
                    "those needs no new approval."
                ),
            },
        ),
        ("Old addresses", {"fields": ["former_addresses"], "classes": ["collapse"]}),
    ]


@admin.register(Treatment)
class TreatmentAdmin(
    BusyMixin, ReviewPanelMixin, HistoryMixin, LiveMixin, PreviewMixin, VersionAdmin
):
    form = TreatmentForm
    formfield_overrides = TEXT_BOXES
    change_form_template = "admin/treatments/treatment/change_form.html"
    # Save, Preview and Publish at the top too (treatment/top_actions.html).
    save_on_top = True
    list_display = ["title", "on_the_site", "updated_at", "edited_by", "review_due_date"]
    list_filter = [ReviewFilter]
    show_facets = admin.ShowFacets.ALWAYS
    list_select_related = ["updated_by"]
    search_fields = ["title", "summary", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SectionInline, FAQInline, ReminderInline, SourceInline]
    readonly_fields = ["checks", "former_addresses"]
    fieldsets = _fieldsets()

    class Media:
        css = {"all": ["treatments/admin/editing.css", "treatments/admin/edit_page.css"]}
        js = [
            "treatments/admin/editing.js",
            # Pictures, the order of questions, closing parts, unsaved changes (issue 15).
            "treatments/admin/picture_chooser.js",
            "treatments/admin/edit_page.js",
        ]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return (
            self.preview_urls(wrap)
            + self.live_urls(wrap)
            + self.history_urls(wrap)
            + super().get_urls()
        )

    # -- The list --------------------------------------------------------------------

    def get_queryset(self, request):
        return with_review_columns(super().get_queryset(request))

    @admin.display(description="On the site")
    def on_the_site(self, obj: Treatment) -> str:
        if obj.live_hash is None:
            return "No"
        changed = " (changes waiting)" if obj.live_hash != obj.working_hash else ""
        return f"Yes{changed}"

    @admin.display(description="Last edited by", ordering="updated_by__username")
    def edited_by(self, obj: Treatment) -> str:
        return editor_name(obj.updated_by) if obj.updated_by else "Content import"

    @admin.display(description="Clinical review due", ordering="review_due")
    def review_due_date(self, obj: Treatment) -> str:
        if obj.review_due is None:
            return "Never reviewed"
        due = date_format(obj.review_due, "j M Y")
        if obj.review_due < timezone.localdate():
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
        self.intent_from_button(request, obj)
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

    def response_change(self, request, obj):
        self.after_save(request, obj)
        if any(name in request.POST for name in REVIEW_BUTTONS):
            return HttpResponseRedirect(self._url("change", obj.pk))
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        self.after_save(request, obj)
        if any(name in request.POST for name in REVIEW_BUTTONS):
            return HttpResponseRedirect(self._url("change", obj.pk))
        return super().response_add(request, obj, post_url_continue)

    # -- Guidance and the conflict page ----------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Enough ways to save: Save, Save and continue, and the review buttons.
        context["show_save_and_add_another"] = False
        context.update(self.review_context(request, obj))
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
                notes.append(reading_note(scores[part.kind]))
            where = f"section:{part.kind}"
            notes += [_own_message(f, part.title) for f in findings if f.where == where]
            form.instance.guidance_notes = notes
        for number, (part, form) in enumerate(
            zip(copy.document.faqs, copy.faq_forms, strict=True), start=1
        ):
            notes = [reading_note(measure(part.answer))] if part.answer else []
            where = f"faq:{number}"
            notes += [_own_message(f, f"'{part.question}'") for f in findings if f.where == where]
            form.instance.guidance_notes = notes

    def _conflict(self, obj: Treatment, form, copy) -> dict:
        """What the refused editor sees: who saved, and what each of them changed, part by
        part, named as the edit page names them."""
        current = Treatment.objects.with_content().select_related("updated_by").get(pk=obj.pk)
        theirs = document_from_treatment(current)
        base_version = history.version_at(current, form.cleaned_data.get("based_on_version") or 0)
        base = history.document_from_version(base_version) if base_version else None
        return {
            "who": editor_name(current.updated_by),
            "when": current.updated_at,
            "latest_url": self._url("change", obj.pk),
            "their_changes": (
                history.word_diffs(changes_between(base, theirs)) if base is not None else None
            ),
            "your_changes": history.word_diffs(
                changes_between(base if base is not None else theirs, copy.document)
            ),
            "compared_with_saved": base is None,
        }
