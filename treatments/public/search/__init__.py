"""Site search on the database's own full-text engine.

``search(Query.parse(text))`` returns the best entries of the search index for what a
patient typed, ranked and limited by the database (SQLite FTS5 or PostgreSQL full-text
search, behind ``backends.backend()``):

- stop words are dropped and words stemmed, so "does it hurt" finds "Does microneedling
  hurt?";
- the synonyms staff keep (``SearchSynonym``) widen a phrase to the words our pages
  use: "roaccutane" also looks for "isotretinoin";
- a mistyped word is put right from the indexed words ("Did you mean microneedling?");
- headings (questions, sections, sub-headings) weigh more than the text under them;
- on a large site, only entries with the query's rarer words are ranked (``query.plan``).

Only what patients may read is found: the index holds the entries of treatments'
publications (``index``, kept in step by ``signals``), and every query the engines run
joins them to ``Publication.objects.public()`` at that moment (``visible``), so a
scheduled publication is found once its time comes and, where clinical sign-off is
required, an unsigned one never is.

Results are cached under the current generation (``freshness``), which any saved or
deleted publication or synonym, and any scheduled publication going live, moves on.
"""

import contextlib
import functools
import hashlib
from dataclasses import dataclass, field

from django.core.cache import caches
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from treatments.models import Publication, SearchEntry, SearchSynonym, Treatment
from treatments.public.search import freshness, spelling
from treatments.public.search import query as query_module
from treatments.public.search.backends import backend
from treatments.public.search.backends.base import Visible
from treatments.public.search.query import (
    STOP_WORDS,
    Concept,
    Query,
    Synonyms,
    concepts,
    phrase_key,
    plan,
    words_of,
)
from treatments.public.search.snippets import snippet

__all__ = ["Hit", "Query", "Results", "search"]

LIMIT = 20
CACHE_ALIAS = freshness.CACHE_ALIAS
CACHE_SECONDS = 60 * 60
# Part of every cache key: results stored by an older release are never read.
CACHE_FORMAT = "search-2"


@dataclass(frozen=True)
class Hit:
    """One result: where it links, its heading, where it sits and a marked snippet."""

    kind: str
    slug: str
    title: str
    heading: str
    context: str
    url: str
    snippet: SafeString

    @property
    def where(self) -> str:
        """ "Microneedling, Aftercare" under a sub-heading's result; "Microneedling,
        common questions" under an answer's."""
        if self.kind == SearchEntry.Kind.ANSWER:
            return f"{self.title}, common questions"
        return f"{self.title}, {self.context}" if self.context else self.title


@dataclass
class Results:
    """The hits, best first, and the corrected query when a word was mistyped. Behaves
    as the list of hits (``len``, ``for``, ``if``)."""

    query: Query
    hits: list[Hit] = field(default_factory=list)
    suggestion: str = ""
    more: bool = False

    def __iter__(self):
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def __bool__(self) -> bool:
        return bool(self.hits)

    def __getitem__(self, index):
        return self.hits[index]


def visible(now) -> QuerySet:
    """The ids of the publications patients may read at ``now``, which every search
    statement filters its entries by, in the database (``SearchBackend.readable``)."""
    publications = Publication.objects.public(now).of_model(Treatment).order_by()
    return publications.values_list("pk", flat=True)


@functools.lru_cache(maxsize=4)
def _synonyms(generation: str) -> tuple[Synonyms, frozenset[str]]:
    """The synonyms as of ``generation`` (every save of one moves it on), read once per
    process and generation; and the words they name, which "Did you mean" knows even
    when no page uses them."""
    synonyms = {
        phrase_key(words_of(row.phrase)): tuple(row.alternatives)
        for row in SearchSynonym.objects.all()
    }
    words = set()
    for phrase, means in synonyms.items():
        words.update(phrase)
        for meaning in means:
            words.update(words_of(meaning))
    return synonyms, frozenset(word for word in words if word.isalpha())


def _hit(entry: SearchEntry, marked: str) -> Hit:
    return Hit(
        kind=entry.kind,
        slug=entry.slug,
        title=entry.title,
        heading=entry.heading,
        context=entry.context,
        url=entry.url,
        snippet=snippet(marked),
    )


def _frequency(concepts_: tuple[Concept, ...]) -> dict[str, int]:
    """How many entries match each word of the concepts, up to just past common."""
    words = {
        word
        for c in concepts_
        for phrase in c.alternatives
        for word in phrase.split()
        if word not in STOP_WORDS
    }
    return backend().counts(sorted(words), query_module.COMMON + 1)


def _find(words: tuple[str, ...], wanted: tuple[Concept, ...], limit: int, now, generation: str):
    """The hits, best first, and whether there are more than ``limit``.

    An entry whose heading is exactly what was asked ("aftercare", "microneedling")
    comes first; the engine ranks the rest (``query.plan``: on a large site, only the
    entries that match the rarer words). A narrowed search that finds nothing is widened.
    """
    engine, readable = backend(), Visible(visible(now), generation)
    exact = list(
        engine.readable(SearchEntry.objects.filter(heading_key=" ".join(words)), readable)
        .order_by("position", "id")
        .values_list("id", flat=True)[:limit]
    )
    asked = plan(wanted, _frequency(wanted))
    ranked = engine.ranked(asked, visible=readable, limit=limit + 1)
    if not ranked and not asked.is_wide:
        ranked = engine.ranked(asked.widened(), visible=readable, limit=limit + 1)
    ids = list(dict.fromkeys([*exact, *ranked]))
    shown = ids[:limit]
    entries = SearchEntry.objects.in_bulk(shown)
    marked = engine.marked(wanted, shown)
    hits = [_hit(entries[i], marked.get(i) or entries[i].body) for i in shown if i in entries]
    return hits, len(ids) > limit


def _search(query: Query, limit: int, now, generation: str) -> Results:
    synonyms, synonym_words = _synonyms(generation)
    words = spelling.corrected(query.words, synonym_words, backend().finds)
    suggestion = " ".join(words) if words != query.words else ""
    wanted = concepts(words, synonyms)
    if not wanted:
        return Results(query)
    hits, more = _find(words, wanted, limit, now, generation)
    # The vocabulary also knows words of pages not live yet: a correction is offered
    # only when it finds something patients may read.
    return Results(query, hits, suggestion=suggestion if hits else "", more=more)


def _cache_key(query: Query, limit: int, generation: str) -> str:
    """The generation (``freshness``: any publication or synonym change, or a scheduled
    publication going live, moves it on), the limit and the words typed."""
    typed = " ".join(query.words)
    digest = hashlib.sha256(f"{limit}:{typed}".encode()).hexdigest()[:32]
    return f"{CACHE_FORMAT}:{generation}:{digest}"


def search(query: Query, limit: int = LIMIT) -> Results:
    """The best ``limit`` entries patients may read for ``query``; never raises for any
    input. Cached until the generation moves on (``_cache_key``)."""
    if not query.words:
        return Results(query)
    cache = caches[CACHE_ALIAS]
    now = timezone.now()
    generation = freshness.current(now)
    key = _cache_key(query, limit, generation)
    # A cache that is down (Redis) costs speed, never the answer.
    cached = None
    with contextlib.suppress(Exception):
        cached = cache.get(key)
    if cached is not None:
        return Results(query, cached.hits, cached.suggestion, cached.more)
    results = _search(query, limit, now, generation)
    with contextlib.suppress(Exception):
        cache.set(key, results, CACHE_SECONDS)
    return results
