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

Results are cached under the content version, which any change to public content,
synonyms included, moves on (``content_version``), and under the time the last
scheduled treatment went live. ``index`` keeps the entries in step with the treatments.
"""

import contextlib
import functools
import hashlib
from dataclasses import dataclass, field

from django.core.cache import caches
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.safestring import SafeString

from treatments import content_version
from treatments.models import SearchEntry, SearchSynonym
from treatments.public.search import query as query_module
from treatments.public.search import spelling
from treatments.public.search.backends import backend
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
CACHE_ALIAS = "default"
CACHE_SECONDS = 60 * 60
# Part of every cache key: results stored by an older release are never read.
CACHE_FORMAT = "search-1"


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


@functools.lru_cache(maxsize=4)
def _synonyms(version: int) -> tuple[Synonyms, frozenset[str]]:
    """The synonyms as of content ``version`` (every save of one moves it on), read once
    per process and version; and the words they name, which "Did you mean" knows even
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


def _find(words: tuple[str, ...], wanted: tuple[Concept, ...], limit: int, now, version: int):
    """The hits, best first, and whether there are more than ``limit``.

    An entry whose heading is exactly what was asked ("aftercare", "microneedling")
    comes first; the engine ranks the rest (``query.plan``: on a large site, only the
    entries that match the rarer words). A narrowed search that finds nothing is widened.
    """
    engine = backend()
    exact = list(
        SearchEntry.objects.filter(heading_key=" ".join(words))
        .filter(Q(visible_from__isnull=True) | Q(visible_from__lte=now))
        .order_by("position", "id")
        .values_list("id", flat=True)[:limit]
    )
    asked = plan(wanted, _frequency(wanted))
    ranked = engine.ranked(asked, now=now, limit=limit + 1)
    if not ranked and not asked.is_wide:
        ranked = engine.ranked(asked.widened(), now=now, limit=limit + 1)
    ids = list(dict.fromkeys([*exact, *ranked]))
    shown = ids[:limit]
    entries = SearchEntry.objects.in_bulk(shown)
    marked = engine.marked(wanted, shown)
    hits = [_hit(entries[i], marked.get(i) or entries[i].body) for i in shown if i in entries]
    return hits, len(ids) > limit


def _search(query: Query, limit: int, now, version: int) -> Results:
    synonyms, synonym_words = _synonyms(version)
    words = spelling.corrected(query.words, synonym_words, backend().finds)
    suggestion = " ".join(words) if words != query.words else ""
    wanted = concepts(words, synonyms)
    if not wanted:
        return Results(query, suggestion=suggestion)
    hits, more = _find(words, wanted, limit, now, version)
    return Results(query, hits, suggestion=suggestion, more=more)


def _cache_key(query: Query, limit: int, now, version: int) -> str:
    """Moves on with the content version, and when a scheduled treatment goes live."""
    went_live = SearchEntry.objects.filter(visible_from__lte=now).aggregate(
        last=Max("visible_from")
    )["last"]
    typed = " ".join(query.words)
    digest = hashlib.sha256(f"{limit}:{went_live}:{typed}".encode()).hexdigest()[:32]
    return f"{CACHE_FORMAT}:{version}:{digest}"


def search(query: Query, limit: int = LIMIT) -> Results:
    """The best ``limit`` published entries for ``query``; never raises for any input."""
    if not query.words:
        return Results(query)
    cache = caches[CACHE_ALIAS]
    now, version = timezone.now(), content_version.current()
    key = _cache_key(query, limit, now, version)
    # A cache that is down (Redis) costs speed, never the answer.
    cached = None
    with contextlib.suppress(Exception):
        cached = cache.get(key)
    if cached is not None:
        return Results(query, cached.hits, cached.suggestion, cached.more)
    results = _search(query, limit, now, version)
    with contextlib.suppress(Exception):
        cache.set(key, results, CACHE_SECONDS)
    return results
