"""``/sitemap.xml``: every public page, dated by its last content change.

Addresses are absolute and built from ``SITE_BASE_URL``, like canonical links, so
neither the Host header nor the sites framework's ``example.com`` can end up in
them. Only what patients can read now is listed: live publications
(``Publication.objects.public()``), dated by when they went live.

Two queries whatever the number of treatments: one for the treatments (with how many
questions each has), one for the site pages. Rows are read as plain values, not model
instances, and each address is the route's address with the slug put in, not a
``reverse()`` per page. ``sitemap_xml`` then writes the entries out directly: Django's
sitemap view renders its template once per address and formats every date through the
template engine, which took most of a cold render at a thousand treatments. The classes
in ``SITEMAPS`` still work with that view too.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from treatments.models import Page, Publication, Treatment

# An entry: (path, date of the last change).
Entry = tuple[str, datetime.date | None]
_SLUG = "sitemap-slug"


def _path_maker(url_name: str):
    """``slug -> path`` for a route that takes a slug: reversed once, then filled in.

    Slugs hold only letters, digits, ``-`` and ``_``, so they need no quoting.
    """
    before, after = reverse(url_name, kwargs={"slug": _SLUG}).split(_SLUG)
    return lambda slug: f"{before}{slug}{after}"


def _day(moment: datetime.datetime) -> datetime.date:
    """The local date a page shows as "Last updated"."""
    return timezone.localdate(moment)


class _SiteBaseUrlSitemap(Sitemap):
    """A sitemap of ``(path, date)`` entries whose protocol and domain come from
    SITE_BASE_URL."""

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_BASE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_BASE_URL).netloc

    def location(self, entry: Entry) -> str:
        return entry[0]

    def lastmod(self, entry: Entry) -> datetime.date | None:
        return entry[1]


class TreatmentSitemap(_SiteBaseUrlSitemap):
    """The home page and the list (changed when any treatment last changed), each
    live treatment, and its FAQ page when it has questions: an empty one is not worth a
    crawler's visit. Both pages of a treatment go live together, so they share its date."""

    def items(self) -> list[Entry]:
        rows = (
            Publication.objects.public()
            .of_model(Treatment)
            .order_by("slug")
            .values_list("slug", "live_from", "faq_count")
        )
        detail, faq = _path_maker("treatments:detail"), _path_maker("treatments:faq")
        pages: list[Entry] = []
        questions: list[Entry] = []
        latest = None
        for slug, updated_at, has_faqs in rows:
            latest = updated_at if latest is None or updated_at > latest else latest
            day = _day(updated_at)
            pages.append((detail(slug), day))
            if has_faqs:
                questions.append((faq(slug), day))
        changed = _day(latest) if latest else None
        index = [(reverse("treatments:home"), changed), (reverse("treatments:list"), changed)]
        return index + pages + questions


class PageSitemap(_SiteBaseUrlSitemap):
    def items(self) -> list[Entry]:
        page = _path_maker("treatments:page")
        rows = (
            Publication.objects.public()
            .of_model(Page)
            .order_by("slug")
            .values_list("slug", "live_from")
        )
        return [(page(slug), _day(updated_at)) for slug, updated_at in rows]


SITEMAPS = {
    "treatments": TreatmentSitemap,
    "pages": PageSitemap,
}


SITEMAP_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


@require_safe
def sitemap_xml(request: HttpRequest) -> HttpResponse:
    """Every entry of ``SITEMAPS`` as a sitemaps.org ``<urlset>``, dates as ``YYYY-MM-DD``."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_NAMESPACE}">']
    days = []
    for sitemap in SITEMAPS.values():
        for path, day in sitemap().items():
            days.append(day)
            lastmod = f"<lastmod>{day.isoformat()}</lastmod>" if day else ""
            lines.append(f"<url><loc>{escape(settings.SITE_BASE_URL + path)}</loc>{lastmod}</url>")
    lines.append("</urlset>\n")
    response = HttpResponse("\n".join(lines), content_type="application/xml; charset=utf-8")
    # As Django's sitemap view: the file is for crawlers to read, not a page to list.
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    if days and all(days):
        latest = datetime.datetime.combine(max(days), datetime.time(), tzinfo=datetime.UTC)
        response["Last-Modified"] = http_date(latest.timestamp())
    return response
