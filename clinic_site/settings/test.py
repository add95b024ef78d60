"""The test suite: fast hashing, no manifest.

DATABASE_URL still decides the database and CACHE_URL the cache, so CI runs the same
suite on PostgreSQL with Redis. Unless CACHE_URL is set, the cache is this process's
memory, not var/cache/: the suite is one process, and a test that starts others
(gunicorn) gives them a cache folder of their own.
"""

from clinic_site.settings import environment as env
from clinic_site.settings.base import *  # noqa: F403
from clinic_site.settings.base import BASE_DIR, CACHES, STORAGES

if env.CACHE_URL == env.DEFAULT_CACHE_URL:
    CACHES = {**CACHES, "default": env.cache_from_url("locmem://")}

DEBUG = False
SECRET_KEY = "test-only-key-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Off so client.login() works (django-axes needs the request, which it does not pass);
# tests/test_login_lockout.py switches it on and signs in through the real form.
AXES_ENABLED = False
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
# Serve static files straight from static/ (no collectstatic) to the live-server browser tests.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
