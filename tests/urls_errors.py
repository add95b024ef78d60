"""The site's URLs plus views that fail on purpose, for tests/test_errors.py."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from clinic_site import urls as site_urls

SECRET = "the secret detail that must never reach a page"


def boom(request):
    raise ZeroDivisionError(SECRET)


def forbidden(request):
    raise PermissionDenied("staff only")


urlpatterns = [path("boom/", boom), path("forbidden/", forbidden), *site_urls.urlpatterns]
handler400 = site_urls.handler400
handler500 = site_urls.handler500
