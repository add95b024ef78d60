"""The search index: what a published treatment puts in it, and keeping it in step.

``update_treatment(page)`` takes a treatment as patients see it: anything with
``title``, ``slug``, ``summary``, ``get_absolute_url()``, ``get_faq_url()``,
``sections.all()`` (``kind``, ``title``, ``anchor``, ``body_html``) and ``faqs.all()``
(``question``, ``anchor``, ``answer_html``), such as a ``Treatment`` or a published
snapshot of one. It replaces every entry of that treatment in one transaction:

- the page itself: the title, the summary and the at-a-glance facts;
- each section: the text before its first sub-heading, and each sub-heading's block
  (linked by the sub-heading's own anchor);
- each answer, linked on the questions page.

``remove_treatment(key or slug)`` takes them all out. The words of every entry join the
vocabulary that "Did you mean" corrects from. The engine's own index (FTS5 or the
``tsvector`` column) follows the entries by itself.
"""

import datetime
import re
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction

from treatments.models import SearchEntry, SearchWord
from treatments.models.section_kinds import SECTION_ORDER
from treatments.public.search.backends import backend
from treatments.public.search.query import STOP_WORDS, words_of
from treatments.public.search.text import Block, blocks, clean, plain_text

PAGE_SOURCE = "summary"
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


def section_source(section) -> str:
    return f"section:{section.pk or section.kind}"


def answer_source(faq) -> str:
    return f"faq:{faq.pk or faq.anchor}"


class _Entries:
    """Makes the entries of one treatment; every entry shares its key, slug and title."""

    def __init__(self, page, key: int, visible_from: datetime.datetime | None):
        self.page = page
        self.common = {
            "treatment_key": key,
            "slug": page.slug,
            "title": clean(page.title),
            "visible_from": visible_from,
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
            source=PAGE_SOURCE,
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
                source=section_source(section),
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
            source=section_source(section),
            kind=SearchEntry.Kind.SECTION,
            heading=block.heading or section.title,
            context=section.title,
            body=block.text,
            url=f"{url}#{block.anchor or section.anchor}",
            position=position,
        )

    def answer(self, faq, position: int) -> SearchEntry:
        return self._entry(
            source=answer_source(faq),
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


def _key_of(page, key: int | None) -> int:
    if key is None and page.pk is None:
        raise ValueError("Pass key= (the treatment's id) for a page that has no pk.")
    return page.pk if key is None else key


def _visible_from(page, visible_from):
    return getattr(page, "publish_at", None) if visible_from is None else visible_from


def _delete(where: str, params: list, table: str = ENTRY_TABLE) -> None:
    # Plain SQL: the ORM would first load every row to send signals nobody needs here.
    # The engine's index follows by itself (FTS5 triggers, a generated column).
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {where}", params)  # noqa: S608


def _insert(entries: list[SearchEntry]) -> None:
    SearchEntry.objects.bulk_create(entries)
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


def update_treatment(page, *, key: int | None = None, visible_from=None) -> None:
    """Index a published treatment, replacing whatever was indexed for it.

    ``key`` is the treatment's id (default ``page.pk``); ``visible_from`` when it goes
    live if that is later than now (default ``page.publish_at`` when it has one).
    """
    key = _key_of(page, key)
    entries = _Entries(page, key, _visible_from(page, visible_from)).all()
    with transaction.atomic():
        _delete("treatment_key = %s", [key])
        _insert(entries)


def remove_treatment(key_or_slug: int | str) -> None:
    """Take a treatment out of search: by its id, or by its slug."""
    column = "slug" if isinstance(key_or_slug, str) else "treatment_key"
    _delete(f"{column} = %s", [key_or_slug])


def update_section(page, section, *, key: int | None = None, visible_from=None) -> None:
    """Re-index one section of an indexed treatment (a save of that section alone)."""
    key = _key_of(page, key)
    entries = _Entries(page, key, _visible_from(page, visible_from)).section(section)
    with transaction.atomic():
        _delete("treatment_key = %s AND source = %s", [key, section_source(section)])
        _insert(entries)


def update_answer(page, faq, *, key: int | None = None, visible_from=None) -> None:
    """Re-index one answer of an indexed treatment."""
    key = _key_of(page, key)
    position = getattr(faq, "position", 0)
    entry = _Entries(page, key, _visible_from(page, visible_from)).answer(faq, position)
    with transaction.atomic():
        _delete("treatment_key = %s AND source = %s", [key, answer_source(faq)])
        _insert([entry])


def remove_source(key: int, source: str) -> None:
    """Take out the entries one section or answer made."""
    _delete("treatment_key = %s AND source = %s", [key, source])


def rebuild(pages: Iterable) -> int:
    """Empty the index and the vocabulary and index ``pages`` afresh; returns how many
    entries were made."""
    made = 0
    with transaction.atomic():
        _delete("1 = 1", [])
        _delete("1 = 1", [], table=WORD_TABLE)
        for page in pages:
            entries = _Entries(page, _key_of(page, None), _visible_from(page, None)).all()
            _insert(entries)
            made += len(entries)
        backend().refresh()
    return made
