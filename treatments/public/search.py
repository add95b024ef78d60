"""Site search over live treatments: titles, then questions, then body text.

Reads what patients can read now (each treatment's live publication), matched and
ranked in Python: right for a clinic's few dozen pages, not for a thousand.
"""

import re
from dataclasses import dataclass

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from treatments.models import Publication, Treatment
from treatments.models.workflow import page_from_publication

MAX_QUERY_LENGTH = 100
MAX_TERMS = 6
MIN_TERM_LENGTH = 2
SNIPPET_LENGTH = 180

# Where a match is found decides its rank: a title beats a question beats body text.
RANK_TITLE, RANK_QUESTION, RANK_BODY = 3, 2, 1


@dataclass(frozen=True)
class Hit:
    rank: int
    treatment: Treatment
    heading: str
    url: str
    snippet: SafeString


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[str, ...]
    truncated: bool

    @classmethod
    def parse(cls, raw: str) -> "Query":
        """Normalise what was typed: whitespace collapsed, length and term count capped."""
        text = " ".join(raw.split())
        truncated = len(text) > MAX_QUERY_LENGTH
        text = text[:MAX_QUERY_LENGTH]
        words = re.findall(r"\w[\w'-]*", text.lower())
        terms = tuple(dict.fromkeys(w for w in words if len(w) >= MIN_TERM_LENGTH))[:MAX_TERMS]
        return cls(text=text, terms=terms, truncated=truncated)


def _has_all(text: str, terms: tuple[str, ...]) -> bool:
    lower = text.lower()
    return all(term in lower for term in terms)


def _snippet(html: str, terms: tuple[str, ...]) -> SafeString:
    """A short plain-text excerpt around the first match, with the terms marked."""
    text = " ".join(strip_tags(html).split())
    lower = text.lower()
    first = min((i for i in (lower.find(t) for t in terms) if i >= 0), default=0)
    start = max(0, first - SNIPPET_LENGTH // 3)
    excerpt = text[start : start + SNIPPET_LENGTH]
    if start > 0:
        excerpt = "…" + excerpt.split(" ", 1)[-1]
    if start + SNIPPET_LENGTH < len(text):
        excerpt = excerpt.rsplit(" ", 1)[0] + "…"
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    marked, position = [], 0
    for match in pattern.finditer(excerpt):
        marked += [escape(excerpt[position : match.start()]), f"<mark>{escape(match[0])}</mark>"]
        position = match.end()
    marked.append(escape(excerpt[position:]))
    return mark_safe("".join(marked))  # noqa: S308 - every piece above is escaped


def search(query: Query, limit: int = 30) -> list[Hit]:
    """Matches in live pages for every term of the query, best first."""
    if not query.terms:
        return []
    terms = query.terms
    hits: list[Hit] = []
    publications = (
        Publication.objects.public().of_model(Treatment).select_related("hero_image", "signoff")
    )
    for publication in publications.order_by("title"):
        treatment = page_from_publication(publication)
        if _has_all(f"{treatment.title} {treatment.summary}", terms):
            rank = RANK_TITLE if _has_all(treatment.title, terms) else RANK_BODY
            url = treatment.get_absolute_url()
            hits.append(
                Hit(rank, treatment, treatment.title, url, _snippet(treatment.summary, terms))
            )
        for faq in treatment.faqs.all():
            if _has_all(f"{faq.question} {strip_tags(faq.answer_html)}", terms):
                rank = RANK_QUESTION if _has_all(faq.question, terms) else RANK_BODY
                url = f"{treatment.get_faq_url()}#{faq.anchor}"
                hits.append(
                    Hit(rank, treatment, faq.question, url, _snippet(faq.answer_html, terms))
                )
        for section in treatment.sections.all():
            if _has_all(strip_tags(section.body_html), terms):
                url = f"{treatment.get_absolute_url()}#{section.anchor}"
                heading = f"{treatment.title}: {section.title}"
                hits.append(
                    Hit(RANK_BODY, treatment, heading, url, _snippet(section.body_html, terms))
                )
    # Stable: within a rank, treatments keep alphabetical order and pages their reading order.
    hits.sort(key=lambda hit: -hit.rank)
    return hits[:limit]
