"""Pictures placed from the edit page (issue 15, part 4).

Each section's and answer's text box gets an "Insert picture" link to the image library.
``picture_chooser.js`` turns it into a button that opens the library in a dialog on the
same page: search by description, or upload a new picture (the description is required),
and the picture's Markdown goes in where the cursor was. These are the two views the
dialog reads, on the image library's admin, so its permissions apply.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse

from treatments.editorial.admin.forms import TextBoxField
from treatments.models import Image

# Pictures one search shows: enough to choose from, few enough to see at a glance.
RESULTS = 24


class PictureTextarea(forms.Textarea):
    """A Markdown text box with a way to put a picture in it: a link to the library,
    which the script makes into a button that opens the chooser on the page."""

    template_name = "admin/treatments/widgets/picture_textarea.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["library_url"] = reverse("admin:treatments_image_changelist")
        context["choose_url"] = reverse("admin:treatments_image_choose")
        context["upload_url"] = reverse("admin:treatments_image_choose_upload")
        return context


# For inlines whose text boxes may hold pictures (sections and answers).
PICTURE_BOXES = {
    "form_class": TextBoxField,
    "widget": PictureTextarea(attrs={"rows": 10, "cols": 40}),
}


class PictureChooserMixin:
    """The chooser's views, for ``ImageAdmin``: a list to pick from, and an upload."""

    def chooser_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("choose/", wrap(self.choose_view), name="treatments_image_choose"),
            path(
                "choose/upload/",
                wrap(self.choose_upload_view),
                name="treatments_image_choose_upload",
            ),
        ]

    def choose_view(self, request: HttpRequest) -> HttpResponse:
        """Pictures whose description holds the words searched for, newest first, as a
        list of buttons the dialog shows."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        query = request.GET.get("q", "").strip()
        images = Image.objects.all()
        for word in query.split():
            images = images.filter(alt_text__icontains=word)
        return render(
            request,
            "admin/treatments/image/chooser_results.html",
            {"images": images[:RESULTS], "query": query},
        )

    def choose_upload_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a picture from the dialog: its Markdown, or what to fix in words."""
        if request.method != "POST":
            return JsonResponse(
                {"errors": {"__all__": ["Send the picture with POST."]}}, status=405
            )
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = self.get_form(request)(request.POST, request.FILES)
        if not form.is_valid():
            errors = {name: [str(e) for e in problems] for name, problems in form.errors.items()}
            return JsonResponse({"errors": errors}, status=400)
        image = form.save(commit=False)
        self.save_model(request, image, form, change=False)
        self.log_addition(request, image, [{"added": {}}])
        return JsonResponse({"markdown": image.markdown, "alt": image.alt_text}, status=201)
