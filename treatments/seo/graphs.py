"""The JSON-LD document of each kind of public page, as a ``@graph`` of linked nodes.

Nothing here is typed per page: names, descriptions, dates and answers come from the
same fields the page shows (a treatment's from its live publication), so the markup
cannot drift from what readers see.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone

from treatments.seo.breadcrumbs import (
    Crumb,
    breadcrumb_list,
    faq_crumbs,
    home_crumbs,
    list_crumbs,
    page_crumbs,
    treatment_crumbs,
)
from treatments.seo.clinic import medical_clinic, website
from treatments.seo.descriptions import faq_page_description, faq_page_title
from treatments.seo.json_ld import absolute_url, clinic_id, graph, language_tag, website_id
from treatments.seo.procedure import (
    citations,
    hero_image,
    medical_procedure,
    procedure_id,
    reviewer,
)
from treatments.text.plain_text import text_content


def _web_page(
    page_type: str, crumbs: Sequence[Crumb], name: str, description: str
) -> dict[str, Any]:
    url = absolute_url(crumbs[-1][1])
    return {
        "@type": page_type,
        "@id": f"{url}#webpage",
        "url": url,
        "name": name,
        "description": description,
        "inLanguage": language_tag(),
        "isPartOf": {"@id": website_id()},
        "publisher": {"@id": clinic_id()},
        "breadcrumb": {"@id": f"{url}#breadcrumb"},
    }


def _timestamp(moment: datetime.datetime | None) -> str | None:
    """ISO 8601 in the site's time zone, to the second."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _review_fields(treatment) -> dict[str, Any]:
    review = getattr(treatment, "review", None)
    return {
        "lastReviewed": review.reviewed_on.isoformat() if review else None,
        "reviewedBy": reviewer(treatment),
        "dateModified": _timestamp(treatment.updated_at),
    }


def _primary_image(treatment) -> dict[str, Any] | None:
    image = hero_image(treatment)
    if image is None:
        return None
    return {
        "@type": "ImageObject",
        "url": image.url,
        "caption": image.alt,
        "width": image.width,
        "height": image.height,
    }


def treatment_graph(treatment) -> dict[str, Any]:
    """A treatment page: ``MedicalWebPage`` about a ``MedicalProcedure``, with its trail."""
    crumbs = treatment_crumbs(treatment)
    page = {
        **_web_page("MedicalWebPage", crumbs, treatment.title, treatment.description),
        **_review_fields(treatment),
        "citation": citations(treatment) or None,
        "medicalAudience": {"@type": "Patient"},
        "about": {"@id": procedure_id(treatment)},
        "mainEntity": {"@id": procedure_id(treatment)},
        "primaryImageOfPage": _primary_image(treatment),
    }
    return graph(page, medical_procedure(treatment), breadcrumb_list(crumbs))


def faq_graph(treatment) -> dict[str, Any]:
    """A FAQ page: every question with the answer exactly as the page shows it."""
    crumbs = faq_crumbs(treatment)
    faq_url = absolute_url(treatment.get_faq_url())
    page = {
        **_web_page("FAQPage", crumbs, faq_page_title(treatment), faq_page_description(treatment)),
        **_review_fields(treatment),
        "about": {"@id": procedure_id(treatment), "@type": "MedicalProcedure"},
        "mainEntity": [
            {
                "@type": "Question",
                "@id": f"{faq_url}#{faq.anchor}",
                "url": f"{faq_url}#{faq.anchor}",
                "name": faq.question,
                "acceptedAnswer": {"@type": "Answer", "text": text_content(faq.answer_html)},
            }
            for faq in treatment.faqs.all()
        ],
    }
    return graph(page, breadcrumb_list(crumbs))


def home_graph(site, name: str, description: str) -> dict[str, Any]:
    """The home page: the site, the clinic behind it and the page itself."""
    crumbs = home_crumbs()
    page = {**_web_page("WebPage", crumbs, name, description), "about": {"@id": clinic_id()}}
    return graph(website(site), medical_clinic(site), page, breadcrumb_list(crumbs))


def treatment_list_graph(treatments: Iterable, name: str, description: str) -> dict[str, Any]:
    """The list of treatments: a ``CollectionPage`` whose main entity is an ``ItemList``."""
    crumbs = list_crumbs()
    page = {
        **_web_page("CollectionPage", crumbs, name, description),
        "mainEntity": {
            "@type": "ItemList",
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": position,
                    "name": treatment.title,
                    "url": absolute_url(treatment.get_absolute_url()),
                }
                for position, treatment in enumerate(treatments, start=1)
            ],
        },
    }
    return graph(page, breadcrumb_list(crumbs))


def page_graph(page) -> dict[str, Any]:
    """A site page such as "About this information"."""
    crumbs = page_crumbs(page)
    node = {
        **_web_page("WebPage", crumbs, page.title, page.description),
        "dateModified": _timestamp(page.updated_at),
    }
    return graph(node, breadcrumb_list(crumbs))
