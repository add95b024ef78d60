"""'Is this page helpful?': the answer, the optional comment after "no", the thank-you.

Without JavaScript each form posts here and the patient is sent (303) to a thank-you
page that links back to where they were, and after "no" offers the comment box. With
JavaScript (static/js/feedback.js) the same views answer in JSON and the page never
reloads. How a post is checked without a CSRF cookie: ``treatments/public/feedback.py``.
"""

from urllib.parse import urlencode, urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from treatments.public.feedback import (
    Answered,
    AnswerForm,
    CommentForm,
    from_this_site,
    within_rate_limit,
)

REFUSED = {
    403: "We could not accept this form. Please go back to the page and try again.",
    429: (
        "We have had a lot of answers from your internet connection in the last hour, so we "
        "did not save this one. Thank you for trying. Please try again later."
    ),
    "expired": (
        "The page was open for a long time, so we could not save your answer. Please go "
        "back, reload the page and try again."
    ),
    "invalid": (
        "Something went wrong, so we could not save your answer. Please go back, reload the "
        "page and try again."
    ),
}


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back_from_referer(request: HttpRequest) -> str:
    """The page the form was on: only its path, and only once the post is known to come
    from this site, so the link can never lead elsewhere."""
    path = urlsplit(request.headers.get("Referer", "")).path
    return (
        path if path.startswith("/") and not path.startswith("//") else reverse("treatments:home")
    )


def _page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, "treatments/feedback.html", context, status=status)
    # Answers are no one else's business: not kept by a browser or any cache between.
    add_never_cache_headers(response)
    return response


def _refuse(request: HttpRequest, status: int, reason) -> HttpResponse:
    message = REFUSED[reason]
    if _wants_json(request):
        return JsonResponse({"ok": False, "message": message}, status=status)
    back = _back_from_referer(request) if status != 403 else reverse("treatments:home")
    return _page(request, {"problem": message, "back_url": back}, status)


def _handle(request: HttpRequest, form: AnswerForm | CommentForm) -> HttpResponse:
    if not from_this_site(request):
        return _refuse(request, 403, 403)
    if not within_rate_limit(request):
        return _refuse(request, 429, 429)
    if not form.is_valid():
        return _refuse(request, 400, "expired" if form.has_error("token", "expired") else "invalid")
    answered = form.save()
    if _wants_json(request):
        return JsonResponse({"ok": True, "token": answered.token() if answered.feedback_id else ""})
    response = HttpResponseRedirect(
        f"{reverse('treatments:feedback_thanks')}?{urlencode({'t': answered.token()})}"
    )
    # See Other: reloading the thank-you page asks for it again, it does not post again.
    response.status_code = 303
    return response


# A page served to anyone from the page cache carries no CSRF token: these posts are
# checked by where they come from, a signed token, a honeypot and a rate limit instead.
@csrf_exempt
@require_POST
def answer(request: HttpRequest) -> HttpResponse:
    """Yes or no from a page's "Is this page helpful?" form."""
    return _handle(request, AnswerForm(request.POST))


@csrf_exempt
@require_POST
def comment(request: HttpRequest) -> HttpResponse:
    """The optional "What was missing or unclear?" after "no"."""
    return _handle(request, CommentForm(request.POST))


@require_safe
def thanks(request: HttpRequest) -> HttpResponse:
    """The thank-you, a link back to the page, and after "no" the comment box."""
    token = request.GET.get("t", "")
    answered = Answered.from_token(token)
    if answered is None:
        return _page(request, {"back_url": reverse("treatments:home")})
    context = {"back_url": answered.back_url(), "open_feedback": answered.open_feedback()}
    return _page(request, {**context, "comment_token": token})
