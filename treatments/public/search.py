"""Site search over published treatments: titles, then questions, then body text.

Portable by design: plain ``icontains`` filters work the same on SQLite and
PostgreSQL, and a clinic's few dozen pages need no search engine. Ranking and
snippets are computed in Python on the handful of matching rows.
"""

import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from treatments.models import FAQ, Section, Treatment

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


def _all_terms(field: str, terms: tuple[str, ...]) -> Q:
    condition = Q()
    for term in terms:
        condition &= Q(**{f"{field}__icontains": term})
    return condition


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
    """Published matches for every term of the query, best first."""
    if not query.terms:
        return []
    published = Treatment.objects.published()
    hits: list[Hit] = []
    for treatment in published.filter(
        _all_terms("title", query.terms) | _all_terms("summary", query.terms)
    ):
        title_match = all(t in treatment.title.lower() for t in query.terms)
        hits.append(
            Hit(
                RANK_TITLE if title_match else RANK_BODY,
                treatment,
                treatment.title,
                treatment.get_absolute_url(),
                _snippet(treatment.summary, query.terms),
            )
        )
    faqs = FAQ.objects.filter(treatment__in=published).select_related("treatment")
    for faq in faqs.filter(_all_terms("question", query.terms) | _all_terms("answer", query.terms)):
        in_question = all(t in faq.question.lower() for t in query.terms)
        hits.append(
            Hit(
                RANK_QUESTION if in_question else RANK_BODY,
                faq.treatment,
                faq.question,
                f"{faq.treatment.get_faq_url()}#{faq.anchor}",
                _snippet(faq.answer_html, query.terms),
            )
        )
    sections = Section.objects.filter(treatment__in=published).select_related("treatment")
    for section in sections.filter(_all_terms("body", query.terms)):
        hits.append(
            Hit(
                RANK_BODY,
                section.treatment,
                f"{section.treatment.title}: {section.title}",
                f"{section.treatment.get_absolute_url()}#{section.anchor}",
                _snippet(section.body_html, query.terms),
            )
        )
    # Stable: within a rank, treatments keep alphabetical order and pages their reading order.
    hits.sort(key=lambda hit: -hit.rank)
    return hits[:limit]
