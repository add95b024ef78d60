from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "clinic_site.pagecache"
    label = "pagecache"
    verbose_name = "Page cache"

    def ready(self) -> None:
        # What to watch comes from PAGE_CACHE["WATCH"]; every model is loaded by now.
        from clinic_site.pagecache.invalidation import watch_models

        watch_models()
