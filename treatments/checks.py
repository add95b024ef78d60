"""System checks of the app's own rules, seen in ``manage.py check --deploy``."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def clinical_signoff(app_configs, **kwargs) -> list:
    """Production must not publish pages no clinician approved."""
    if settings.CLINICAL_SIGNOFF_REQUIRED:
        return []
    return [
        Warning(
            "CLINICAL_SIGNOFF_REQUIRED is off: editors can publish pages no clinician has "
            "approved (they then say so to patients).",
            hint="Unset DJANGO_CLINICAL_SIGNOFF_REQUIRED (production turns it on) or set it to 1.",
            id="treatments.W001",
        )
    ]
