"""A treatment as a schema.org ``MedicalProcedure``, from its fields and sections.

The facts (other names, parts of the body, whether it goes through the skin) come
from fields staff fill in, never from the copy: read out of prose they came out wrong
("not used on the face" gave the face; "unlike fillers, which are injected" made a
peel a needle procedure). A field left empty claims nothing. The longer properties
(``howPerformed``, ``preparation``, ``followup``) are summaries of the sections the
page shows, so they cannot say anything the page does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from treatments.models.section_kinds import SectionKind, section_of
from treatments.models.treatment import ProcedureType
from treatments.seo.descriptions import summary_text
from treatments.seo.json_ld import SCHEMA_ORG, absolute_url

PROCEDURE_TYPES = {
    ProcedureType.NONINVASIVE.value: f"{SCHEMA_ORG}/NoninvasiveProcedure",
    ProcedureType.PERCUTANEOUS.value: f"{SCHEMA_ORG}/PercutaneousProcedure",
}


def listed(text: str) -> list[str]:
    """The items of a comma-separated field, as staff typed them, without repeats."""
    return list(dict.fromkeys(item.strip() for item in (text or "").split(",") if item.strip()))


def procedure_id(treatment) -> str:
    return f"{absolute_url(treatment.get_absolute_url())}#procedure"


def _section_html(treatment, kind: SectionKind) -> str:
    section = section_of(treatment, kind)
    return section.body_html if section else ""


def medical_procedure(treatment) -> dict[str, Any]:
    """The treatment as a ``MedicalProcedure``: stated facts and section summaries."""
    return {
        "@type": "MedicalProcedure",
        "@id": procedure_id(treatment),
        "name": treatment.title,
        "alternateName": listed(treatment.alternate_names),
        "description": treatment.summary,
        "url": absolute_url(treatment.get_absolute_url()),
        "procedureType": PROCEDURE_TYPES.get(treatment.procedure_type),
        # schema.org's bodyLocation is text: the parts as staff listed them.
        "bodyLocation": ", ".join(listed(treatment.body_locations)),
        "howPerformed": summary_text(_section_html(treatment, SectionKind.ON_THE_DAY)),
        "preparation": summary_text(_section_html(treatment, SectionKind.BEFORE)),
        "followup": summary_text(_section_html(treatment, SectionKind.AFTERCARE)),
    }


@dataclass(frozen=True)
class HeroImage:
    url: str  # absolute
    alt: str
    width: int | None = None
    height: int | None = None


def hero_image(treatment) -> HeroImage | None:
    """The picture at the top of the treatment page, for link previews and JSON-LD.

    Reads ``treatment.hero_image`` (an ``Image`` from the library, with ``url``,
    ``alt_text``, ``width`` and ``height``) through ``getattr``, so a treatment
    without one, or a model without the field, simply has no image.
    """
    image = getattr(treatment, "hero_image", None)
    if not image:
        return None
    try:
        url = image.url
    except ValueError:  # an image row whose file is missing
        return None
    if not url:
        return None
    return HeroImage(
        url=url if "://" in url else absolute_url(url),
        alt=getattr(image, "alt_text", "") or treatment.title,
        width=getattr(image, "width", None),
        height=getattr(image, "height", None),
    )


def reviewer(treatment) -> dict[str, Any] | None:
    """``reviewedBy``: the clinician whose recorded sign-off the page carries, else None.

    Medical markup must not claim a review that did not happen, so this comes only from
    the page's review stamp (``models.workflow.stamp``), never from copy.
    """
    review = getattr(treatment, "review", None)
    if review is None:
        return None
    return {"@type": "Person", "name": review.name, "jobTitle": review.title}


def citations(treatment) -> list[dict[str, Any]]:
    """The page's sources as ``citation``: each a ``CreativeWork`` with its publisher."""
    return [
        {
            "@type": "CreativeWork",
            "name": source.title,
            "publisher": {"@type": "Organization", "name": source.publisher},
            "datePublished": str(source.year),
            "url": source.url,
        }
        for source in treatment.sources.all()
    ]
