"""The search index: what a treatment's publication puts in it, and keeping it in step.

Entries are made from publications only, never from the rows staff edit (those are
drafts). ``update_publication(publication)`` replaces every entry of one publication in
one transaction; it reads the page as patients see it (``page_from_publication``):

- the page itself: the title, the summary and the at-a-glance facts;
- each section: the text before its first sub-heading, and each sub-heading's block
  (linked by the sub-heading's own anchor);
- each answer, linked on the questions page.

A publication replaced for good (its subject has a newer one live) loses its entries;
a deleted one loses them with it (a foreign key that cascades). Which entries a search
may show is decided when it runs (``backends``), so a scheduled publication's entries
wait in the index for their time. The words of every entry join the vocabulary that
"Did you mean" corrects from. The engine's own index (FTS5 or the ``tsvector`` column)
follows the entries by itself.
"""

import datetime
import re
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from treatments.models import Publication, SearchEntry, SearchWord, Treatment
from treatments.models.section_kinds import SECTION_ORDER
from treatments.models.workflow import page_from_publication
from treatments.public.search.backends import backend
from treatments.public.search.query import STOP_WORDS, words_of
from treatments.public.search.text import Block, blocks, clean, plain_text

# The at-a-glance facts, as the treatment page labels them.
AT_A_GLANCE = (
    ("duration", "How long it takes"),
    ("numbing", "Numbing"),
    ("downtime", "Downtime"),
    ("sessions", "Usual number of sessions"),
    ("results_show", "When results show"),
)
# Reading order, so equal matches keep the order of the page.
ANSWERS_START = 1000
BLOCKS_PER_SECTION = 50
VOCABULARY_WORD = re.compile(r"[^\W\d_]{3,40}")
ENTRY_TABLE = SearchEntry._meta.db_table
WORD_TABLE = SearchWord._meta.db_table
UPSERT_BATCH = 300


class _Entries:
    """Makes the entries of one treatment; every entry shares its key, slug and title."""

    def __init__(self, page, publication_id: int):
        self.page = page
        self.common = {
            "publication_id": publication_id,
            "slug": page.slug,
            "title": clean(page.title),
        }

    def _entry(self, *, heading: str, **fields) -> SearchEntry:
        key = " ".join(words_of(heading))
        return SearchEntry(**self.common, heading=heading, heading_key=key, **fields)

    def summary(self) -> SearchEntry:
        lines = [clean(self.page.summary)]
        for name, label in AT_A_GLANCE:
            if value := clean(getattr(self.page, name, "") or ""):
                lines.append(f"{label}: {value}")
        return self._entry(
            kind=SearchEntry.Kind.PAGE,
            heading=clean(self.page.title),
            body="\n".join(line for line in lines if line),
            url=self.page.get_absolute_url(),
            position=0,
        )

    def section(self, section) -> list[SearchEntry]:
        parts = blocks(section.body_html)
        first = SECTION_ORDER.get(section.kind, 0) * BLOCKS_PER_SECTION + 1
        url = self.page.get_absolute_url()
        intro = parts[0]
        entries = [
            self._entry(
                kind=SearchEntry.Kind.SECTION,
                heading=section.title,
                body=intro.text,
                url=f"{url}#{section.anchor}",
                position=first,
            )
        ]
        for offset, block in enumerate(parts[1:], start=1):
            entries.append(self._block(section, block, url, first + offset))
        return entries

    def _block(self, section, block: Block, url: str, position: int) -> SearchEntry:
        return self._entry(
            kind=SearchEntry.Kind.SECTION,
            heading=block.heading or section.title,
            context=section.title,
            body=block.text,
            url=f"{url}#{block.anchor or section.anchor}",
            position=position,
        )

    def answer(self, faq, position: int) -> SearchEntry:
        return self._entry(
            kind=SearchEntry.Kind.ANSWER,
            heading=clean(faq.question),
            body=plain_text(faq.answer_html),
            url=f"{self.page.get_faq_url()}#{faq.anchor}",
            position=ANSWERS_START + position,
        )

    def all(self) -> list[SearchEntry]:
        entries = [self.summary()]
        for section in self.page.sections.all():
            entries.extend(self.section(section))
        for position, faq in enumerate(self.page.faqs.all(), start=1):
            entries.append(self.answer(faq, getattr(faq, "position", 0) or position))
        return entries


