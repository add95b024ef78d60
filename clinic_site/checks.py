"""System checks: production refuses settings that would serve patients wrong links or
weaken HTTPS.

The checks about a deployment are tagged ``deploy``: ``manage.py check --deploy`` runs
them with Django's own, and the gunicorn unit of docs/single-server.md runs that before
it starts the site, so a wrong environment stops the start instead of serving patients.
Each message says which variable to set and to what.
"""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.http.request import validate_host

# Django's own warning (security.W009) asks for the same; here it is an error.
MIN_SECRET_KEY_LENGTH = 50
# What the browsers' preload list requires of a site's header (hstspreload.org).
PRELOAD_MIN_SECONDS = 31_536_000


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _site_base_url_problem(url: str) -> tuple[str, str] | None:
    """What is wrong with SITE_BASE_URL for patients, as (id, message), or None."""
    if not url:
        return "clinic.E001", "SITE_BASE_URL is not set."
    parts = urlsplit(url)
    if parts.scheme != "https":
        return "clinic.E002", f"SITE_BASE_URL={url!r} does not start with https://."
    host = parts.hostname or ""
    if not host:
        return "clinic.E003", f"SITE_BASE_URL={url!r} names no host."
    if _is_loopback(host):
        return "clinic.E004", f"SITE_BASE_URL={url!r} points at this machine (loopback)."
    if parts.path.strip("/") or parts.query or parts.fragment:
        return "clinic.E005", f"SITE_BASE_URL={url!r} has a path; the site lives at the root."
    return None


@checks.register(checks.Tags.security, deploy=True)
def check_site_base_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The public address in canonical links, the sitemap, JSON-LD and QR codes."""
    url = settings.SITE_BASE_URL
    problem = _site_base_url_problem(url)
    if problem is not None:
        check_id, message = problem
        return [
            checks.Error(
                message,
                hint=(
                    "Set SITE_BASE_URL to the address patients use, e.g. "
                    "https://clinic.example: canonical links, the sitemap and printed QR "
                    "codes carry it."
                ),
                id=check_id,
            )
        ]
    host = urlsplit(url).hostname or ""
    if not validate_host(host, settings.ALLOWED_HOSTS):
        return [
            checks.Warning(
                f"The host of SITE_BASE_URL ({host}) is not in DJANGO_ALLOWED_HOSTS.",
                hint="Add it, or the links the site prints lead to a 400 page.",
                id="clinic.W006",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Sessions and CSRF tokens are signed with it: a short one can be guessed."""
    if len(settings.SECRET_KEY) >= MIN_SECRET_KEY_LENGTH:
        return []
    return [
        checks.Error(
            f"DJANGO_SECRET_KEY has {len(settings.SECRET_KEY)} characters; "
            f"at least {MIN_SECRET_KEY_LENGTH} are needed.",
            hint="Make one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'",
            id="clinic.E010",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_hsts(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Subdomains and preload only as the last step of the ramp, and only when asked."""
    seconds = settings.SECURE_HSTS_SECONDS
    found = []
    if not seconds and (settings.SECURE_HSTS_INCLUDE_SUBDOMAINS or settings.SECURE_HSTS_PRELOAD):
        found.append(
            checks.Warning(
                "DJANGO_HSTS_INCLUDE_SUBDOMAINS or DJANGO_HSTS_PRELOAD is on while HSTS is off.",
                hint="They do nothing until DJANGO_HSTS_SECONDS is set (docs/operations.md).",
                id="clinic.W020",
            )
        )
    if (
        settings.SECURE_HSTS_PRELOAD
        and seconds
        and (seconds < PRELOAD_MIN_SECONDS or not settings.SECURE_HSTS_INCLUDE_SUBDOMAINS)
    ):
        found.append(
            checks.Error(
                "DJANGO_HSTS_PRELOAD is on, but the preload list needs "
                f"DJANGO_HSTS_SECONDS of at least {PRELOAD_MIN_SECONDS} and "
                "DJANGO_HSTS_INCLUDE_SUBDOMAINS=1.",
                hint="Finish the ramp first (docs/operations.md), or set DJANGO_HSTS_PRELOAD=0.",
                id="clinic.E021",
            )
        )
    return found


@checks.register(checks.Tags.security, deploy=True)
def check_proxy_count(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Behind a proxy, the client's address is in X-Forwarded-For, not the connection."""
    if settings.SECURE_PROXY_SSL_HEADER is None or settings.TRUSTED_PROXY_COUNT > 0:
        return []
    return [
        checks.Warning(
            "DJANGO_SECURE_PROXY_SSL_HEADER says a proxy is in front, but "
            "DJANGO_TRUSTED_PROXY_COUNT is 0: every request seems to come from the proxy.",
            hint=(
                "Set DJANGO_TRUSTED_PROXY_COUNT to the number of proxies that append to "
                "X-Forwarded-For: 1 for Caddy or nginx on the same server."
            ),
            id="clinic.W030",
        )
    ]
