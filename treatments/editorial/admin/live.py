"""The edit page as the editor types: checks and a side-by-side preview, without saving.

The page's script (``treatments/admin/live_checks.js``) posts the whole edit form here
a moment after the typing stops. The answer is JSON: the checks panel, each section's
and answer's reading figures and findings, and the Markdown mistakes beside each box
(``content.markdown_problems``, the same ones the save refuses). With ``_live_preview``
in the post (wide screens, ``live_preview.js``), the copy is also kept as this editor's
*live* preview of the treatment, and the answer says where to show it: the preview pages
at the ``live`` token, opened at the part being edited. It is kept in the cache, not the
session, so the session is not rewritten as the editor types.

Only staff who may change the treatment reach it (the admin's own view wrapper, then
``has_change_permission``), and the admin's CSRF check covers it like any admin form.
The live preview is the one page the admin lets a page of its own show in a frame; the
rest of the site still refuses every frame.
"""

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import path
from django.utils.csp import CSP
from django.utils.text import normalize_newlines
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override

from treatments.content.markdown_problems import PictureLibrary, find_problems
from treatments.editorial.admin.preview import stored_copy
from treatments.editorial.admin.preview_places import place_in_preview
from treatments.models import Treatment
from treatments.text.readability import MAX_FK_GRADE, MAX_SMOG, Readability, measure

LIVE = "live"
# Posted by the script: "1" to keep the copy for the preview panel, and the box in use.
WANT_PREVIEW = "_live_preview"
EDITING = "_preview_at"
# The boxes that hold Markdown, by inline: what the save checks and the page flags.
MARKDOWN_BOXES = {"sections": "body", "faqs": "answer"}


def reading_note(score: Readability) -> str:
    """A section's or answer's length and reading figures, with what to aim for. Very
    short, plain text scores below 0 on the grade's formula: shown as 0."""
    return (
        f"{score.words} words; reading grade {max(score.fk_grade, 0):g} "
        f"(aim for {MAX_FK_GRADE:g} or below). SMOG {score.smog:g} "
        f"(aim for {MAX_SMOG:g} or below)."
    )


def closed_summary(text: str) -> str:
    """What a closed section or question says of its Markdown text: its words and reading
    grade, as typed (the edit page shows it, and the live checks bring it up to date)."""
    if not text.strip():
        return "No text yet"
    score = measure(text)
    over = f" (aim for {MAX_FK_GRADE:g} or below)" if score.fk_grade > MAX_FK_GRADE else ""
    return f"{score.words} words, reading grade {max(score.fk_grade, 0):g}{over}"


def _live_key(request: HttpRequest, obj: Treatment) -> str:
    """Each editor's own live preview of each treatment."""
    return f"treatments:live-preview:{request.user.pk}:{obj.pk}"


def _framed_in_the_admin(view):
    """Let pages of this site, and only them, show ``view`` in a frame."""
    policy = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]}
    return xframe_options_sameorigin(csp_override(policy)(view))


class LiveMixin:
    """For ``TreatmentAdmin``, beside ``PreviewMixin``: the live checks and preview."""

    live_js = ["treatments/admin/live_checks.js", "treatments/admin/live_preview.js"]
    live_css = ["treatments/admin/live.css"]

    @property
    def media(self):
        # Added here rather than in TreatmentAdmin.Media, so the live editing files come
        # and go with this mixin.
        return super().media + forms.Media(js=self.live_js, css={"all": self.live_css})

    def live_urls(self, wrap) -> list:
        return [path("<path:object_id>/live/", wrap(self.live_view), name=self._url_name("live"))]

    def live_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._preview_object(request, object_id)
        copy = self.copy_on_page(request, obj)
        self._add_guidance(obj, copy)
        answer = {
            "checks": str(self.checks(obj)),
            "parts": self._parts(copy),
        }
        if request.POST.get(WANT_PREVIEW):
            # Kept as long as the editor's session would be without a request.
            cache.set(_live_key(request, obj), stored_copy(obj, copy), settings.SESSION_COOKIE_AGE)
            page, anchor = place_in_preview(copy, request.POST.get(EDITING, ""))
            url = self._preview_url(obj.pk, LIVE, page)
            answer["preview"] = {"url": url, "anchor": anchor}
        return JsonResponse(answer)

    @staticmethod
    def _parts(copy) -> dict[str, dict]:
        """Each section and answer on the page, by its form's prefix: what it says when
        closed, the notes shown beside it and the Markdown mistakes in its box."""
        library = PictureLibrary()
        parts = {}
        for group, forms_ in (("sections", copy.section_forms), ("faqs", copy.faq_forms)):
            box = MARKDOWN_BOXES[group]
            for form in forms_:
                text = normalize_newlines(form[box].value() or "")
                parts[form.prefix] = {
                    "summary": closed_summary(text),
                    "notes": list(getattr(form.instance, "guidance_notes", [])),
                    "box": f"{form.prefix}-{box}",
                    "problems": [str(p) for p in find_problems(text, library=library)],
                }
        return parts

    def stored_preview(self, request: HttpRequest, obj: Treatment, token: str) -> dict | None:
        if token == LIVE:
            return cache.get(_live_key(request, obj))
        return super().stored_preview(request, obj, token)

    def preview_page(self, request: HttpRequest, object_id: str, token: str, page: str):
        view = super().preview_page
        if token == LIVE:
            view = _framed_in_the_admin(view)
        return view(request, object_id, token, page)
