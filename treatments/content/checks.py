"""Editorial checks on a treatment's copy: what ``check_content`` reports and the admin shows.

Every check works on a ``TreatmentDocument``, so the same findings come from a
content file, a saved treatment (``content.sync.document_from_treatment``) or an
admin form that has not been saved yet.
"""

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils.text import slugify

from treatments.models import Page, Treatment
from treatments.models.document import TreatmentDocument
from treatments.models.section_kinds import SectionKind
from treatments.text.markdown import render_markdown
from treatments.text.readability import Readability, measure, problems

DESCRIPTION_LENGTH = (50, 160)
FAQ_ANSWER_WORDS = (40, 120)
MIN_FAQS = 5


@dataclass(frozen=True)
class Finding:
    """One thing to fix. ``where`` is "description", "summary", "sections",
    "section:<kind>", "faqs", "faq:<n>" (n counts from 1) or "links". A ``blocking``
    finding means the page is not finished: it must not go live as it is."""

    where: str
    message: str
    blocking: bool = False


def section_scores(document: TreatmentDocument) -> dict[str, Readability]:
    """Readability of each section that has text, by kind."""
    return {s.kind: measure(s.body) for s in document.sections if s.body.strip()}


def check_document(
    document: TreatmentDocument,
    *,
    known_slugs: set[str] | None = None,
    known_pages: set[str] | None = None,
) -> list[Finding]:
    """Everything a reviewer should fix before the page is right for patients.

    ``known_slugs`` and ``known_pages`` are the treatments and pages links may point
    to; by default, those in the database.
    """
    if known_slugs is None:
        known_slugs = set(Treatment.objects.values_list("slug", flat=True))
    if known_pages is None:
        known_pages = set(Page.objects.values_list("slug", flat=True))
    return [
        *_check_meta(document),
        *_check_sections(document),
        *_check_faqs(document),
        *_check_links(document, known_slugs, known_pages),
    ]


def incomplete(document: TreatmentDocument) -> list[Finding]:
    """What makes the page unfinished (a section missing or empty, no summary): such a page
    must not go live. Reads only the document: no database."""
    return [
        finding
        for finding in [*_check_meta(document), *_check_sections(document)]
        if finding.blocking
    ]


def _check_meta(document: TreatmentDocument) -> list[Finding]:
    findings = []
    description = (document.meta.get("description") or "").strip()
    low, high = DESCRIPTION_LENGTH
    if not description:
        findings.append(Finding("description", "The meta description is empty.", blocking=True))
    elif not low <= len(description) <= high:
        findings.append(
            Finding(
                "description",
                f"The meta description has {len(description)} characters; "
                f"search engines show {low}-{high}.",
            )
        )
    if not (document.meta.get("summary") or "").strip():
        findings.append(Finding("summary", "The summary is empty.", blocking=True))
    return findings


def _check_sections(document: TreatmentDocument) -> list[Finding]:
    findings = []
    present = {section.kind for section in document.sections}
    missing = [kind.label for kind in SectionKind if kind.value not in present]
    if missing:
        findings.append(
            Finding("sections", f"Missing sections: {', '.join(missing)}.", blocking=True)
        )
    for section in document.sections:
        where = f"section:{section.kind}"
        if not section.body.strip():
            findings.append(Finding(where, f"'{section.title}' is empty.", blocking=True))
            continue
        for problem in problems(measure(section.body)):
            findings.append(Finding(where, f"{section.title}: {problem}"))
    return findings


def _check_faqs(document: TreatmentDocument) -> list[Finding]:
    findings = []
    if len(document.faqs) < MIN_FAQS:
        findings.append(
            Finding(
                "faqs", f"There are {len(document.faqs)} questions; aim for {MIN_FAQS} or more."
            )
        )
    low, high = FAQ_ANSWER_WORDS
    for number, faq in enumerate(document.faqs, start=1):
        where = f"faq:{number}"
        scores = measure(faq.answer)
        if not low <= scores.words <= high:
            findings.append(
                Finding(
                    where,
                    f"'{faq.question}': the answer has {scores.words} words; "
                    f"answers of {low}-{high} words stand on their own.",
                )
            )
        for problem in problems(scores):
            findings.append(Finding(where, f"'{faq.question}': {problem}"))
    return findings


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"])
        if attributes.get("id"):
            self.ids.add(attributes["id"])


def _check_links(
    document: TreatmentDocument, known_slugs: set[str], known_pages: set[str]
) -> list[Finding]:
    """Links inside the site must lead somewhere: a route, a known treatment, an anchor."""
    parser = _Links()
    for section in document.sections:
        parser.feed(render_markdown(section.body, id_prefix=SectionKind(section.kind).anchor))
    for faq in document.faqs:
        parser.feed(render_markdown(faq.answer))
    sources = {f"source-{row['key']}" for row in document.rows_of("sources")}
    page_ids = parser.ids | {SectionKind(s.kind).anchor for s in document.sections} | sources
    faq_ids = {slugify(faq.question)[:80].strip("-") for faq in document.faqs}
    slugs = known_slugs | {document.meta.get("slug", "")}

    findings = [
        Finding("links", f"The source '{anchor.removeprefix('source-')}' is never cited.")
        for anchor in sorted(sources - {urlsplit(href).fragment for href in parser.hrefs})
    ]
    for href in parser.hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            continue  # another site, or mailto:/tel:: not ours to check offline
        if not parts.path:
            if parts.fragment and parts.fragment not in page_ids | faq_ids:
                findings.append(Finding("links", f"'{href}' points to no part of this page."))
            continue
        try:
            match = resolve(parts.path)
        except Resolver404:
            findings.append(Finding("links", f"'{href}' points to no page on this site."))
            continue
        slug = match.kwargs.get("slug")
        if match.url_name == "page" and slug not in known_pages:
            findings.append(Finding("links", f"'{href}' points to no page on this site."))
        elif match.url_name in {"detail", "faq"} and slug not in slugs:
            findings.append(Finding("links", f"'{href}' points to no treatment."))
        elif (
            match.url_name == "faq"
            and slug == document.meta.get("slug")
            and parts.fragment
            and parts.fragment not in faq_ids
        ):
            findings.append(Finding("links", f"'{href}' points to no question."))
    return findings
