"""The project as an app, so that Django runs its system checks (``clinic_site/checks.py``)."""

from django.apps import AppConfig


class ClinicSiteConfig(AppConfig):
    name = "clinic_site"
    verbose_name = "Clinic site"

    def ready(self) -> None:
        from clinic_site import checks  # noqa: F401 - registers the checks
