"""``/sitemap.xml``: every public page, dated by its last content change.

Addresses are absolute and built from ``SITE_BASE_URL``, like canonical links, so
neither the Host header nor the sites framework's ``example.com`` can end up in
them. Drafts and scheduled pages are left out by ``Treatment.objects.published()``.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from .models import Page, Treatment


class _SiteBaseUrlSitemap(Sitemap):
    """A sitemap whose protocol and domain come from SITE_BASE_URL."""

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_BASE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_BASE_URL).netloc


class IndexSitemap(_SiteBaseUrlSitemap):
    """The home page and the list of treatments: they change when any treatment does."""

    def items(self) -> list[str]:
        return ["treatments:home", "treatments:list"]

    def location(self, item: str) -> str:
        return reverse(item)

    def lastmod(self, item: str):
        return Treatment.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class TreatmentSitemap(_SiteBaseUrlSitemap):
    def items(self):
        return Treatment.objects.published().order_by("slug")

    def lastmod(self, treatment: Treatment):
        return treatment.updated_at


class TreatmentFAQSitemap(_SiteBaseUrlSitemap):
    """FAQ pages that have questions: an empty one is not worth a crawler's visit."""

    def items(self):
        return Treatment.objects.published().filter(faqs__isnull=False).distinct().order_by("slug")

    def location(self, treatment: Treatment) -> str:
        return treatment.get_faq_url()

    def lastmod(self, treatment: Treatment):
        # Saving a question moves the treatment's updated_at (FAQ.save -> mark_changed).
        return treatment.updated_at


class PageSitemap(_SiteBaseUrlSitemap):
    def items(self):
        return Page.objects.order_by("slug")

    def lastmod(self, page: Page):
        return page.updated_at


SITEMAPS = {
    "index": IndexSitemap,
    "treatments": TreatmentSitemap,
    "faqs": TreatmentFAQSitemap,
    "pages": PageSitemap,
}
