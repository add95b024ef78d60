"""An admin save while the database is busy: the editor's page back, nothing lost.

SQLite lets one connection write at a time. A save waits for the write lock for up to the
busy timeout (``timeout`` in ``SQLITE_OPTIONS``, 20 seconds); a long import or a stuck
process can hold it longer, and then the database answers "database is locked". Without
this mixin the admin would answer 500 and the editor would lose what they typed. With it
they get the same page back: the form and its inlines as they typed them, and a message
that nothing was saved and to press Save again in a minute.

The page is made again outside any transaction (reading needs no lock in WAL mode), with
a form that cannot be saved, so nothing here waits for the lock a second time.

A page that only reads (the list, an edit page opened) never asks for the lock at all.
django-reversion's admin wraps the list and the edit pages in a revision, which is a
transaction; with SQLite's IMMEDIATE mode a transaction takes the write lock as it begins,
so without ``create_revision`` below those pages waited the whole busy timeout and the
list then failed. Django's own edit view opens no transaction for GET and HEAD either.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError

from treatments.editorial.sessions import is_busy

logger = logging.getLogger(__name__)

BUSY_MESSAGE = (
    "The website is busy, so nothing was saved. Your changes are still on this page. "
    "Please wait a minute, then press Save again."
)
# Browsers never fill a file box in again.
BUSY_FILE_MESSAGE = " Choose the picture file again before you press Save."
BUSY_CODE = "database_busy"
# Requests that change nothing (as Django's changeform_view counts them).
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Set on the request while its page is made again after a busy save.
_BUSY_FLAG = "database_busy"


def unsavable(form_class: type[forms.BaseForm]) -> type[forms.BaseForm]:
    """``form_class``, except that it is never valid: the page shows, nothing is saved.

    Its own ``clean`` is skipped too: it may need the lock (the treatment form's edit
    check reads the row inside a transaction).
    """

    class BusyForm(form_class):
        def clean(self):
            raise ValidationError(BUSY_MESSAGE, code=BUSY_CODE)

    BusyForm.__name__ = form_class.__name__
    return BusyForm


class BusyMixin:
    """For ModelAdmins: a busy database gives the editor their page back, not a 500.

    Put it first among the bases, so it also covers the transactions that
    django-reversion's ``VersionAdmin`` opens around the add and change views.
    """

    @contextmanager
    def create_revision(self, request) -> Iterator[None]:
        """django-reversion's revision around a view, except for a request that only
        reads: it saves nothing to record, and must not wait for the write lock."""
        if request.method in READ_ONLY_METHODS:
            yield
            return
        with super().create_revision(request):
            yield

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except DatabaseError as exc:
            if not is_busy(exc):
                raise
            return self._busy_page(request, None, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        try:
            return super().change_view(request, object_id, form_url, extra_context)
        except DatabaseError as exc:
            if not is_busy(exc):
                raise
            return self._busy_page(request, object_id, form_url, extra_context)

    def _busy_page(self, request, object_id, form_url, extra_context):
        logger.warning(
            "Admin save not made: the database stayed locked past its busy timeout.",
            extra={
                "cause": BUSY_CODE,
                "model": self.opts.label,
                "object_id": object_id,
                "http_method": request.method,
            },
        )
        if request.method == "POST":
            setattr(request, _BUSY_FLAG, True)
            message = BUSY_MESSAGE + (BUSY_FILE_MESSAGE if request.FILES else "")
            messages.warning(request, message)
        # Outside a transaction: a page to read needs no lock, and the form cannot save.
        return self._changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        return unsavable(form_class) if getattr(request, _BUSY_FLAG, False) else form_class

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if getattr(request, _BUSY_FLAG, False):
            # Not "Please correct the error below": there is nothing to correct, and the
            # message at the top of the page says what happened.
            busy = context["adminform"].form.errors.get(NON_FIELD_ERRORS)
            context["errors"] = [errors for errors in context["errors"] if errors is not busy]
        return super().render_change_form(request, context, add, change, form_url, obj)
