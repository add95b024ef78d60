"""The number that moves on whenever public content changes (see ``content_version``)."""

from django.db import models


class ContentVersion(models.Model):
    """A number that moves on whenever anything a public page shows changes.

    Cached pages remember the number they were made at, so a different number means
    stale. It lives in the database, not in a per-process cache, so every gunicorn
    worker and every app server sees the same number at once.
    """

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "content version"

    def __str__(self) -> str:
        return str(self.number)
