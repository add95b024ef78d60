"""Schema.org structured data (JSON-LD) for the public pages, built from the models.

Each ``*_graph`` function returns one JSON-LD document, a ``@graph`` of the nodes a
page describes, and ``json_ld_script`` turns it into a ``<script
type="application/ld+json">`` block. Nothing here is typed per page: names,
descriptions, dates and answers come from the same fields the page shows, so the
markup cannot drift from what readers see.

Nodes are linked by ``@id`` (the page address plus a fragment such as
``#procedure``), so a crawler can join the web page, its breadcrumb trail and the
procedure it is about without the data being repeated.

The text is staff copy. ``json_ld_script`` escapes ``<``, ``>`` and ``&`` the way
Django's ``json_script`` does, so an answer containing ``</script>`` or ``<!--``
stays inside its block.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from treatments.models.section_kinds import SectionKind, section_of
from treatments.text.readability import as_sentence

if TYPE_CHECKING:
    from treatments.models import Page, SiteSettings, Treatment

SCHEMA_ORG = "https://schema.org"
# howPerformed, preparation and followup are a summary of a section, not the section.
SUMMARY_MAX_CHARS = 300
# Search engines cut a meta description at about this length.
DESCRIPTION_MAX_CHARS = 160

_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}

Crumb = tuple[str, str]  # (name, path)


# -- Serializing ---------------------------------------------------------------------


def json_ld_script(data: dict[str, Any]) -> SafeString:
    """Render ``data`` as a ``<script type="application/ld+json">`` block.

    ``<``, ``>`` and ``&`` become JSON ``\\u`` escapes, so no string in the data can
    close the element or open a comment.
    """
    # No CSP nonce: a JSON-LD block is data, which script-src does not govern, and a
    # nonce would make every response of a public page unique, defeating the page cache
    # and ETags.
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    body = mark_safe(payload)  # noqa: S308 - every <, > and & is escaped above
    return format_html('<script type="application/ld+json">{}</script>', body)


def _compact(value: Any) -> Any:
    """Drop empty properties: schema.org has no use for ``""``, ``None`` or ``[]``."""
    if isinstance(value, dict):
        pairs = ((key, _compact(item)) for key, item in value.items())
        return {key: item for key, item in pairs if item not in (None, "", [], {})}
    if isinstance(value, list):
        return [item for item in (_compact(item) for item in value) if item not in (None, "", {})]
    return value


def _graph(*nodes: dict[str, Any] | None) -> dict[str, Any]:
    return {"@context": SCHEMA_ORG, "@graph": [_compact(node) for node in nodes if node]}


# -- Addresses, language, text -------------------------------------------------------


def absolute_url(path: str) -> str:
    """The public address of ``path``, from SITE_BASE_URL and never the Host header."""
    return f"{settings.SITE_BASE_URL}{path}"


def language_tag() -> str:
    """The site's language as a BCP 47 tag (``en-gb`` becomes ``en-GB``)."""
    language, _, region = settings.LANGUAGE_CODE.partition("-")
    return f"{language}-{region.upper()}" if region else language


class _TextParser(HTMLParser):
    """The text of an HTML fragment, as blocks: paragraphs, list items, table cells.

    Headings are skipped when asked: in a section summary they are signposts
    ("A few days before"), not content.
    """

    BLOCKS = frozenset({"p", "li", "td", "th", "blockquote", "h2", "h3", "h4", "h5", "h6"})
    HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})

    def __init__(self, *, skip_headings: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_headings = skip_headings
        self.blocks: list[str] = []
        self.list_items: list[str] = []
        self._buffer: list[str] = []
        self._list_depth = 0  # inside an <li>, even through a <p> within it
        self._in_heading = False

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        self._buffer = []
        if text:
            self.blocks.append(text)
            if self._list_depth:
                self.list_items.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self._flush()
        if tag == "li":
            self._list_depth += 1
        self._in_heading = self._in_heading or (tag in self.HEADINGS and self.skip_headings)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HEADINGS and self._in_heading:
            self._buffer = []
            self._in_heading = False
        elif tag in self.BLOCKS:
            self._flush()
        if tag == "li" and self._list_depth:
            self._list_depth -= 1

    def handle_data(self, data: str) -> None:
        self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def text_content(html: str) -> str:
    """The text a reader sees in an HTML fragment, whitespace collapsed (like textContent)."""
    parser = _TextParser(skip_headings=False)
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.blocks).split())