def _delete(where: str, params: list, table: str = ENTRY_TABLE) -> None:
    # Plain SQL: the ORM would first load every row to send signals nobody needs here.
    # The engine's index follows by itself (FTS5 triggers, a generated column).
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {where}", params)  # noqa: S608


def _insert(entries: list[SearchEntry]) -> None:
    SearchEntry.objects.bulk_create(entries, batch_size=500)
    remember_words(entries)


def remember_words(entries: Iterable[SearchEntry]) -> None:
    """Add the entries' new words to the vocabulary, with how often they appear there.

    Words already known are left as they are: updating the same rows again and again in
    one transaction (an import of a thousand treatments) makes PostgreSQL walk ever
    longer chains of row versions. How common a word is for ranking is asked of the
    engine (``SearchBackend.counts``); this count only orders "Did you mean" candidates.
    """
    counts: Counter[str] = Counter()
    for entry in entries:
        text = f"{entry.heading} {entry.context} {entry.title} {entry.body}".lower()
        counts.update(w for w in VOCABULARY_WORD.findall(text) if w not in STOP_WORDS)
    rows = sorted(counts.items())
    for start in range(0, len(rows), UPSERT_BATCH):
        batch = rows[start : start + UPSERT_BATCH]
        values = ", ".join(["(%s, %s, %s)"] * len(batch))
        # The same on SQLite (3.24+) and PostgreSQL.
        sql = (
            f"INSERT INTO {WORD_TABLE} (word, frequency, length) VALUES {values} "  # noqa: S608
            "ON CONFLICT (word) DO NOTHING"
        )
        params = [value for word, count in batch for value in (word, count, len(word))]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def indexed(publication: Publication) -> bool:
    """Whether a publication has entries: a treatment's content, not a page taken off."""
    return not publication.withdrawn and publication.content_type.model_class() is Treatment


def entries_of(publication: Publication) -> list[SearchEntry]:
    """The entries a treatment's publication makes, unsaved."""
    return _Entries(page_from_publication(publication), publication.pk).all()


def update_publication(publication: Publication) -> None:
    """Index ``publication`` afresh, and forget the publications of its subject that
    patients can never see again (replaced by a newer one that is live now).

    A scheduled or unsigned publication is indexed too: searches show only what
    ``Publication.objects.public()`` holds at that moment (``backends``).
    """
    with transaction.atomic():
        _delete("publication_id = %s", [publication.pk])
        if indexed(publication):
            _insert(entries_of(publication))
        prune(publication.content_type_id, publication.object_id)


def worth_keeping(now: datetime.datetime | None = None):
    """Publications whose entries may still be shown: each subject's current one and
    those waiting for their time. Older ones have been replaced for good."""
    now = now or timezone.now()
    current = Publication.objects.current(now).values("pk")
    return Publication.objects.filter(Q(pk__in=current) | Q(live_from__gt=now))


def prune(content_type_id: int, object_id: int) -> None:
    """Drop the entries of one subject's publications that were replaced for good."""
    mine = Publication.objects.filter(content_type_id=content_type_id, object_id=object_id)
    stale = mine.exclude(pk__in=worth_keeping().values("pk")).values("pk")
    SearchEntry.objects.filter(publication__in=stale).delete()


def rebuild() -> tuple[int, int]:
    """Empty the index and the vocabulary and index every treatment publication worth
    keeping afresh; returns how many entries and publications."""
    made = publications = 0
    wanted = (
        worth_keeping()
        .of_model(Treatment)
        .filter(withdrawn=False)
        .select_related("content_type", "hero_image", "signoff")
        .order_by("pk")
    )
    with transaction.atomic():
        _delete("1 = 1", [])
        _delete("1 = 1", [], table=WORD_TABLE)
        for publication in wanted.iterator(chunk_size=100):
            entries = entries_of(publication)
            _insert(entries)
            made += len(entries)
            publications += 1
        backend().refresh()
        backend().gather_statistics()
    return made, publications


def gather_statistics() -> None:
    """After a change to many entries at once (an import): see
    ``SearchBackend.gather_statistics``."""
    backend().gather_statistics()
