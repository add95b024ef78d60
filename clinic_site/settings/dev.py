"""A local machine: ``make run`` and ``manage.py runserver``.

No secret key is needed: one is generated into ``var/`` on first run and reused,
so sessions survive restarts without a key ever living in the repository.
"""

import secrets

from clinic_site.settings.base import *  # noqa: F403
from clinic_site.settings.base import VAR_DIR
from clinic_site.settings.environment import env_list, env_str

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])


def _local_secret_key() -> str:
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env_str("DJANGO_SECRET_KEY") or _local_secret_key()
