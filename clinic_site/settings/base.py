"""Settings shared by every environment. Values that vary come from ``environment``."""

import datetime

from django.utils.csp import CSP

from clinic_site.logs import logging_config
from clinic_site.settings import environment as env

BASE_DIR = env.BASE_DIR
VAR_DIR = env.VAR_DIR

DEBUG = env.DEBUG
SECRET_KEY = env.SECRET_KEY
ALLOWED_HOSTS = env.ALLOWED_HOSTS
SITE_BASE_URL = env.SITE_BASE_URL

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # The Sitemap classes behind /sitemap.xml (treatments/sitemaps.py).
    "django.contrib.sitemaps",
    # Locks out a source after repeated failed sign-ins (see "Staff sign-in" below).
    "axes",
    # Every save of a treatment, page or the site settings kept, for compare and restore.
    "reversion",
    # The full-page cache for anonymous visitors (see PAGE_CACHE below).
    "clinic_site.pagecache",
    "treatments",
    # The project's own system checks (clinic_site/checks.py): production refuses settings
    # that would serve patients wrong links or weaken HTTPS.
    "clinic_site.apps.ClinicSiteConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware, so static files skip everything below.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Early, so every log line written below carries the request's id.
    "clinic_site.middleware.RequestIdMiddleware",
    # After the middleware above, which adds headers of its own to every response, cached
    # or not (a new request id, HSTS when over https); before the middleware below, whose
    # headers a stored page keeps (CSP, Permissions-Policy, X-Frame-Options: the same for
    # every response to a page without a nonce, and pages with one are never stored), and
    # before sessions, CSRF and users, which a page for anonymous visitors never needs.
    # It also compresses what carries no secret (clinic_site/pagecache/).
    "clinic_site.pagecache.middleware.PageCacheMiddleware",
    "clinic_site.middleware.PermissionsPolicyMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during sign-in into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic_site.urls"
