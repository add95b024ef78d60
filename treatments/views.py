"""Public pages. Thin: the models hold the rules, the templates the markup."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from .models import Treatment

# How many questions the treatment page shows before linking to the FAQ page.
TOP_FAQ_COUNT = 5


def _visible_treatments(request: HttpRequest):
    """Staff may look at drafts at their public address; everyone else sees published pages."""
    if request.user.is_authenticated and request.user.is_staff:
        return Treatment.objects.all()
    return Treatment.objects.published()


def _render_treatment_page(request: HttpRequest, slug: str, template: str, **context):
    treatment = get_object_or_404(_visible_treatments(request).with_content(), slug=slug)
    response = render(request, template, {"treatment": treatment, **context})
    if not treatment.is_public:
        # A draft must never sit in a shared cache where the public could be served it.
        add_never_cache_headers(response)
    return response


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    treatments = Treatment.objects.published()
    return render(request, "treatments/home.html", {"treatments": treatments})


@require_safe
def treatment_list(request: HttpRequest) -> HttpResponse:
    treatments = Treatment.objects.published()
    return render(request, "treatments/treatment_list.html", {"treatments": treatments})


@require_safe
def treatment_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_treatment_page(
        request, slug, "treatments/treatment_detail.html", top_faq_count=TOP_FAQ_COUNT
    )


@require_safe
def treatment_faq(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_treatment_page(request, slug, "treatments/treatment_faq.html")


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and uptime checks: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        response = HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    else:
        response = HttpResponse("ok", content_type="text/plain")
    add_never_cache_headers(response)
    return response
