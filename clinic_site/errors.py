"""Error pages that look like the site and never make things worse.

The 500 page is rendered without the request's context processors, so it needs no
database (the usual reason for a 500 is that the database is unwell) and no session. It
shows the request id so staff can quote it and find the one log line with the
traceback; the traceback itself is never shown. The 400 page is built the same way: it
is what a bad Host header gets, before the request is trusted with anything else.
"""

import logging
from types import SimpleNamespace

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.html import escape
from django.views.decorators.csrf import requires_csrf_token

from clinic_site.logs import request_id_var

logger = logging.getLogger(__name__)

# Stands in for SiteSettings on pages that must not query the database: base.html shows
# the clinic's name as the home link, and "Home" is a true name for that link.
_OFFLINE_SITE_SETTINGS = SimpleNamespace(clinic_name="Home", disclaimer="", phone="")


def _request_id(request: HttpRequest) -> str:
    return getattr(request, "request_id", None) or request_id_var.get() or ""


def _render_without_database(request: HttpRequest, template_name: str, status: int) -> HttpResponse:
    """The error page from templates alone; if even that fails, a plain page with the id."""
    context = {
        "request_id": _request_id(request),
        "site_settings": _OFFLINE_SITE_SETTINGS,
        # As treatments.context_processors.site builds it: never from the Host header.
        "canonical_url": f"{settings.SITE_BASE_URL}{request.path}",
    }
    try:
        html = loader.get_template(template_name).render(context)
    except Exception:
        # The error page itself failed (a broken template, static files not collected):
        # log why, and still answer with the id.
        logger.exception("The %s page could not be rendered.", status)
        html = (
            f"<!DOCTYPE html><title>Error {status}</title><h1>Something went wrong</h1>"
            f"<p>Reference: {escape(_request_id(request))}</p>"
        )
    return HttpResponse(html, status=status)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the site's 500 page with the request id, from templates alone."""
    return _render_without_database(request, "500.html", 500)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: the site's 400 page, also without the database."""
    return _render_without_database(request, "400.html", 400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form that could not be accepted, explained in plain words.

    The reason is for the logs (Django logs it as a warning), not for the page.
    """
    return render(request, "403.html", {"csrf_failed": True}, status=403)


def login_locked_out(request: HttpRequest, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the page for a source that failed to sign in too often.

    It is the same page whatever username was tried (it is not even given to the
    template), so it cannot tell an attacker which accounts exist. 429, as axes sends.
    """
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    context = {**admin.site.each_context(request), "minutes": minutes}
    return render(request, "lockout.html", context, status=429)