def summary_text(html: str, limit: int = SUMMARY_MAX_CHARS) -> str:
    """A section as a few plain sentences: headings dropped, each block ended as a sentence.

    When the section has lists, only their items are read: in "On the day" or
    "Before your visit" the steps are the substance, and the paragraphs around them
    ("Use this checklist.") make no sense on their own. Whole sentences are kept up
    to ``limit`` characters; a first sentence longer than that is cut at a word.
    """
    parser = _TextParser(skip_headings=True)
    parser.feed(html)
    parser.close()
    blocks = parser.list_items or parser.blocks
    return shorten(" ".join(as_sentence(block) for block in blocks), limit)


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a sentence end where there is one."""
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > limit:
            break
        kept = candidate
    if kept:
        return kept
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


# -- Pages and their breadcrumb trails ------------------------------------------------


def home_crumbs() -> list[Crumb]:
    return [("Home", reverse("treatments:home"))]


def list_crumbs() -> list[Crumb]:
    return [*home_crumbs(), ("Treatments", reverse("treatments:list"))]


def treatment_crumbs(treatment: Treatment) -> list[Crumb]:
    return [*list_crumbs(), (treatment.title, treatment.get_absolute_url())]


def faq_crumbs(treatment: Treatment) -> list[Crumb]:
    return [*treatment_crumbs(treatment), ("Common questions", treatment.get_faq_url())]


def page_crumbs(page: Page) -> list[Crumb]:
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


def faq_page_title(treatment: Treatment) -> str:
    """The FAQ page's own title, for its ``<title>``, Open Graph and JSON-LD alike."""
    return f"{treatment.title}: common questions"


def faq_page_description(treatment: Treatment) -> str:
    """A meta description for the FAQ page: what it answers, in at most 160 characters.

    The questions themselves say best what the page covers, so as many as fit
    follow the opening.
    """
    questions = [faq.question for faq in treatment.faqs.all()]
    count = len(questions)
    opening = (
        f"Answers to {count} common question{'' if count == 1 else 's'} "
        f"about {treatment.title.lower()}"
    )
    if not questions:
        return f"Common questions about {treatment.title.lower()}, answered in plain words."
    text = f"{opening}, such as: {questions[0]}"
    for question in questions[1:]:
        if len(f"{text} {question}") > DESCRIPTION_MAX_CHARS:
            break
        text = f"{text} {question}"
    return shorten(text, DESCRIPTION_MAX_CHARS)


# -- The clinic and the site -----------------------------------------------------------


def _clinic_id() -> str:
    return absolute_url("/#clinic")


def _website_id() -> str:
    return absolute_url("/#website")


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_BY_PREFIX = {day[:3].lower(): day for day in _DAYS}
_HOURS_LINE = re.compile(
    r"^(?P<days>[A-Za-z][A-Za-z ,&\-–]*?)\s*:?\s+"
    r"(?P<opens>\d{1,2})[:.](?P<opens_min>\d{2})\s*(?:-|–|to)\s*"
    r"(?P<closes>\d{1,2})[:.](?P<closes_min>\d{2})$"
)


def _day(word: str) -> str | None:
    return _DAY_BY_PREFIX.get(word.strip().lower()[:3])


def _days(text: str) -> list[str]:
    """``Monday-Friday``, ``Sat, Sun``, ``Tuesday and Thursday`` as day names; [] if unsure."""
    days: list[str] = []
    for part in re.split(r",|&|\band\b", text):
        first, *rest = re.split(r"\s*(?:-|–|\bto\b)\s*", part.strip(), maxsplit=1)
        start, end = _day(first), (_day(rest[0]) if rest else None)
        if start is None or (rest and end is None):
            return []
        if end is None:
            days.append(start)
        else:
            i, j = _DAYS.index(start), _DAYS.index(end)
            days.extend(_DAYS[i : j + 1] if i <= j else [*_DAYS[i:], *_DAYS[: j + 1]])
    return days


