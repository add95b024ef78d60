"""What search asks of a database's full-text engine.

Entries are written through the ORM on every database (``public.search.index``); each
engine keeps its own index of them in step by itself (migration 0010). A backend only
reads: the best entries for some concepts, their text with the matches marked, and
whether a word is found at all.
"""

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from treatments.public.search.query import Concept, Plan


@dataclass(frozen=True, eq=False)
class Visible:
    """The publications patients may read, as one search sees them: ``query`` selects
    their ids, and ``generation`` is that of the search's results (``freshness``), which
    moves on whenever they may have changed, so ids read once may be kept under it."""

    query: QuerySet
    generation: str


class SearchBackend(ABC):
    """One database's full-text search. Get the one for a connection with ``backend()``."""

    @abstractmethod
    def ranked(self, plan: Plan, *, visible: Visible, limit: int) -> list[int]:
        """Ids of the entries of the publications ``visible`` selects (as for
        ``readable``) that match any of ``plan.required`` (in their heading, when
        ``plan.headings_only``), best first by all of ``plan.concepts``: the filter,
        the ranking and the limit are applied by the database."""

    def readable(self, entries: QuerySet, visible: Visible) -> QuerySet:
        """``entries`` narrowed to those of the publications ``visible`` selects."""
        return entries.filter(publication__in=visible.query)

    @abstractmethod
    def marked(self, concepts: Sequence[Concept], ids: Sequence[int]) -> dict[int, str]:
        """The body of each entry in ``ids`` with every match between ``MARK_START`` and
        ``MARK_END`` (``public.search.text``), as the engine's stemming found them."""

    @abstractmethod
    def counts(self, words: Sequence[str], cap: int) -> dict[str, int]:
        """How many entries each word matches (stemmed), counting no further than ``cap``:
        one statement, and never more than ``cap`` rows read for a word."""

    @abstractmethod
    def finds(self, word: str) -> bool:
        """Whether any entry matches ``word`` as the engine reads it (stemmed)."""

    def refresh(self) -> None:  # noqa: B027 - most engines need nothing here
        """Make the engine's index whole again from the entries (after a rebuild)."""

    def gather_statistics(self) -> None:  # noqa: B027 - most engines need nothing here
        """After many entries changed at once: the database's statistics of the index
        gathered afresh, so that its plans (and ``counts``) see them at once rather than
        whenever it next looks by itself."""
