"""The image library: upload a picture once, then use it at the top of a page or in the text."""

from django.contrib import admin
from django.utils.html import format_html

from treatments.editorial.admin.busy import BusyMixin
from treatments.editorial.admin.forms import ImageForm
from treatments.editorial.admin.picture_chooser import PictureChooserMixin
from treatments.models import Image


@admin.register(Image)
class ImageAdmin(PictureChooserMixin, BusyMixin, admin.ModelAdmin):
    form = ImageForm
    list_display = ["thumbnail", "alt_text", "size", "markdown_snippet", "uploaded_at"]
    list_display_links = ["thumbnail", "alt_text"]
    search_fields = ["alt_text"]
    readonly_fields = ["picture", "markdown_snippet", "size", "used_on"]

    class Media:
        css = {"all": ["treatments/admin/editing.css"]}
        js = ["treatments/admin/editing.js"]

    def get_urls(self):
        return self.chooser_urls() + super().get_urls()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["upload", "alt_text"]
        return ["picture", "alt_text", "markdown_snippet", "size", "used_on"]

    def save_model(self, request, obj: Image, form, change: bool) -> None:
        # The form stored the files (ImageForm._post_clean); a row that fails to save must
        # not leave them behind.
        if form.processed is None:
            super().save_model(request, obj, form, change)
            return
        obj.uploaded_by = request.user
        try:
            super().save_model(request, obj, form, change)
        except Exception:
            obj.delete_files()
            raise

    @admin.display(description="Picture")
    def thumbnail(self, obj: Image) -> str:
        return format_html("<img class='library-thumb' src='{}' alt=''>", obj.smallest_url)

    @admin.display(description="Picture")
    def picture(self, obj: Image) -> str:
        return format_html(
            "<img class='library-picture' src='{}' srcset='{}' sizes='40rem' alt='{}'>",
            obj.url,
            obj.srcset,
            obj.alt_text,
        )

    @admin.display(description="Size")
    def size(self, obj: Image) -> str:
        return f"{obj.width} by {obj.height} pixels"

    @admin.display(description="To show it in a section or answer, paste")
    def markdown_snippet(self, obj: Image) -> str:
        return format_html(
            "<input type='text' class='markdown-snippet' readonly value='{}' "
            "aria-label='Text to paste into a section or answer'>",
            obj.markdown,
        )

    @admin.display(description="Used on")
    def used_on(self, obj: Image) -> str:
        pages = [f"{t} (top picture)" for t in obj.hero_of.all()]
        pages += [f"{t} (in the text)" for t in obj.used_in_text()]
        return ", ".join(pages) or "Not used on any page yet."

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Pasted into Markdown, a picture has no foreign key to protect it: check the text.
        for image in objs:
            protected += [f"{t} (shows “{image}” in its text)" for t in image.used_in_text()]
        return deleted, counts, perms_needed, protected
