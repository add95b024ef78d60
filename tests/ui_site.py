"""The public site with what the pages' newer parts need, on top of ``build_public_site``.

Enough live treatments for the list of treatments to have a second page. (The drawing
"How microneedling works" comes with the shipped copy: content/treatments/microneedling.md.)
"""

from tests.conftest import publish
from tests.public_site import build_public_site
from treatments.models import Treatment

# The drawing "How it works" shows (content/treatments/microneedling.md places it).
DIAGRAM_SRC = "/static/img/diagrams/microneedling-how-it-works.svg"

# Pages that exist only on this fuller site, with the status each must answer.
UI_PAGES = [("list-page-2", "/treatments/?page=2", 200)]


SAMPLE_SUMMARY = "A skin treatment described in a few plain words, with what to expect."


def add_treatments(count: int, summary: str = SAMPLE_SUMMARY) -> None:
    """``count`` more live treatments, without sections: rows for the list to page.

    Titled "Sample treatment 0000" on, at "sample-treatment-0000/", so they sort in order.
    """
    treatments = Treatment.objects.bulk_create(
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
    for treatment in treatments:
        publish(treatment)


def build_ui_site() -> None:
    """The public site and a list of treatments two pages long."""
    build_public_site()
    add_treatments(25)
