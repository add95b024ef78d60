"""Preview: the edit page's unsaved copy shown through the public templates.

The Preview button posts the whole edit form here (in a new tab). The copy is kept
in the cache under the editor and a short random token, and the browser is sent on to a
GET address, so the preview survives a reload and its link to the questions page works;
the questions page is previewed from the same copy.

Not in the session: the edit page's checks-as-you-type post while the Preview is made,
and a session saved by one of those requests would drop a token saved by the other.
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
from treatments.editorial.admin.preview_places import place_in_preview
from treatments.editorial.admin.snapshot import Snapshot, snapshot
from treatments.models import Image, Treatment
from treatments.models.live import document_from_json, document_to_json, preview_treatment
from treatments.public.views import TOP_FAQ_COUNT


def stored_copy(obj: Treatment, copy: Snapshot) -> dict:
    """What is kept of a copy to preview: plain JSON values."""
    return {
        "treatment": obj.pk,
        "document": document_to_json(copy.document),
        "hero_image_id": copy.hero_image_id,
    }


def preview_key(request: HttpRequest, token: str) -> str:
    """A preview is its editor's own: another sign-in with the token finds nothing."""
    return f"treatments:preview:{request.user.pk}:{token}"


class StoredPreviewMixin(NamedUrlsMixin):
    """What the previews of treatments and of site pages share: the addresses, who may
    see one (staff who may change the row), and the copy kept under a token."""

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
                {"page": "detail"},
                name=self._url_name("preview_page"),
            ),
        ]

    def _preview_object(self, request: HttpRequest, object_id: str):
        obj = get_object_or_404(self.model, pk=unquote(object_id))
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    @staticmethod
    def keep_preview(request: HttpRequest, stored: dict) -> str:
        """Keep ``stored`` for this editor; the token that finds it again."""
        token = secrets.token_urlsafe(9)
        # As long as a staff sign-in lasts: a preview link outlives no session.
        cache.set(preview_key(request, token), stored, settings.SESSION_COOKIE_AGE)
        return token

    def stored_preview(self, request: HttpRequest, obj, token: str) -> dict | None:
        """The copy kept under ``token`` for this editor, if it is still there."""
        return cache.get(preview_key(request, token))

    @staticmethod
    def preview_response(response: HttpResponse) -> HttpResponse:
        """A preview page is never stored by a browser or a proxy, nor indexed."""
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response


class PreviewMixin(StoredPreviewMixin):
    """Views for ``TreatmentAdmin``: store a preview, then show its two pages."""

    def preview_urls(self, wrap) -> list:
        return [
            *super().preview_urls(wrap),
            path(
                "<path:object_id>/preview/<str:token>/faq/",
                wrap(self.preview_page),
                {"page": "faq"},
                name=self._url_name("preview_faq"),
            ),
        ]

    def copy_on_page(self, request: HttpRequest, obj: Treatment) -> Snapshot:
        """The edit form as posted, saved or not, as one document."""
        form = self.get_form(request, obj, change=True)(request.POST, request.FILES, instance=obj)
        form.is_valid()
        formsets, _ = self._create_formsets(request, obj, change=True)
        for formset in formsets:
            formset.is_valid()
        return snapshot(form, formsets)

    def preview_start(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._preview_object(request, object_id)
        copy = self.copy_on_page(request, obj)

        token = self.keep_preview(request, stored_copy(obj, copy))
        # Opened at the part being edited, which the edit page's script adds as ?at=.
        page, anchor = place_in_preview(copy, request.GET.get("at", ""))
        return redirect(self._preview_url(obj.pk, token, page) + (f"#{anchor}" if anchor else ""))

    def _preview_url(self, pk, token: str, page: str) -> str:
        return self._url("preview_page" if page == "detail" else "preview_faq", pk, token)

    def preview_page(self, request: HttpRequest, object_id: str, token: str, page: str):
        obj = self._preview_object(request, object_id)
        stored = self.stored_preview(request, obj, token)
        if not stored or stored.get("treatment") != obj.pk or "document" not in stored:
            raise Http404("This preview has expired: press Preview on the edit page again.")
        hero_image = Image.objects.filter(pk=stored.get("hero_image_id")).first()
        treatment = preview_treatment(
            document_from_json(stored["document"]), pk=obj.pk, hero_image=hero_image
        )
        # Links inside the preview stay inside the preview.
        detail_url = self._preview_url(obj.pk, token, "detail")
        faq_url = self._preview_url(obj.pk, token, "faq")
        treatment.get_absolute_url = lambda: detail_url
        treatment.get_faq_url = lambda: faq_url

        template = (
            "admin/treatments/treatment/preview_detail.html"
            if page == "detail"
            else "admin/treatments/treatment/preview_faq.html"
        )
        response = render(
            request,
            template,
            {
                "treatment": treatment,
                "top_faq_count": TOP_FAQ_COUNT,
            },
        )
        return self.preview_response(response)
