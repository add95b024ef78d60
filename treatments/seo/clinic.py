"""The clinic and the website as schema.org nodes, from the site settings staff edit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse

from treatments.seo.json_ld import SCHEMA_ORG, absolute_url, clinic_id, language_tag, website_id

if TYPE_CHECKING:
    from treatments.models import SiteSettings


def opening_hours(site: SiteSettings) -> list[dict[str, Any]]:
    """``OpeningHoursSpecification`` nodes from the hours set for each day.

    Only the times staff gave, day by day: a closed day, or a note such as "Closed on
    bank holidays", is not read into anything (schema.org takes a day left out as
    closed).
    """
    return [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [f"{SCHEMA_ORG}/{day.capitalize()}" for day in times.days],
            "opens": f"{times.opens:%H:%M}",
            "closes": f"{times.closes:%H:%M}",
        }
        for times in site.opening_times
        if times.is_open
    ]


def medical_clinic(site: SiteSettings) -> dict[str, Any]:
    """The clinic, from the site settings staff edit in the admin."""
    address_lines = site.address_lines
    return {
        "@type": "MedicalClinic",
        "@id": clinic_id(),
        "name": site.clinic_name,
        "url": absolute_url(reverse("treatments:home")),
        "telephone": site.phone,
        "email": site.email,
        # The address is free text; its parts are not labelled, so none are guessed.
        "address": (
            {"@type": "PostalAddress", "streetAddress": ", ".join(address_lines)}
            if address_lines
            else None
        ),
        "openingHoursSpecification": opening_hours(site),
    }


def website(site: SiteSettings) -> dict[str, Any]:
    return {
        "@type": "WebSite",
        "@id": website_id(),
        "name": site.clinic_name,
        "url": absolute_url(reverse("treatments:home")),
        "inLanguage": language_tag(),
        "publisher": {"@id": clinic_id()},
    }
