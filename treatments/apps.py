from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "treatments"
    verbose_name = "Treatments"

    def ready(self) -> None:
        from . import history, signals  # noqa: F401 - registers revisions, connects receivers
