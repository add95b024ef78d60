"""Site settings (one row), site pages, and the read-only list of former addresses."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from reversion.admin import VersionAdmin

from treatments.editorial.admin.busy import BusyMixin
from treatments.editorial.admin.forms import TEXT_BOXES
from treatments.editorial.admin.markdown_forms import PageForm
from treatments.editorial.admin.page_preview import PagePreviewMixin
from treatments.editorial.admin.review import REVIEW_BUTTONS, ReviewPanelMixin
from treatments.models import FormerSlug, Page, SiteSettings
from treatments.models.site_settings import WEEKDAYS


@admin.register(SiteSettings)
class SiteSettingsAdmin(BusyMixin, VersionAdmin):
    """Straight to the one row: no list, no second row, no delete."""

    # The browser's own time picker: a 24-hour box, no "Now" shortcut that makes no
    # sense for opening hours.
    formfield_overrides = {
        **TEXT_BOXES,
        models.TimeField: {"widget": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")},
    }
    fieldsets = [
        ("The clinic", {"fields": ["clinic_name", "phone", "email", "address"]}),
        (
            "Opening hours",
            {
                "fields": [
                    *((f"{day}_opens", f"{day}_closes") for day in WEEKDAYS),
                    "opening_hours_note",
                ],
                "description": "The times each day the clinic opens and closes, 24-hour "
                "clock. Leave both empty on a day it is closed. Search engines are given "
                "exactly these times.",
            },
        ),
        ("Booking", {"fields": ["booking_url"]}),
        ("Shown on every page", {"fields": ["out_of_hours", "disclaimer"]}),
    ]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        row = SiteSettings.objects.first()
        prefix = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}"
        if row is None:
            # Nobody has saved them yet: the add page shows the defaults pages use meanwhile.
            return redirect(reverse(f"{prefix}_add"))
        return redirect(reverse(f"{prefix}_change", args=[row.pk]))


@admin.register(Page)
class PageAdmin(BusyMixin, PagePreviewMixin, ReviewPanelMixin, VersionAdmin):
    formfield_overrides = TEXT_BOXES
    list_display = ["title", "slug", "updated_at"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    form = PageForm
    fields = ["title", "slug", "description", "body"]
    change_form_template = "admin/treatments/page/change_form.html"

    def get_urls(self):
        return self.preview_urls(self.admin_site.admin_view) + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(self.review_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        self.after_save(request, obj)
        if any(name in request.POST for name in REVIEW_BUTTONS):
            return redirect(reverse("admin:treatments_page_change", args=[obj.pk]))
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        self.after_save(request, obj)
        return super().response_add(request, obj, post_url_continue)


@admin.register(FormerSlug)
class FormerSlugAdmin(BusyMixin, admin.ModelAdmin):
    """Made when a treatment's address changes or it is deleted; nothing to edit by hand."""

    list_display = ["__str__", "leads_to", "created_at"]
    search_fields = ["slug", "treatment__title"]
    list_select_related = ["treatment"]

    @admin.display(description="Now")
    def leads_to(self, obj: FormerSlug) -> str:
        if obj.treatment is None:
            return "Page deleted: visitors are told it has been removed"
        return f"Sends visitors to {obj.treatment.get_absolute_url()} ({obj.treatment})"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
