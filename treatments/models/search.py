"""What site search reads: one entry per place a patient can be sent, the words it
knows for "Did you mean", and the synonyms staff keep.

The entries hold plain text. The database's own full-text engine indexes them: an FTS5
table kept in step by triggers on SQLite, a weighted ``tsvector`` column that PostgreSQL
generates itself (both made by migration 0010, not by these models), and on PostgreSQL
the headings' vectors in a narrow table that triggers keep in step (0015). A later migration
that rebuilds ``treatments_searchentry`` on SQLite drops its triggers and must make them
again; ``manage.py rebuild_search_index`` refills the index in any case.
"""

from django.db import models


class SearchEntry(models.Model):
    """A place search can send a patient to: a treatment's summary, a section, a block
    under a sub-heading, or an answer, as one publication of it reads. Written only by
    ``public.search.index``.

    Entries are made from a treatment's live and scheduled publications (never from the
    rows staff edit), and a search returns only those of publications patients may see
    at that moment (``Publication.objects.public()``), so a scheduled or unsigned one
    is indexed but never shown until its time comes or a clinician signs it.
    """

    class Kind(models.TextChoices):
        PAGE = "page", "Treatment page"
        SECTION = "section", "Section"
        ANSWER = "answer", "Answer"

    # Deleting a publication deletes its entries in the same statement (no signals on
    # this model, so Django deletes them without loading them).
    publication = models.ForeignKey("Publication", on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=80, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind)
    # Indexed text, strongest first: the entry's own heading (the question, the section
    # and sub-heading), the treatment's title, then the body as plain sentences.
    heading = models.CharField(max_length=300)
    # The heading's words in lower case: a query that is exactly a heading ("aftercare",
    # "microneedling") puts that entry first.
    heading_key = models.CharField(max_length=300, db_index=True)
    title = models.CharField(max_length=120)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300)
    # The section a sub-heading block sits in, shown under the heading.
    context = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "search entry"
        verbose_name_plural = "search entries"

    def __str__(self) -> str:
        return self.heading


class SearchWord(models.Model):
    """A word that appears in the indexed text, with roughly how often: where a
    mistyped word finds its "Did you mean". Counts only grow until the next rebuild."""

    word = models.CharField(max_length=40, unique=True)
    frequency = models.PositiveIntegerField(default=0)
    length = models.PositiveSmallIntegerField(db_index=True)

    class Meta:
        verbose_name = "search word"

    def __str__(self) -> str:
        return self.word


class SearchSynonym(models.Model):
    """A word or phrase patients use, and the words our pages use for it.

    One way: a search for "blood thinners" also looks for "warfarin" and "apixaban", but a
    search for "apixaban" looks for "blood thinners" only if a row of its own says so.
    Patients' words point at the pages' words, so a search for a broad word such as
    "medicines" is not filled with every medicine a row names.
    """

    phrase = models.CharField(
        "word or phrase",
        max_length=100,
        unique=True,
        help_text="What a patient might type, e.g. 'blood thinners' or 'Roaccutane'.",
    )
    means = models.TextField(
        "also search for",
        help_text=(
            "Words or phrases with the same meaning, separated by commas, e.g. "
            "'anticoagulants, warfarin, apixaban'."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["phrase"]
        verbose_name = "search synonym"

    def __str__(self) -> str:
        return self.phrase

    def save(self, *args, **kwargs) -> None:
        self.phrase = " ".join(self.phrase.lower().split())
        super().save(*args, **kwargs)

    @property
    def alternatives(self) -> list[str]:
        """What the phrase means, lower case, each once, in order."""
        parts = self.means.split(",")
        return list(dict.fromkeys(" ".join(p.lower().split()) for p in parts if p.strip()))
