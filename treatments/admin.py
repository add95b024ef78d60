"""Staff editing. The derived HTML fields are hidden: staff write Markdown only."""

from django.contrib import admin

from .models import FAQ, Section, Treatment


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = ["kind", "position", "body"]


class FAQInline(admin.StackedInline):
    model = FAQ
    extra = 0
    fields = ["position", "question", "answer"]


@admin.register(Treatment)
class TreatmentAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "updated_at", "next_review"]
    list_filter = ["status"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SectionInline, FAQInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "description"]}),
        ("Publishing", {"fields": ["status", "publish_at"]}),
        ("Clinical review", {"fields": ["reviewed_by", "last_reviewed", "next_review"]}),
    ]
