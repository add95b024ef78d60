"""Search synonyms: the words patients use, and the words our pages use for them."""

from django.contrib import admin

from treatments.editorial.admin.forms import TEXT_BOXES
from treatments.models import SearchSynonym


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    """A search for the phrase also looks for what it means. Saving one takes effect at
    once: it moves cached results on to a new generation (``public.search.freshness``)."""

    formfield_overrides = TEXT_BOXES
    list_display = ["phrase", "means", "updated_at"]
    search_fields = ["phrase", "means"]
    fields = ["phrase", "means"]
