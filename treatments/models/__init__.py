"""The domain: what a clinic publishes for its patients.

One module per model (or per model and the rows that belong to it); everything is
importable from ``treatments.models``. Django finds the models through this module.
"""

from treatments.models.content_version import ContentVersion
from treatments.models.former_slug import FormerSlug
from treatments.models.image import Image
from treatments.models.page import RESERVED_PAGE_SLUGS, Page
from treatments.models.search import SearchEntry, SearchSynonym, SearchWord
from treatments.models.site_settings import SiteSettings
from treatments.models.treatment import (
    FAQ,
    MARKDOWN_HELP,
    MAX_REMINDER_DAYS,
    EditConflict,
    Reminder,
    Section,
    Treatment,
    TreatmentQuerySet,
)

__all__ = [
    "FAQ",
    "MARKDOWN_HELP",
    "MAX_REMINDER_DAYS",
    "RESERVED_PAGE_SLUGS",
    "ContentVersion",
    "EditConflict",
    "FormerSlug",
    "Image",
    "Page",
    "Reminder",
    "SearchEntry",
    "SearchSynonym",
    "SearchWord",
    "Section",
    "SiteSettings",
    "Treatment",
    "TreatmentQuerySet",
]
