"""The public site with what the pages' newer parts need, on top of ``build_public_site``.

The drawing "How microneedling works" placed in the shipped treatment's "How it works"
copy with the figure syntax (the copy writer adds the same line to content/), and enough
published treatments for the list of treatments to have a second page.
"""

from tests.public_site import build_public_site
from treatments.models import Section, Treatment
from treatments.models.section_kinds import SectionKind

# The line the copy writer puts in "How it works": alt text for those who cannot see the
# drawing, then the address of the shipped SVG, then the caption everyone reads.
DIAGRAM_MARKDOWN = (
    "![Three drawings of skin seen from the side. First, a pen with fine needles makes "
    "tiny channels through the top layer of skin. Second, the channels close and the skin "
    "starts to heal. Third, weeks later, new collagen fibres fill the deeper layer.]"
    "(/static/img/diagrams/microneedling-how-it-works.svg "
    '"How microneedling works: the needles make tiny channels (left), the channels close '
    'within minutes (middle), and over the next weeks your skin makes new collagen (right).")'
)
DIAGRAM_SRC = "/static/img/diagrams/microneedling-how-it-works.svg"

# Pages that exist only on this fuller site, with the status each must answer.
UI_PAGES = [("list-page-2", "/treatments/?page=2", 200)]


def place_diagram(slug: str = "microneedling") -> None:
    """Put the drawing after the second paragraph of the treatment's "How it works"."""
    section = Section.objects.get(treatment__slug=slug, kind=SectionKind.HOW_IT_WORKS)
    paragraphs = section.body.split("\n\n")
    section.body = "\n\n".join([*paragraphs[:2], DIAGRAM_MARKDOWN, *paragraphs[2:]])
    section.save()


SAMPLE_SUMMARY = "A skin treatment described in a few plain words, with what to expect."


def add_treatments(count: int, summary: str = SAMPLE_SUMMARY) -> None:
    """``count`` more published treatments, without sections: rows for the list to page.

    Titled "Sample treatment 0000" on, at "sample-treatment-0000/", so they sort in order.
    """
    Treatment.objects.bulk_create(
        Treatment(
            title=f"Sample treatment {n:04d}",
            slug=f"sample-treatment-{n:04d}",
            summary=summary,
            description="What this sample treatment is and how it works.",
            duration="About 1 hour",
            downtime="None",
            sessions="Often 3",
            status=Treatment.Status.PUBLISHED,
        )
        for n in range(count)
    )


def build_ui_site() -> None:
    """The public site, the drawing in place, and a list of treatments two pages long."""
    build_public_site()
    place_diagram()
    add_treatments(25)
