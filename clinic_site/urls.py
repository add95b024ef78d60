"""Root URL configuration. Public URLs are stable: search engines and links depend on them."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from treatments.media.views import serve_media
from treatments.seo.robots import robots_txt
from treatments.seo.sitemaps import sitemap_xml

urlpatterns = [
    path("robots.txt", robots_txt, name="robots"),
    path("sitemap.xml", sitemap_xml, name="sitemap"),
    # DJANGO_ADMIN_PATH, "admin/" unless the deployment chose another address.
    path(settings.ADMIN_PATH, admin.site.urls),
    # Uploaded pictures, read through STORAGES["default"] (treatments/media_views.py).
    path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", serve_media, name="media"),
    path("", include("treatments.urls")),
]

# Error pages that need no database and show the request id (clinic_site/errors.py).
handler400 = "clinic_site.errors.bad_request"
handler500 = "clinic_site.errors.server_error"
