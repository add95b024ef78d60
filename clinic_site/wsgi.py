"""WSGI entry point for gunicorn. Defaults to production settings, which refuse to start
without a secret key; ``make run`` points it at the local settings instead."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings.prod")

application = get_wsgi_application()
