"""History views for ``TreatmentAdmin``: the list of saves, compare two, restore one, export.

django-reversion keeps the revisions and recovers deleted treatments; these views
show a version as the Markdown ``export_content`` writes and compare two of them
line by line. Restoring goes through ``history.restore``, which keeps the edit lock,
so a restore cannot silently overwrite a save made while the editor was looking.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from reversion.models import Version

from treatments.content.sync import export_text
from treatments.editorial import history
from treatments.editorial.admin.named_urls import NamedUrlsMixin
from treatments.models import EditConflict, ReviewEvent, Treatment
from treatments.models.document import changes_between, document_from_treatment

CURRENT = "current"


class HistoryMixin(NamedUrlsMixin):
    """Adds history, compare, restore and export to a treatment's admin."""

    object_history_template = "admin/treatments/treatment/object_history.html"

    def history_urls(self, wrap) -> list:
        return [
            path(
                "<path:object_id>/history/compare/",
                wrap(self.compare_view),
                name=self._url_name("compare"),
            ),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                wrap(self.restore_view),
                name=self._url_name("restore"),
            ),
            path("<path:object_id>/export/", wrap(self.export_view), name=self._url_name("export")),
        ]

    def _viewable(self, request: HttpRequest, object_id: str, *, content=True) -> Treatment:
        """The treatment, if the user may see it; ``content`` brings its sections and FAQs."""
        rows = Treatment.objects.with_content() if content else Treatment.objects
        obj = get_object_or_404(rows, pk=unquote(object_id))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _version(self, obj: Treatment, version_id) -> Version:
        try:
            return history.versions_of(obj).get(pk=int(version_id))
        except (Version.DoesNotExist, TypeError, ValueError):
            raise Http404("No such version of this treatment.") from None

    def _context(self, request: HttpRequest, obj: Treatment, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": title,
            "subtitle": str(obj),
            "history_url": self._url("history", obj.pk),
            "change_url": self._url("change", obj.pk),
            **extra,
        }

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        """Every saved version, newest first, to compare or restore."""
        obj = self._viewable(request, object_id, content=False)
        versions = list(history.versions_of(obj)[:200])
        context = {
            "versions": versions,
            "review_events": ReviewEvent.objects.of(obj).select_related("user")[:200],
            "compare_url": self._url("compare", obj.pk),
            "can_restore": self.has_change_permission(request, obj),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # Restoring goes through the confirmation page, which keeps the edit lock.
        return redirect(self._url("restore", unquote(object_id), version_id))

    def compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Two versions (or a version and the page as it is now), part by part, each part
        named as the edit page names it and compared word by word."""
        obj = self._viewable(request, object_id)
        sides = []
        for key in ("from", "to"):
            chosen = request.GET.get(key, CURRENT)
            if chosen == CURRENT:
                sides.append(("the page as it is now", document_from_treatment(obj)))
            else:
                version = self._version(obj, chosen)
                label = f"saved {history.describe(version)}"
                sides.append((label, history.document_from_version(version)))
        (old_label, old), (new_label, new) = sides
        context = self._context(
            request,
            obj,
            "Compare versions",
            old_label=old_label,
            new_label=new_label,
            changes=history.word_diffs(changes_between(old, new)),
        )
        return TemplateResponse(request, "admin/treatments/treatment/compare.html", context)

    def restore_view(self, request: HttpRequest, object_id: str, version_id: int):
        """GET: what restoring would change. POST: restore, unless the page moved on meanwhile."""
        obj = self._viewable(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        version = self._version(obj, version_id)
        if request.method == "POST":
            try:
                expected = int(request.POST.get("expected_version", ""))
                notes = history.restore(version, user=request.user, expected_version=expected)
            except (EditConflict, ValueError):
                messages.error(
                    request,
                    "Nothing was restored: someone saved this treatment while you were looking "
                    "at this page. Check what would change now, then restore again if you still "
                    "want to.",
                )
                return redirect(request.path)
            except history.RestoreRefused as exc:
                messages.error(request, str(exc))
                return redirect(request.path)
            messages.success(
                request,
                f"Restored the version saved {history.describe(version)}. "
                "The change is in the history too, so you can undo it the same way.",
            )
            for note in notes:
                messages.warning(request, note)
            return redirect(self._url("change", obj.pk))
        context = self._context(
            request,
            obj,
            "Restore an earlier version",
            version=version,
            described=history.describe(version),
            expected_version=obj.version,
            changes=history.word_diffs(
                changes_between(
                    document_from_treatment(obj), history.document_from_version(version)
                )
            ),
        )
        return TemplateResponse(request, "admin/treatments/treatment/restore.html", context)

    def export_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The treatment as the Markdown file ``export_content`` writes, as a download."""
        obj = self._viewable(request, object_id)
        response = HttpResponse(export_text(obj), content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{obj.slug}.md"'
        return response
