"""Breadcrumb trails of the public pages, and their schema.org ``BreadcrumbList``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse

from treatments.seo.json_ld import absolute_url

Crumb = tuple[str, str]  # (name, path)


def home_crumbs() -> list[Crumb]:
    return [("Home", reverse("treatments:home"))]


def list_crumbs() -> list[Crumb]:
    return [*home_crumbs(), ("Treatments", reverse("treatments:list"))]


def treatment_crumbs(treatment) -> list[Crumb]:
    return [*list_crumbs(), (treatment.title, treatment.get_absolute_url())]


def faq_crumbs(treatment) -> list[Crumb]:
    return [*treatment_crumbs(treatment), ("Common questions", treatment.get_faq_url())]


def page_crumbs(page) -> list[Crumb]:
    return [*home_crumbs(), (page.title, page.get_absolute_url())]


def breadcrumb_list(crumbs: Sequence[Crumb]) -> dict[str, Any]:
    """A ``BreadcrumbList`` whose last item is the page itself."""
    return {
        "@type": "BreadcrumbList",
        "@id": f"{absolute_url(crumbs[-1][1])}#breadcrumb",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": absolute_url(path)}
            for position, (name, path) in enumerate(crumbs, start=1)
        ],
    }
