"""A deployment. Refuses to start without a secret key and allowed hosts.

Served over HTTPS only, usually behind a proxy that terminates TLS: see the
``DJANGO_SECURE_*`` and ``DJANGO_HSTS_*`` variables in ``environment.py`` and
``docs/operations.md``. ``manage.py check --deploy`` reports no issues with these
settings and a correct environment (tests/test_security_headers.py runs it), and errors
for a wrong one (``clinic_site/checks.py``, tests/test_settings.py).
"""

from django.core.exceptions import ImproperlyConfigured

from clinic_site.settings import environment as env
from clinic_site.settings.base import *  # noqa: F403
from clinic_site.settings.base import ALLOWED_HOSTS, DEBUG, SECRET_KEY

if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production settings.")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY: production settings will not invent one.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "Set DJANGO_ALLOWED_HOSTS to the site's host names, comma-separated."
    )

# Patients see only what a named clinician approved; `check --deploy` warns if turned off.
CLINICAL_SIGNOFF_REQUIRED = env.CLINICAL_SIGNOFF_REQUIRED is not False

# Review reminders always go by SMTP here: DJANGO_EMAIL_HOST, or a mail relay on this
# server (localhost:25) when it is not set (docs/operations.md).
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env.EMAIL_HOST or "localhost",
            "port": env.EMAIL_PORT if env.EMAIL_HOST else 25,
            "username": env.EMAIL_HOST_USER,
            "password": env.EMAIL_HOST_PASSWORD,
            "use_tls": env.EMAIL_USE_TLS and bool(env.EMAIL_HOST),
        },
    }
}

# No stand-in here: canonical links, the sitemap and QR codes must carry the real address.
# clinic_site/checks.py refuses an empty, plain-http or loopback one (check --deploy).
SITE_BASE_URL = env.SITE_BASE_URL_FROM_ENV
CSRF_TRUSTED_ORIGINS = env.CSRF_TRUSTED_ORIGINS_FROM_ENV or (
    [env.origin_of(SITE_BASE_URL)] if SITE_BASE_URL else []
)

SECURE_SSL_REDIRECT = env.SECURE_SSL_REDIRECT
# Load balancers often probe over plain http: answer them rather than redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = env.SECURE_PROXY_SSL_HEADER
SECURE_HSTS_SECONDS = env.HSTS_SECONDS
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.HSTS_INCLUDE_SUBDOMAINS
SECURE_HSTS_PRELOAD = env.HSTS_PRELOAD

# Cookies only ever travel over HTTPS. The __Host- prefix makes the browser refuse them
# unless they are Secure, for this exact host and the whole site: a subdomain cannot
# plant a session or a CSRF token.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
