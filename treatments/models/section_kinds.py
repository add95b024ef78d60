"""The kinds of section a treatment page is built from, in their reading order.

Kept apart from the models so the content-file parser can use them without the
app registry.
"""

from django.db import models


class SectionKind(models.TextChoices):
    OVERVIEW = "overview", "Overview"
    HOW_IT_WORKS = "how_it_works", "How it works"
    BENEFITS = "benefits", "Benefits"
    CONTRAINDICATIONS = "contraindications", "Who should not have it"
    BEFORE = "before", "Before your visit"
    ON_THE_DAY = "on_the_day", "On the day"
    AFTERCARE = "aftercare", "Aftercare"
    RISKS = "risks", "Risks and side effects"
    RESULTS = "results", "Results and sessions"
    ALTERNATIVES = "alternatives", "Alternatives"

    @property
    def anchor(self) -> str:
        """The section's id on the page: part of every deep link, so never change it."""
        return self.value.replace("_", "-")


SECTION_ORDER = {kind.value: index for index, kind in enumerate(SectionKind)}


def section_of(treatment, kind: str):
    """The treatment's section of ``kind``, or None. Reads ``treatment.sections.all()``,
    so a page that prefetched the sections makes no query per kind."""
    return next((s for s in treatment.sections.all() if s.kind == kind), None)