def opening_hours(lines: Iterable[str]) -> list[dict[str, Any]]:
    """``OpeningHoursSpecification`` nodes from lines such as ``Monday-Friday 09:00-18:00``.

    A line this cannot read for certain ("Sunday closed", "9am till late") is left
    out rather than guessed: wrong hours are worse than none.
    """
    specs = []
    for line in lines:
        match = _HOURS_LINE.match(line.strip())
        days = _days(match["days"]) if match else []
        if not days:
            continue
        specs.append(
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": [f"{SCHEMA_ORG}/{day}" for day in days],
                "opens": f"{int(match['opens']):02d}:{match['opens_min']}",
                "closes": f"{int(match['closes']):02d}:{match['closes_min']}",
            }
        )
    return specs


def medical_clinic(site: SiteSettings) -> dict[str, Any]:
    """The clinic, from the site settings staff edit in the admin."""
    address_lines = site.address_lines
    return {
        "@type": "MedicalClinic",
        "@id": _clinic_id(),
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
        "openingHoursSpecification": opening_hours(site.opening_hours_lines),
    }


def website(site: SiteSettings) -> dict[str, Any]:
    return {
        "@type": "WebSite",
        "@id": _website_id(),
        "name": site.clinic_name,
        "url": absolute_url(reverse("treatments:home")),
        "inLanguage": language_tag(),
        "publisher": {"@id": _clinic_id()},
    }


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
        "isPartOf": {"@id": _website_id()},
        "publisher": {"@id": _clinic_id()},
        "breadcrumb": {"@id": f"{url}#breadcrumb"},
    }


# -- Treatments ------------------------------------------------------------------------


@dataclass(frozen=True)
class HeroImage:
    url: str  # absolute
    alt: str
    width: int | None = None
    height: int | None = None


def hero_image(treatment: Treatment) -> HeroImage | None:
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


def _section_html(treatment: Treatment, kind: SectionKind) -> str:
    section = section_of(treatment, kind)
    return section.body_html if section else ""


_ALSO_CALLED = re.compile(
    r"\b(?:also (?:hear it |see it |find it )?called|also known as|sometimes called)\s+([^.;:()]+)",
    re.IGNORECASE,
)


def alternate_names(treatment: Treatment) -> list[str]:
    """Other names the overview gives the treatment ("also called X or Y")."""
    text = text_content(_section_html(treatment, SectionKind.OVERVIEW))
    names: list[str] = []
    for match in _ALSO_CALLED.finditer(text):
        for name in re.split(r",\s*|\s+or\s+|\s+and\s+", match[1]):
            name = name.strip()
            if name and name.lower() != treatment.title.lower() and name not in names:
                names.append(name)
    return names


# Parts of the body a skin treatment page may name, in the words patients use. Words
# with an everyday second meaning ("back", "feet") are left out: "come back in a week"
# must not make the back a treated area.
BODY_PARTS = (
    "face",
    "neck",
    "chest",
    "scalp",
    "hands",
    "arms",
    "tummy",
    "abdomen",
    "buttocks",
    "thighs",
    "legs",
)


def body_locations(treatment: Treatment) -> str:
    """The parts of the body the overview says the treatment is used on, in its order."""
    text = text_content(_section_html(treatment, SectionKind.OVERVIEW)).lower()
    found = [(m.start(), part) for part in BODY_PARTS if (m := re.search(rf"\b{part}\b", text))]
    return ", ".join(part for _, part in sorted(found))


_NEEDLES = re.compile(r"\b(needles?|needling|injections?|injected|inject)\b", re.IGNORECASE)
_NO_NEEDLES = re.compile(r"\b(no|without)\s+(needles?|injections?)\b", re.IGNORECASE)


def procedure_type(treatment: Treatment) -> str | None:
    """``PercutaneousProcedure`` when the page says the skin is entered by needle.

    schema.org's MedicalProcedureType has two members: Noninvasive and
    Percutaneous (needle-puncture of the skin). Needles or injections named in
    "How it works" mark the second. Their absence does not prove the first, so
    then no type is claimed.
    """
    text = text_content(_section_html(treatment, SectionKind.HOW_IT_WORKS))
    if _NEEDLES.search(text) and not _NO_NEEDLES.search(text):
        return f"{SCHEMA_ORG}/PercutaneousProcedure"
    return None


