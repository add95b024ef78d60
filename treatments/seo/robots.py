"""``/robots.txt``: crawlers may read every public page, not the admin, and find the sitemap."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(max_age=60 * 60 * 24, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Allow everything public; disallow the admin and the health check; name the sitemap.

    The admin's address is looked up, not written here, because a deployment may move
    it (DJANGO_ADMIN_PATH).
    """
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {reverse('treatments:healthz')}",
        "Allow: /",
        "",
        f"Sitemap: {settings.SITE_BASE_URL}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
