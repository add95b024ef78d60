from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "treatments"
    verbose_name = "Treatments"

    def ready(self) -> None:
        # Registers revisions; connects receivers (former addresses, the search index).
        # The page cache watches this app's models itself (settings.PAGE_CACHE["WATCH"]).
        from treatments import checks  # noqa: F401
        from treatments.editorial import history  # noqa: F401
        from treatments.models import signals  # noqa: F401
        from treatments.public.search import signals as search_signals  # noqa: F401
