"""Every environment variable the site reads, in one place, each with a cast.

Settings modules import the values from here instead of calling ``os.environ``
themselves, so the full list of knobs a deployment can turn is this file.
"""

import os
import re
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no variable; anything unrecognised is an error, not a silent False."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a yes/no value (use 1 or 0).")


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list, ignoring blanks."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """Read a whole number; a typo is an error, not a silent default."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be {minimum} or more.")
    return value


def proxy_ssl_header(header: str) -> tuple[str, str] | None:
    """Turn ``X-Forwarded-Proto`` into SECURE_PROXY_SSL_HEADER's ``("HTTP_X_FORWARDED_PROTO",
    "https")``; empty means no proxy is trusted to say the request came over HTTPS."""
    header = header.strip()
    if not header:
        return None
    if not re.fullmatch(r"[A-Za-z0-9-]+", header):
        raise ImproperlyConfigured(
            f"DJANGO_SECURE_PROXY_SSL_HEADER={header!r} must be a header name such as "
            "X-Forwarded-Proto."
        )
    return ("HTTP_" + header.upper().replace("-", "_"), "https")


def admin_path(raw: str) -> str:
    """The admin's URL prefix as Django's path() wants it: ``staff/desk/``, never ``/``."""
    path = raw.strip().strip("/")
    segments = path.split("/")
    if not path or any(
        not re.fullmatch(r"[A-Za-z0-9._~-]+", segment) or set(segment) == {"."}
        for segment in segments
    ):
        raise ImproperlyConfigured(
            f"DJANGO_ADMIN_PATH={raw!r} must be a URL path such as 'admin/' or 'staff-desk/'."
        )
    return f"{path}/"


