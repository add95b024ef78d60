from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "treatments"
    verbose_name = "Treatments"

    def ready(self) -> None:
        # Registers revisions; connects receivers (former addresses, the content version).
        from . import content_version, history, signals  # noqa: F401
