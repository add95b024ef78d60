"""Preview of a site page (About, Privacy): the edit form's copy, unsaved, through the
public page's template.

As for treatments (``preview.py``): the Preview button posts the edit form here in a new
tab; the copy is kept in the cache under the editor and a short random token, and the
browser is sent on to a GET address, so a reload shows the preview again. The boxes are
shown as typed, even where the save would refuse them: the preview is where an editor
sees what is wrong. Their Markdown is rendered and sanitized as a publication's is.
"""

import secrets

from django.conf import settings
from django.contrib.admin.utils import unquote
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.cache import add_never_cache_headers

from treatments.editorial.admin.named_urls import NamedUrlsMixin
from treatments.editorial.admin.preview import preview_key
from treatments.models import Page
from treatments.models.document import PAGE_FIELDS, PageDocument
from treatments.models.live import live_page, page_snapshot


class PagePreviewMixin(NamedUrlsMixin):
    """Views for ``PageAdmin``: store a preview of the edit form, then show it."""

    def preview_urls(self, wrap) -> list:
        return [
            path(
                "<path:object_id>/preview/",
                wrap(self.preview_start),
                name=self._url_name("preview"),
            ),
            path(
                "<path:object_id>/preview/<str:token>/",
                wrap(self.preview_page),
                name=self._url_name("preview_page"),
            ),
        ]

    def _preview_object(self, request: HttpRequest, object_id: str) -> Page:
        page = get_object_or_404(Page, pk=unquote(object_id))
        if not self.has_change_permission(request, page):
            raise PermissionDenied
        return page

    def preview_start(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        page = self._preview_object(request, object_id)
        form = self.get_form(request, page, change=True)(request.POST, instance=page)
        document = PageDocument(
            meta={name: form[name].value() or "" for name in PAGE_FIELDS},
            body=form["body"].value() or "",
        )
        token = secrets.token_urlsafe(9)
        # As long as a staff sign-in lasts: a preview link outlives no session.
        stored = {"page": page.pk, "snapshot": page_snapshot(document)}
        cache.set(preview_key(request, token), stored, settings.SESSION_COOKIE_AGE)
        return redirect(self._url("preview_page", page.pk, token))

    def preview_page(self, request: HttpRequest, object_id: str, token: str) -> HttpResponse:
        page = self._preview_object(request, object_id)
        stored = cache.get(preview_key(request, token))
        if not stored or stored.get("page") != page.pk:
            raise Http404("This preview has expired: press Preview on the edit page again.")
        response = render(
            request,
            "admin/treatments/page/preview.html",
            {"page": live_page(stored["snapshot"], pk=page.pk, is_public=False)},
        )
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