def origin_of(url: str) -> str:
    """``https://clinic.example/some/path`` -> ``https://clinic.example``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# SQLite tuned for a site that is read by the public while staff save in the admin:
# - WAL: readers never wait for a writer, and a writer never waits for readers.
# - synchronous=NORMAL is durable in WAL mode except for the last commits on power loss.
# - IMMEDIATE: a transaction takes the write lock when it begins, so two writers queue
#   on the busy timeout instead of one failing with "database is locked" mid-transaction.
# - timeout: how long (seconds) a writer waits for the lock before giving up.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


def _sqlite_query_options(options: dict) -> dict:
    """``?timeout=5`` in the URL arrives as text; sqlite3.connect wants a number."""
    if "timeout" in options:
        try:
            options["timeout"] = float(options["timeout"])
        except ValueError:
            raise ImproperlyConfigured(
                f"DATABASE_URL timeout={options['timeout']!r} is not a number of seconds."
            ) from None
    return options


def database_from_url(url: str) -> dict:
    """Turn ``sqlite:///path`` or ``postgres://user:pass@host:port/name`` into DATABASES['default'].

    A relative SQLite path is taken from the project root.
    """
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    if parts.scheme == "sqlite":
        raw_path = unquote(parts.path)
        # sqlite:///relative/db and sqlite:////absolute/db, as dj-database-url reads them.
        path = Path(raw_path[1:]) if raw_path.startswith("/") else Path(raw_path)
        if not path.is_absolute():
            path = BASE_DIR / path
        if path.parent == VAR_DIR:
            # var/ is the project's own, git-ignored folder: a fresh clone has none yet.
            # Anywhere else a missing folder stays an error, not a silent new database.
            VAR_DIR.mkdir(exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {**SQLITE_OPTIONS, **_sqlite_query_options(options)},
            # Each worker keeps its connection: opening one runs the PRAGMAs above, which
            # cost several times what a page served from the page cache does.
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": unquote(parts.hostname or ""),
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parts.scheme!r} is not supported; use sqlite:/// or postgres://."
    )


# Seconds Redis may take to connect or answer before the page cache gives up on it and
# makes the page instead (clinic_site/pagecache/): a slow cache must not stall the site.
REDIS_TIMEOUT_SECONDS = 0.25
# Files the cache in a folder keeps before it removes a third at random: some 2,000 pages
# in three encodings, and their versions.
FILE_CACHE_MAX_ENTRIES = 6000


def cache_from_url(url: str) -> dict:
    """Turn ``CACHE_URL`` into CACHES['default'].

    ``file:///absolute/folder`` keeps the cache in files, shared by every process of one
    machine: the default, in ``var/cache/``. ``redis://host:port/db`` (``rediss://`` for
    TLS) shares one cache between every process and server. The page cache keeps its
    versions there, so it must be one of these two. ``locmem://`` keeps a cache in each
    process: right for a single process only (the test suite). ``dummy://`` caches
    nothing.
    """
    parts = urlsplit(url)
    scheme = parts.scheme
    if scheme == "file":
        if parts.netloc or not parts.path.startswith("/"):
            raise ImproperlyConfigured(
                f"CACHE_URL={url!r}: use file:///absolute/folder (three slashes)."
            )
        return {
            # Django's FileBasedCache, leaner to read and with an add() that is safe
            # between processes (clinic_site/pagecache/filecache.py).
            "BACKEND": "clinic_site.pagecache.filecache.FileCache",
            "LOCATION": unquote(parts.path),
            "OPTIONS": {"MAX_ENTRIES": FILE_CACHE_MAX_ENTRIES},
        }
    if scheme == "locmem":
        # About 500 pages in their three encodings, some 25 MB at most per process.
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 1500},
        }
    if scheme in {"redis", "rediss"}:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
            },
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL scheme {scheme!r} is not supported; use file:///folder, redis://, "
        "locmem:// or dummy://."
    )


DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=[])
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
# The port gunicorn listens on in `make run` (clinic_site/gunicorn.conf.py reads it too).
PORT = env_int("PORT", 8000, minimum=1)
# The public address of the site, used for canonical links, the sitemap and QR codes.
# Production must set it (https, not loopback: clinic_site/checks.py); elsewhere it
# follows PORT, so `PORT=8080 make run` links to http://127.0.0.1:8080.
SITE_BASE_URL_FROM_ENV = env_str("SITE_BASE_URL").strip().rstrip("/")
SITE_BASE_URL = SITE_BASE_URL_FROM_ENV or f"http://127.0.0.1:{PORT}"
# Where collectstatic puts the hashed, compressed files WhiteNoise serves.
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT") or VAR_DIR / "staticfiles")

# Caching: the cache backend, and how long browsers and CDNs may reuse a page without
# asking whether it changed (0: they ask every time and get a 304 while it has not).
# The default, files under var/, is shared by every gunicorn worker of this machine.
DEFAULT_CACHE_URL = f"file://{VAR_DIR / 'cache'}"
CACHE_URL = env_str("CACHE_URL") or DEFAULT_CACHE_URL
PAGE_MAX_AGE = env_int("DJANGO_PAGE_MAX_AGE", 0)

# Security. Production switches these on; dev (plain http on 127.0.0.1) leaves them off.
# Behind a TLS-terminating proxy, the header it sets to say the request came over HTTPS.
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(env_str("DJANGO_SECURE_PROXY_SSL_HEADER"))
# Off only where something in front already redirects, or for a local load test.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# HSTS is off until the operator turns it on: browsers remember the header for as long as
# it says, so a certificate problem on day one would lock patients out for that long. The
# ramp (docs/operations.md): 300, then 86400 (a day), then 31536000 (a year). Subdomains
# and the browsers' preload list only when asked for by name: both are hard to undo.
HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0)
HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=False)
HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=False)
# Origins allowed to POST forms (the admin), e.g. https://clinic.example; by default the
# origin of SITE_BASE_URL.
CSRF_TRUSTED_ORIGINS_FROM_ENV = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
CSRF_TRUSTED_ORIGINS = CSRF_TRUSTED_ORIGINS_FROM_ENV or [origin_of(SITE_BASE_URL)]

# Staff sign-in.
# The admin's address: something other than admin/ keeps it out of most scanners' lists.
ADMIN_PATH = admin_path(env_str("DJANGO_ADMIN_PATH", "admin/"))
# A staff session ends after this many seconds without a request.
SESSION_IDLE_SECONDS = env_int("DJANGO_SESSION_IDLE_SECONDS", 60 * 60, minimum=60)
# Failed sign-ins for one username before it is locked out, and for how long.
LOGIN_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("DJANGO_LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
# Reverse proxies in front of the site that append to X-Forwarded-For: the client's address
# is that many entries from the right (clinic_site/proxies.py). 0 uses the connection's
# address, which behind a proxy is the proxy's. Caddy or nginx on the same server: 1; a
# load balancer in front of nginx: 2 (docs/operations.md, "Behind a reverse proxy").
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)

# Patient feedback ("Is this page helpful?"): days a comment is kept before
# `manage.py prune_feedback` deletes its text (the yes/no answer stays, for the counts).
FEEDBACK_RETENTION_DAYS = env_int("FEEDBACK_RETENTION_DAYS", 180, minimum=1)

# Logging: JSON lines on stdout at this level.
LOG_LEVEL = env_str("DJANGO_LOG_LEVEL", "INFO").upper()

# Whether only clinician-approved pages reach patients: unset, production says yes and
# every other settings module no (treatments/models/workflow.py).
CLINICAL_SIGNOFF_REQUIRED: bool | None = env_bool("DJANGO_CLINICAL_SIGNOFF_REQUIRED", None)

# Email (clinical review reminders): an SMTP server, or nothing sent when unset.
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "website@localhost")
