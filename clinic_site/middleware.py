"""Middleware of our own: a request id on every request and response, one log line per
request, and the Permissions-Policy header Django does not set by itself."""

import logging
import re
import time
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from clinic_site.logs import request_id_var

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is kept if it looks like one; anything else (a log-injection attempt, a
# megabyte of text) is replaced, so the id is always safe to log and to show on a page.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

access_log = logging.getLogger("clinic_site.request")


def _request_id(request: HttpRequest) -> str:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    if _VALID_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request an id, log it with the request, and send it back.

    The id is taken from an ``X-Request-ID`` header set by a proxy in front (so its logs
    and ours line up) or made here. It is on ``request.request_id`` for views and the
    error pages, on every log record written while the request is handled, and on the
    response. One access line per request is logged when the response is ready.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = _request_id(request)
        token = request_id_var.set(request.request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status_code": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class PermissionsPolicyMiddleware:
    """Send ``Permissions-Policy`` from ``settings.PERMISSIONS_POLICY``.

    Each feature maps to the origins allowed to use it; an empty list switches it off
    for this page and anything embedded in it, so an injected script or a third-party
    frame cannot ask for the camera, the location or a payment.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