def _procedure_id(treatment: Treatment) -> str:
    return f"{absolute_url(treatment.get_absolute_url())}#procedure"


def medical_procedure(treatment: Treatment) -> dict[str, Any]:
    """The treatment as a ``MedicalProcedure``, its details summarised from its sections."""
    return {
        "@type": "MedicalProcedure",
        "@id": _procedure_id(treatment),
        "name": treatment.title,
        "alternateName": alternate_names(treatment),
        "description": treatment.summary,
        "url": absolute_url(treatment.get_absolute_url()),
        "procedureType": procedure_type(treatment),
        "bodyLocation": body_locations(treatment),
        "howPerformed": summary_text(_section_html(treatment, SectionKind.ON_THE_DAY)),
        "preparation": summary_text(_section_html(treatment, SectionKind.BEFORE)),
        "followup": summary_text(_section_html(treatment, SectionKind.AFTERCARE)),
    }


def reviewer(treatment: Treatment) -> dict[str, Any] | None:
    """``reviewedBy``: the clinician whose recorded sign-off the page carries, else None.

    Medical markup must not claim a review that did not happen, so this comes only from
    the page's review stamp (``models.workflow.stamp``), never from copy.
    """
    review = getattr(treatment, "review", None)
    if review is None:
        return None
    return {"@type": "Person", "name": review.name, "jobTitle": review.title}


def citations(treatment: Treatment) -> list[dict[str, Any]]:
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


def _timestamp(moment: datetime.datetime | None) -> str | None:
    """ISO 8601 in the site's time zone, to the second."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _review_fields(treatment: Treatment) -> dict[str, Any]:
    review = getattr(treatment, "review", None)
    return {
        "lastReviewed": review.reviewed_on.isoformat() if review else None,
        "reviewedBy": reviewer(treatment),
        "dateModified": _timestamp(treatment.updated_at),
    }


def treatment_graph(treatment: Treatment) -> dict[str, Any]:
    """A treatment page: ``MedicalWebPage`` about a ``MedicalProcedure``, with its trail."""
    crumbs = treatment_crumbs(treatment)
    image = hero_image(treatment)
    page = {
        **_web_page("MedicalWebPage", crumbs, treatment.title, treatment.description),
        **_review_fields(treatment),
        "citation": citations(treatment) or None,
        "medicalAudience": {"@type": "Patient"},
        "about": {"@id": _procedure_id(treatment)},
        "mainEntity": {"@id": _procedure_id(treatment)},
        "primaryImageOfPage": (
            {
                "@type": "ImageObject",
                "url": image.url,
                "caption": image.alt,
                "width": image.width,
                "height": image.height,
            }
            if image
            else None
        ),
    }
    return _graph(page, medical_procedure(treatment), breadcrumb_list(crumbs))


def faq_graph(treatment: Treatment) -> dict[str, Any]:
    """A FAQ page: every question with the answer exactly as the page shows it."""
    crumbs = faq_crumbs(treatment)
    faq_url = absolute_url(treatment.get_faq_url())
    page = {
        **_web_page("FAQPage", crumbs, faq_page_title(treatment), faq_page_description(treatment)),
        **_review_fields(treatment),
        "about": {"@id": _procedure_id(treatment), "@type": "MedicalProcedure"},
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
    return _graph(page, breadcrumb_list(crumbs))


# -- Home, list and site pages -----------------------------------------------------------


def home_graph(site: SiteSettings, name: str, description: str) -> dict[str, Any]:
    """The home page: the site, the clinic behind it and the page itself."""
    crumbs = home_crumbs()
    page = {**_web_page("WebPage", crumbs, name, description), "about": {"@id": _clinic_id()}}
    return _graph(website(site), medical_clinic(site), page, breadcrumb_list(crumbs))


def treatment_list_graph(
    treatments: Iterable[Treatment], name: str, description: str
) -> dict[str, Any]:
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
    return _graph(page, breadcrumb_list(crumbs))


def page_graph(page: Page) -> dict[str, Any]:
    """A site page such as "About this information"."""
    crumbs = page_crumbs(page)
    node = {
        **_web_page("WebPage", crumbs, page.title, page.description),
        "dateModified": _timestamp(page.updated_at),
    }
    return _graph(node, breadcrumb_list(crumbs))
