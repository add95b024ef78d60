"""Public pages. Thin: the models hold the rules, the templates the markup."""

from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Window
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from treatments.models import FormerSlug, Page, Publication, Treatment, record_unanswered_search
from treatments.models.document import document_from_page, document_from_treatment
from treatments.models.live import live_page, page_snapshot, preview_treatment
from treatments.models.section_kinds import SectionKind
from treatments.models.workflow import listed_treatment, page_from_publication
from treatments.public.search import Query, search

# How many questions the treatment page shows before linking to the FAQ page.
TOP_FAQ_COUNT = 5
# Guides on the home page; the list of treatments has the rest.
HOME_GUIDES = 12
# Treatments on each page of the list: at 1,000 treatments a page is still a few KB.
LIST_PAGE_SIZE = 20


def is_staff(request: HttpRequest) -> bool:
    """Only a request with a session cookie can be staff. Asking any other request for its
    user would load the session and mark a public page ``Vary: Cookie``, which defeats
    shared caches."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return request.user.is_authenticated and request.user.is_staff


def live_treatment_at(request: HttpRequest, slug: str):
    """The treatment page at ``slug`` as patients see it: its live publication. Staff also
    see a page that is not on the site yet, as its working copy, marked as a draft."""
    publication = Publication.objects.treatment(slug)
    if publication is not None:
        return page_from_publication(publication)
    if is_staff(request):
        draft = Treatment.objects.with_content().filter(slug=slug).first()
        if draft is not None:
            return preview_treatment(
                document_from_treatment(draft), pk=draft.pk, hero_image=draft.hero_image
            )
    return None


def first_guides(count: int = HOME_GUIDES) -> tuple[list, bool]:
    """The first ``count`` live treatments for a short list, without their sections, and
    whether there are more (one more is read, rather than counting them all)."""
    guides = [listed_treatment(p) for p in Publication.objects.treatments()[: count + 1]]
    return guides[:count], len(guides) > count


def _former_address(request: HttpRequest, slug: str, url_name: str) -> HttpResponse:
    """A renamed treatment redirects permanently; a deleted one is gone (410)."""
    former = FormerSlug.objects.filter(slug=slug).first()
    if former is None:
        raise Http404("No such treatment")
    if former.is_gone:
        return render(request, "410.html", status=410)
    current = Publication.objects.public().of_model(Treatment).filter(object_id=former.treatment_id)
    current = current.values_list("slug", flat=True).first()
    if current is None and is_staff(request):
        current = former.treatment.slug
    if current is None:
        raise Http404("No such treatment")
    return redirect(f"treatments:{url_name}", slug=current, permanent=True)


def _render_treatment_page(
    request: HttpRequest, slug: str, url_name: str, template: str, **context
) -> HttpResponse:
    treatment = live_treatment_at(request, slug)
    if treatment is None:
        return _former_address(request, slug, url_name)
    response = render(request, template, {"treatment": treatment, **context})
    if not treatment.is_public:
        # A draft must never sit in a shared cache where the public could be served it.
        add_never_cache_headers(response)
    return response


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The start: search, the first guides with their quick facts, and the clinic's details."""
    guides, more = first_guides()
    context = {"treatments": guides, "more_treatments": more}
    return render(request, "treatments/home.html", context)


@dataclass(frozen=True)
class ListPage:
    """One page of the list of treatments: where it is and the addresses around it."""

    number: int
    count: int  # treatments in the whole list
    path: str

    @property
    def total(self) -> int:
        return max(1, -(-self.count // LIST_PAGE_SIZE))

    @property
    def title(self) -> str:
        """Each page's own title, so search results tell the pages apart."""
        if self.number == 1:
            return "All treatments"
        return f"All treatments, page {self.number} of {self.total}"

    def url(self, number: int) -> str:
        """The page's address: the first page is the list's own, without ``?page=1``."""
        return self.path if number == 1 else f"{self.path}?page={number}"

    @property
    def previous_url(self) -> str | None:
        return self.url(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.number + 1) if self.number < self.total else None


def _page_number(request: HttpRequest) -> int:
    """``?page=N``: a whole number from 1; anything else is no page of the list."""
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or raw.startswith("0") or len(raw) > 6:
        raise Http404("No such page of the list")
    return int(raw)


@require_safe
def treatment_list(request: HttpRequest) -> HttpResponse:
    """Every live treatment, ``LIST_PAGE_SIZE`` to a page (``?page=N``), so a page stays
    small however many there are. The sitemap, not this list, is what lists them all."""
    number = _page_number(request)
    start = (number - 1) * LIST_PAGE_SIZE
    # The total rides along on each row (COUNT(*) OVER ()), so a page costs one query.
    publications = list(
        Publication.objects.treatments().annotate(list_count=Window(Count("pk")))[
            start : start + LIST_PAGE_SIZE
        ]
    )
    if not publications and number > 1:
        raise Http404("No such page of the list")
    page = ListPage(number, publications[0].list_count if publications else 0, request.path)
    context = {"treatments": [listed_treatment(p) for p in publications], "list_page": page}
    if number > 1:
        # Each page is its own page for search engines, not a copy of the first.
        context["canonical_url"] = settings.SITE_BASE_URL + page.url(number)
    return render(request, "treatments/treatment_list.html", context)


@require_safe
def treatment_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_treatment_page(
        request,
        slug,
        "detail",
        "treatments/treatment_detail.html",
        # The aftercare reminders draw the recovery timeline.
        related=("sections", "faqs", "reminders"),
        top_faq_count=TOP_FAQ_COUNT,
    )


@require_safe
def treatment_faq(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_treatment_page(request, slug, "faq", "treatments/treatment_faq.html")


# Printable sheets: the URL's last part, the section printed and its heading.
CARE_SHEETS = {
    "before": (SectionKind.BEFORE, "Your checklist"),
    "aftercare": (SectionKind.AFTERCARE, "Looking after your skin"),
}


@require_safe
def care_sheet(request: HttpRequest, slug: str, sheet: str) -> HttpResponse:
    """A one-page printable sheet for the night before or the days after treatment."""
    kind, heading = CARE_SHEETS[sheet]
    return _render_treatment_page(
        request,
        slug,
        sheet,
        "treatments/care_sheet.html",
        sheet=sheet,
        section_kind=kind.value,
        sheet_heading=heading,
    )


@require_safe
def page_detail(request: HttpRequest, slug: str) -> HttpResponse:
    publication = Publication.objects.page(slug)
    if publication is not None:
        return render(
            request, "treatments/page_detail.html", {"page": page_from_publication(publication)}
        )
    draft = Page.objects.filter(slug=slug).first() if is_staff(request) else None
    if draft is None:
        raise Http404("No such page")
    page = live_page(page_snapshot(document_from_page(draft)), pk=draft.pk, is_public=False)
    response = render(request, "treatments/page_detail.html", {"page": page})
    add_never_cache_headers(response)
    return response


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    """``/search/?q=``: never an error, whatever is typed; an empty query gets help.

    All the work is ``search(query)``: its ``Results`` (hits, the correction offered,
    whether there were more) are known here, before the page is made, for anything
    that needs to act on what a search found."""
    query = Query.parse(request.GET.get("q", ""))
    hits = search(query)
    context = {"query": query, "hits": hits}
    if not hits:
        record_unanswered_search(query.text)
        # A few guides and the way to the rest: a site of 1,000 would list them all.
        context["treatments"], context["more_treatments"] = first_guides()
    return render(request, "treatments/search.html", context)


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
