"""Logs as JSON lines on stdout, each carrying the id of the request it belongs to.

One line is one event, so a log shipper (or ``grep`` and ``jq``) can read them without
guessing where a traceback ends. The request id comes from ``RequestIdMiddleware``
through a context variable, so any logger called while a request is handled is tagged
with it without being passed the request. Staff quote the id from the 500 page; it
finds the one line with the traceback.

This module reads no Django settings: gunicorn's master process uses it too.
"""

import contextvars
import datetime
import json
import logging

from django.core.exceptions import ImproperlyConfigured

# The id of the request being handled in this thread or task; None outside a request.
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)

# Attributes every LogRecord has; anything else was passed with extra= and is logged.
_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    """Give every record the current request's id (or None)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            # django.request logs 4xx/5xx answers after the middleware has finished, but
            # hands over the request, which still carries its id.
            request = getattr(record, "request", None)
            record.request_id = request_id_var.get() or getattr(request, "request_id", None)
        return True


def _jsonable(value):
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, extras, and the
    traceback as one string field."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        # django.request passes the request object: log what it was, not its repr.
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            entry["method"] = request.method
            entry["path"] = request.path
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and key != "request" and key not in entry:
                entry[key] = _jsonable(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


def _json_to_stdout(**handler) -> dict:
    """The part both configurations share: one handler writing JSON lines to stdout."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "clinic_site.logs.JsonFormatter"}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
                **handler,
            }
        },
    }


def logging_config(level: str = "INFO") -> dict:
    """The LOGGING setting: everything to stdout as JSON, once."""
    number = logging.getLevelNamesMapping().get(level)
    if number is None:
        raise ImproperlyConfigured(f"DJANGO_LOG_LEVEL={level!r} is not a logging level, e.g. INFO.")
    return {
        **_json_to_stdout(filters=["request_id"]),
        "filters": {"request_id": {"()": "clinic_site.logs.RequestIdFilter"}},
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # Django's defaults add a console handler of their own under DEBUG: replace it so
            # each event is written once, by the root handler.
            "django": {"handlers": [], "level": level, "propagate": True},
            # 4xx answers are in the request log already; errors (with traceback) stay here.
            "django.request": {
                "handlers": [],
                "level": max(number, logging.ERROR),
                "propagate": True,
            },
            "django.db.backends": {"level": "WARNING"},
            # Failed sign-ins and lockouts are warnings; its start-up banner is noise.
            "axes": {"level": max(number, logging.WARNING)},
        },
    }


def gunicorn_logging_config() -> dict:
    """gunicorn's own messages (worker start, timeouts) as JSON lines on stdout too."""
    return {
        **_json_to_stdout(),
        # gunicorn merges this over its defaults: the root logger must name our handler.
        "root": {"handlers": ["stdout"], "level": "INFO"},
        "loggers": {
            "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        },
    }
