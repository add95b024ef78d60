"""Preview of a site page (About, Privacy): the edit form's copy, unsaved, through the
public page's template.

As for treatments (``preview.py``): the Preview button posts the edit form here in a new
tab; the copy is kept in the cache under the editor and a short random token, and the
browser is sent on to a GET address, so a reload shows the preview again. The boxes are
shown as typed, even where the save would refuse them: the preview is where an editor
sees what is wrong. Their Markdown is rendered and sanitized as a publication's is.
"""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from treatments.editorial.admin.preview import StoredPreviewMixin
from treatments.models.document import PAGE_FIELDS, PageDocument
from treatments.models.live import live_page, page_snapshot


class PagePreviewMixin(StoredPreviewMixin):
    """Views for ``PageAdmin``: store a preview of the edit form, then show it."""

    def preview_start(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        page = self._preview_object(request, object_id)
        form = self.get_form(request, page, change=True)(request.POST, instance=page)
        document = PageDocument(
            meta={name: form[name].value() or "" for name in PAGE_FIELDS},
            body=form["body"].value() or "",
        )
        token = self.keep_preview(request, {"page": page.pk, "snapshot": page_snapshot(document)})
        return redirect(self._url("preview_page", page.pk, token))

    def preview_page(
        self, request: HttpRequest, object_id: str, token: str, page: str
    ) -> HttpResponse:
        subject = self._preview_object(request, object_id)
        stored = self.stored_preview(request, subject, token)
        if not stored or stored.get("page") != subject.pk:
            raise Http404("This preview has expired: press Preview on the edit page again.")
        shown = live_page(stored["snapshot"], pk=subject.pk, is_public=False)
        response = render(request, "admin/treatments/page/preview.html", {"page": shown})
        return self.preview_response(response)
