"""The domain: what a clinic publishes for its patients.

One module per model (or per model and the rows that belong to it); everything is
importable from ``treatments.models``. Django finds the models through this module.
"""

from treatments.models.feedback import Feedback, UnansweredSearch, record_unanswered_search
from treatments.models.former_slug import FormerSlug
from treatments.models.image import Image
from treatments.models.page import RESERVED_PAGE_SLUGS, Page
from treatments.models.publication import Publication
from treatments.models.review import (
    EDITORS_GROUP,
    REVIEWERS_GROUP,
    ReviewEvent,
    ReviewRequest,
    SignOff,
    StaffProfile,
)
from treatments.models.search import SearchEntry, SearchSynonym, SearchWord
from treatments.models.site_settings import SiteSettings
from treatments.models.treatment import (
    FAQ,
    MARKDOWN_HELP,
    MAX_REMINDER_DAYS,
    EditConflict,
    Reminder,
    Section,
    Source,
    Treatment,
    TreatmentQuerySet,
)

__all__ = [
    "EDITORS_GROUP",
    "FAQ",
    "MARKDOWN_HELP",
    "MAX_REMINDER_DAYS",
    "RESERVED_PAGE_SLUGS",
    "REVIEWERS_GROUP",
    "EditConflict",
    "Feedback",
    "FormerSlug",
    "Image",
    "Page",
    "Publication",
    "Reminder",
    "ReviewEvent",
    "ReviewRequest",
    "SearchEntry",
    "SearchSynonym",
    "SearchWord",
    "Section",
    "SignOff",
    "SiteSettings",
    "Source",
    "StaffProfile",
    "Treatment",
    "TreatmentQuerySet",
    "UnansweredSearch",
    "record_unanswered_search",
]