WSGI_APPLICATION = "clinic_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # {{ csp_nonce }} for the one kind of inline script the policy allows.
                "django.template.context_processors.csp",
                "treatments.public.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": env.database_from_url(env.DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.STATIC_ROOT
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names for far-future caching, gzip and brotli copies served by WhiteNoise.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# CACHE_URL: files under var/cache/ by default, shared by every process of this machine;
# Redis, shared by every server, with more than one (docs/deploy.md). "local" is always
# each process's own memory: the page cache keeps the pages a process serves there too.
CACHES = {
    "default": env.cache_from_url(env.CACHE_URL),
    "local": env.cache_from_url("locmem://"),
}
# The full-page cache for anonymous visitors (clinic_site/pagecache/conf.py explains each
# key): pages and their versions in the shared cache, each process's memory in front;
# kept a day at most (they go stale sooner when what they show changes); how long
# browsers and CDNs may reuse a page without asking (DJANGO_PAGE_MAX_AGE); and, for each
# model public pages show, which pages show a row (treatments/public/cache.py).
_PAGES = "treatments.public.cache"
PAGE_CACHE = {
    "CACHE": "default",
    "LOCAL_CACHE": "local",
    "SECONDS": 60 * 60 * 24,
    "MAX_AGE": env.PAGE_MAX_AGE,
    "NEVER": [f"/{env.ADMIN_PATH}", "/healthz"],
    "WATCH": {
        "treatments.Publication": f"{_PAGES}.pages_showing_publication",
        "treatments.SiteSettings": f"{_PAGES}.every_page",
        "treatments.Image": f"{_PAGES}.every_page",
    },
    "NEXT_CHANGE": f"{_PAGES}.next_scheduled_change",
}

# Where `import_content` and `export_content` read and write by default.
CONTENT_DIR = BASE_DIR / "content"

# Security headers. HTTPS-only settings (HSTS, redirect, Secure cookies) are in prod.py,
# because `make run` serves plain http on 127.0.0.1 with these base settings.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.CSRF_TRUSTED_ORIGINS

# Content Security Policy: only this site's own files run, load or receive forms. An
# inline <script> runs only with the page's nonce: <script nonce="{{ csp_nonce }}">.
# Images too come from this site only: a picture in staff copy cannot track patients.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Browser features a page about treatments never needs, switched off for the page and
# anything embedded in it (clinic_site.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Staff sign-in. Sessions exist only for signed-in staff (public pages never write one),
# so saving on every request costs the public nothing and makes the age an idle timeout.
SESSION_COOKIE_AGE = env.SESSION_IDLE_SECONDS
# Django's database sessions, except that moving the idle timeout on gives way to a busy
# database instead of failing the request (treatments/editorial/sessions.py).
SESSION_ENGINE = "treatments.editorial.sessions"
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "clinic_site.errors.csrf_failure"
ADMIN_PATH = env.ADMIN_PATH
# Staff sign in through the admin, and land on its index unless `next` names a page of
# this site (a refused `next` would otherwise send them to a 404).
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# Only copy a clinician approved reaches patients (treatments/models/workflow.py). Off here,
# for `make run` and the tests, so the site works before any clinician has an account:
# pages then say that no clinician has checked them. Production turns it on.
CLINICAL_SIGNOFF_REQUIRED = bool(env.CLINICAL_SIGNOFF_REQUIRED)

# Review reminders go by SMTP when DJANGO_EMAIL_HOST is set; without it, to the log
# stream (dev, and a server not yet given a mail relay).
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env.EMAIL_HOST,
                "port": env.EMAIL_PORT,
                "username": env.EMAIL_HOST_USER,
                "password": env.EMAIL_HOST_PASSWORD,
                "use_tls": env.EMAIL_USE_TLS,
            },
        }
        if env.EMAIL_HOST
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
DEFAULT_FROM_EMAIL = env.DEFAULT_FROM_EMAIL

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out source before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock out a username after too many failures from anywhere, and a username tried from
# one address; never an address as a whole. Staff share the clinic's one public address
# (and, behind a misconfigured proxy, everyone shares the proxy's): a lockout by address
# would let one person's typos, or one attacker, lock every member of staff out. An
# invented username is locked out just like a real one, so the lockout says nothing about
# which accounts exist.
AXES_LOCKOUT_PARAMETERS = ["username", ["ip_address", "username"]]
AXES_FAILURE_LIMIT = env.LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.LOGIN_LOCKOUT_MINUTES)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "clinic_site.errors.login_locked_out"
# Behind reverse proxies, the client's address is read from X-Forwarded-For, counting
# only the entries the trusted proxies wrote (clinic_site/proxies.py).
TRUSTED_PROXY_COUNT = env.TRUSTED_PROXY_COUNT
CLIENT_IP_CALLABLE = "clinic_site.proxies.client_ip"
AXES_CLIENT_IP_CALLABLE = CLIENT_IP_CALLABLE

# Patient feedback (treatments/models/feedback.py, treatments/public/feedback.py).
# Comments are deleted after this many days by `manage.py prune_feedback` (cron).
FEEDBACK_RETENTION_DAYS = env.FEEDBACK_RETENTION_DAYS
# Posts one client may make in an hour (answers and comments): a patient makes two a
# page. The client is counted by a keyed hash of its address that changes every day,
# kept in the cache, never in the database. Many patients may share one address (the
# clinic's wifi), so the limit is generous.
FEEDBACK_RATE_LIMIT = 30
# How many days old the token in a page may be: a stored page is made again each day
# (PAGE_CACHE), browsers may keep it DJANGO_PAGE_MAX_AGE more, and a tab stays open a while.
FEEDBACK_TOKEN_MAX_DAYS = 3 + -(-env.PAGE_MAX_AGE // (24 * 60 * 60))
# A page "needs attention" in the review queue when, over the last 90 days, at least this
# many patients answered and more than this share of them said "no".
FEEDBACK_ATTENTION_MIN_ANSWERS = 10
FEEDBACK_ATTENTION_NO_SHARE = 0.3
# New searches that found nothing kept a day (repeats of one kept are still counted).
UNANSWERED_SEARCHES_PER_DAY = 500

# JSON lines on stdout with the request id (clinic_site/logs.py).
LOGGING = logging_config(env.LOG_LEVEL)
