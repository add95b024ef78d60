"""The names and addresses of a ModelAdmin's views, as Django's admin names them."""

from django.urls import reverse


class NamedUrlsMixin:
    """For a ModelAdmin that adds views of its own beside Django's (change, history)."""

    def _url_name(self, view: str) -> str:
        """``view``'s URL name for this model, e.g. ``treatments_treatment_compare``."""
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def _url(self, view: str, *args) -> str:
        return reverse(f"{self.admin_site.name}:{self._url_name(view)}", args=args)
