"""Editorial checks on a treatment's copy: what ``check_content`` reports and the admin shows.

Every check works on a ``TreatmentDocument``, so the same findings come from a
content file, a saved treatment (``content.sync.document_from_treatment``) or an
admin form that has not been saved yet. Site pages (About) get the checks that apply
to them from ``check_page``.

Besides completeness, reading grade and links, the copy is held to the content guide:
the reasons not to have a treatment it must name (``content.contraindications``), the
words it must explain and the one word for the practitioner (``content.wording``), the
seed claims and claims of clinical review it must not make (``content.claims``), and
FAQs that do not all open the same way.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils.text import slugify

from treatments.content.claims import REVIEW_ADVICE, review_claims, seed_claims
from treatments.content.contraindications import required_topics
from treatments.content.wording import (
    PERSON_WORD,
    other_person_words,
    split_parts,
    unexplained_words,
)
from treatments.models import Page, Treatment
from treatments.models.document import (
    GLANCE,
    TREATMENT_FIELDS,
    PageDocument,
    TreatmentDocument,
)
from treatments.models.section_kinds import SectionKind
from treatments.text.lead_phrases import lead_phrases
from treatments.text.markdown import render_markdown
from treatments.text.plain_text import read_html
from treatments.text.readability import Readability, measure, plain_text, problems

DESCRIPTION_LENGTH = (50, 160)
FAQ_ANSWER_WORDS = (40, 120)
MIN_FAQS = 5
# No more than this share of FAQ answers may open with the treatment's name, nor of the
# questions (or answers) with the same three words; a repeat of 2 is never flagged.
MAX_SAME_OPENING_SHARE = 0.25
MIN_FLAGGED_REPEATS = 3


@dataclass(frozen=True)
class Finding:
    """One thing to fix. ``where`` is "description", "summary", "sections",
    "section:<kind>", "faqs", "faq:<n>" (n counts from 1), an at-a-glance field's name
    ("downtime"), "reminders", "links" or, for a site page, "body". ``line`` is the line
    within that part, counting its heading (a section's or question's) as line 1, or the
    body's first line for a page; 0 when the finding is about the part as a whole. A
    ``blocking`` finding means the page is not finished: it must not go live as it is."""

    where: str
    message: str
    blocking: bool = False
    line: int = 0


def section_scores(document: TreatmentDocument) -> dict[str, Readability]:
    """Readability of each section that has text, by kind."""
    return {s.kind: measure(s.body) for s in document.sections if s.body.strip()}


def part_scores(document: PageDocument) -> list[tuple[str, Readability]]:
    """Readability of each part of a site page under its own "## " heading, by title."""
    return [(_part_title(text).strip("'"), measure(text)) for _, text in split_parts(document.body)]


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
        *_check_contraindications(document),
        *_check_faqs(document),
        *_check_faq_openings(document),
        *_check_wording(_parts(document)),
        *_check_links(document, known_slugs, known_pages),
    ]


def check_page(
    document: PageDocument, *, known_slugs: set[str] | None = None, known_pages=None
) -> list[Finding]:
    """What to fix on a site page (About): its description, the reading grade of each
    part under a "## " heading, the wording checks and its links. ``line`` of a finding
    counts from the first line of the body."""
    if known_slugs is None:
        known_slugs = set(Treatment.objects.values_list("slug", flat=True))
    if known_pages is None:
        known_pages = set(Page.objects.values_list("slug", flat=True))
    findings = _check_description(document.meta)
    parts = split_parts(document.body)
    for first, text in parts:
        for problem in problems(measure(text)):
            findings.append(Finding("body", f"{_part_title(text)}: {problem}", line=first))
    description = ("description", "The meta description", 1, document.meta.get("description") or "")
    wording = _check_wording(
        [description] + [("body", _part_title(text), first, text) for first, text in parts]
    )
    nowhere = _Targets(set(), set(), set())
    links = _link_findings([render_markdown(document.body)], nowhere, known_slugs, known_pages, "")
    return [*findings, *wording, *links]


def _part_title(text: str) -> str:
    first = text.strip().split("\n", 1)[0]
    return f"'{first[3:]}'" if first.startswith("## ") else "The opening"


def incomplete(document: TreatmentDocument) -> list[Finding]:
    """What makes the page unfinished (a section missing or empty, no summary): such a page
    must not go live. Reads only the document: no database."""
    return [
        finding
        for finding in [*_check_meta(document), *_check_sections(document)]
        if finding.blocking
    ]


def _check_meta(document: TreatmentDocument) -> list[Finding]:
    findings = _check_description(document.meta)
    if not (document.meta.get("summary") or "").strip():
        findings.append(Finding("summary", "The summary is empty.", blocking=True))
    return findings


def _check_description(meta: dict) -> list[Finding]:
    findings = []
    description = (meta.get("description") or "").strip()
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


def _check_contraindications(document: TreatmentDocument) -> list[Finding]:
    """Every topic ``content.contraindications`` requires, named in the bold lead of a
    list item of "Who should not have it", which is what the checklist shows."""
    kind = SectionKind.CONTRAINDICATIONS.value
    section = next((s for s in document.sections if s.kind == kind and s.body.strip()), None)
    if section is None:
        return []  # the missing or empty section is reported already
    leads = " | ".join(lead_phrases(render_markdown(section.body)))
    text = plain_text(section.body)
    findings = []
    for topic in required_topics(document.meta.get("slug", "")):
        if topic.named_in(leads):
            continue
        if topic.named_in(text):
            message = (
                f"'{section.title}' mentions {topic.name}, but not in the bold words that open "
                'a list item, so the "Is this right for me?" checklist leaves it out. Start a '
                "list item with it in bold: '- **...**'."
            )
        else:
            message = (
                f"'{section.title}' does not name {topic.name}. Add a list item that opens "
                "with it in bold ('- **...**') and says what to do, such as talk to us first."
            )
        findings.append(Finding(f"section:{kind}", message, line=1))
    return findings


def _words(markdown_text: str) -> list[str]:
    return plain_text(markdown_text).split()


def _key(words: list[str]) -> str:
    return " ".join(re.sub(r"[^\w']", "", word).lower() for word in words)


def _questions_at(document: TreatmentDocument, numbers: list[int]) -> str:
    lines = [document.faqs[number - 1].line for number in numbers]
    if all(lines):
        return "lines " + ", ".join(map(str, lines))
    return "questions " + ", ".join(map(str, numbers))


def _check_faq_openings(document: TreatmentDocument) -> list[Finding]:
    """Answers that open with the treatment's name, and questions or answers that open
    with the same three words, in more than a quarter of the FAQs."""
    faqs = document.faqs
    limit = len(faqs) * MAX_SAME_OPENING_SHARE
    findings = []
    name = (document.meta.get("title") or "").split()
    if name:
        by_name = [
            number
            for number, faq in enumerate(faqs, start=1)
            if _key(_words(faq.answer)[: len(name)]) == _key(name)
        ]
        if len(by_name) > limit:
            findings.append(
                Finding(
                    "faqs",
                    f"{len(by_name)} of {len(faqs)} answers start with '{' '.join(name)}' "
                    f"({_questions_at(document, by_name)}); no more than a quarter should. "
                    "Start some with the answer itself, such as 'Yes, ...' or 'Most people ...'.",
                )
            )
    for kind, texts in (
        ("questions", [faq.question for faq in faqs]),
        ("answers", [faq.answer for faq in faqs]),
    ):
        openings: dict[str, list[int]] = {}
        shown: dict[str, str] = {}
        for number, text in enumerate(texts, start=1):
            first = _words(text)[:3]
            if len(first) == 3:
                openings.setdefault(_key(first), []).append(number)
                shown.setdefault(_key(first), " ".join(first))
        for key, numbers in openings.items():
            if len(numbers) >= MIN_FLAGGED_REPEATS and len(numbers) > limit:
                findings.append(
                    Finding(
                        "faqs",
                        f"{len(numbers)} of {len(faqs)} {kind} start with '{shown[key]}' "
                        f"({_questions_at(document, numbers)}). Vary how they begin: no "
                        "more than a quarter should open with the same words.",
                    )
                )
    return findings


def _parts(document: TreatmentDocument) -> list[tuple[str, str, int, str]]:
    """The patient-facing text of a treatment as (where, label, first line, text), each
    section and question with its heading as line 1, as in its content file."""
    parts = [
        ("summary", "The summary", 1, document.meta.get("summary") or ""),
        ("description", "The meta description", 1, document.meta.get("description") or ""),
    ]
    parts += [
        (f"section:{s.kind}", f"'{s.title}'", 1, f"{s.title}\n\n{s.body}")
        for s in document.sections
    ]
    parts += [
        (f"faq:{number}", f"'{faq.question}'", 1, f"{faq.question}\n\n{faq.answer}")
        for number, faq in enumerate(document.faqs, start=1)
    ]
    # Short, but patients read them first (at a glance) or on their phone's calendar
    # (reminders): the same claims are as wrong there as in a paragraph.
    parts += [
        (field.name, f"'{field.patient_label}'", 1, document.meta.get(field.name))
        for field in TREATMENT_FIELDS
        if field.group == GLANCE and document.meta.get(field.name)
    ]
    parts += [
        ("reminders", f"The reminder {_after_days(row.get('after_days'))}", 1, row["title"])
        for row in document.rows_of("reminders")
        if row.get("title")
    ]
    return parts


def _after_days(days) -> str:
    return "after 1 day" if days == 1 else f"after {days} days"


# What each wording check finds in a part, and what to say of one finding after the
# part's label.
_WORDING = (
    (
        unexplained_words,
        lambda use: (
            f"uses '{use.word}' without explaining it. Say what it means in this "
            f"part, such as '{use.word} (...)' or '{use.word} is ...', or use a plain word instead."
        ),
    ),
    (
        other_person_words,
        lambda use: (
            f"calls the person who treats you a '{use.word}'. Use '{PERSON_WORD}' "
            "everywhere, so patients know it is the same person."
        ),
    ),
    (
        seed_claims,
        lambda found: (
            f"repeats a seed claim the content guide rules out ({found.claim.name}): "
            f'"{found.sentence}" Instead, {found.claim.instead}.'
        ),
    ),
    (
        review_claims,
        lambda found: (
            f"claims clinical review ({found.claim.name}): "
            f'"{found.sentence}" Copy may not say this: {REVIEW_ADVICE}.'
        ),
    ),
)


def _check_wording(parts: list[tuple[str, str, int, str]]) -> list[Finding]:
    """Words to explain, other words for the practitioner, seed claims and claims of
    review, part by part; a finding's line counts from the part's line ``first``."""
    return [
        Finding(where, f"{label} {say(item)}", line=first + item.line - 1)
        for where, label, first, text in parts
        for find, say in _WORDING
        for item in find(text)
    ]


def locate(document: TreatmentDocument | PageDocument, finding: Finding, body_line: int = 0):
    """The line of ``document``'s content file a finding points at, or 0 when unknown.

    Sections and questions know the line of their heading when the document was read
    from a file; a page's findings count from its body, whose first line the caller
    gives as ``body_line``.
    """
    kind, _, rest = finding.where.partition(":")
    offset = max(finding.line, 1) - 1
    if isinstance(document, PageDocument) and kind == "description":
        return document.meta_lines.get(kind, 0)
    if isinstance(document, PageDocument):
        return body_line + offset if body_line and kind == "body" else 0
    if not rest and kind in document.meta_lines:
        # A field of the front matter (the description, an at-a-glance fact) or its
        # list of reminders: the line of its key.
        return document.meta_lines[kind]
    if kind == "section":
        line = next((s.line for s in document.sections if s.kind == rest), 0)
        return line + offset if line else 0
    if kind == "faq" and rest.isdigit() and int(rest) <= len(document.faqs):
        line = document.faqs[int(rest) - 1].line
        return line + offset if line else 0
    return 0


def _check_links(
    document: TreatmentDocument, known_slugs: set[str], known_pages: set[str]
) -> list[Finding]:
    """Links inside the site must lead somewhere: a route, a known treatment, an anchor."""
    bodies = [
        render_markdown(section.body, id_prefix=SectionKind(section.kind).anchor)
        for section in document.sections
    ] + [render_markdown(faq.answer) for faq in document.faqs]
    sources = {f"source-{row['key']}" for row in document.rows_of("sources")}
    anchors = {SectionKind(s.kind).anchor for s in document.sections} | sources
    faq_ids = {slugify(faq.question)[:80].strip("-") for faq in document.faqs}
    return _link_findings(
        bodies,
        _Targets(anchors, faq_ids, sources),
        known_slugs,
        known_pages,
        document.meta.get("slug", ""),
    )


@dataclass(frozen=True)
class _Targets:
    """What a link on the page may point at: ids on it, its questions, its sources."""

    anchors: set[str]
    faq_ids: set[str]
    sources: set[str]


def _link_findings(
    bodies: list[str],
    targets: _Targets,
    known_slugs: set[str],
    known_pages: set[str],
    own_slug: str,
) -> list[Finding]:
    """The links of the rendered ``bodies`` that lead nowhere, and sources never cited."""
    fragments = [read_html(html) for html in bodies]
    hrefs = [href for fragment in fragments for href in fragment.links]
    ids = set().union(*(fragment.ids for fragment in fragments))
    page_ids, faq_ids, sources = targets.anchors | ids, targets.faq_ids, targets.sources
    slugs = known_slugs | {own_slug}

    findings = [
        Finding("links", f"The source '{anchor.removeprefix('source-')}' is never cited.")
        for anchor in sorted(sources - {urlsplit(href).fragment for href in hrefs})
    ]
    for href in hrefs:
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
            and slug == own_slug
            and parts.fragment
            and parts.fragment not in faq_ids
        ):
            findings.append(Finding("links", f"'{href}' points to no question."))
    return findings
