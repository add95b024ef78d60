"""Root URL configuration. Public URLs are stable: search engines and links depend on them."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("treatments.urls")),
]
