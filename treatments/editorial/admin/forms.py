"""Admin forms: the treatment form with its edit lock, and the picture upload."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import normalize_newlines

from treatments.media.pictures import (
    MAX_BYTES,
    MAX_PIXELS,
    ImageRejected,
    ProcessedImage,
    process_upload,
)
from treatments.models import Image, Treatment
from treatments.models.document import TREATMENT_FIELDS
from treatments.models.image import (
    STORAGE_FAILED,
    STORAGE_FULL,
    STORAGE_NOT_ALLOWED,
    PictureNotStored,
)

EDIT_CONFLICT = "edit_conflict"


class TextBoxField(forms.CharField):
    """A text box's value with plain newlines: browsers send CRLF, which would make every
    box with more than one line look changed and put carriage returns into the copy."""

    def to_python(self, value):
        return normalize_newlines(super().to_python(value))


# For every ModelAdmin and inline with text boxes.
TEXT_BOXES = {models.TextField: {"form_class": TextBoxField}}


def editor_name(user) -> str:
    if user is None:
        return "someone (or the content import)"
    return user.get_full_name() or user.get_username()


class TreatmentForm(forms.ModelForm):
    """The treatment edit form. It carries the version it was opened at.

    The check here, inside the admin's transaction and with the row locked where
    the database can, gives the editor the conflict page with their copy intact;
    ``Treatment.save(expected_version=...)`` checks again in the same UPDATE that
    moves the version on, so a save that slips past this check still cannot win.
    """

    # Not the model field's name: that one is not editable, so a ModelForm may not list it.
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Treatment
        # Everything models.document declares, and the picture (not part of the copy).
        fields = [*(f.name for f in TREATMENT_FIELDS), "hero_image"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["based_on_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        with transaction.atomic():
            current = (
                # of=self: lock the treatment's row, not the editor's (an outer join).
                Treatment.objects.select_for_update(of=("self",))
                .select_related("updated_by")
                .filter(pk=self.instance.pk)
                .first()
            )
        if current is not None and cleaned.get("based_on_version") != current.version:
            when = date_format(timezone.localtime(current.updated_at), "j F Y, H:i")
            raise ValidationError(
                "Your changes have not been saved. %(who)s saved this treatment on %(when)s, "
                "after you opened it, and saving now would overwrite their work. Your "
                "changes are still on this page: see below what each of you changed.",
                code=EDIT_CONFLICT,
                params={"who": editor_name(current.updated_by), "when": when},
            )
        return cleaned


# Why a picture could not be kept, in words for whoever is at the desk. The log line
# (treatments.models.image) has the details for whoever runs the site.
STORAGE_MESSAGES = {
    STORAGE_FULL: (
        "The picture was not saved: the website has run out of space to keep pictures. "
        "Nothing was kept. Please tell the person who looks after the website. When they "
        "have made room, choose the picture again and press Save."
    ),
    STORAGE_NOT_ALLOWED: (
        "The picture was not saved: the website is not allowed to write to its picture "
        "folder. Nothing was kept. Please tell the person who looks after the website. "
        "When they have fixed it, choose the picture again and press Save."
    ),
    STORAGE_FAILED: (
        "The picture was not saved because of a problem with the website's storage. "
        "Nothing was kept. Please choose the picture again and press Save in a few "
        "minutes. If it happens again, tell the person who looks after the website."
    ),
}


class ImageForm(forms.ModelForm):
    """Upload a picture once; afterwards only its description can change.

    The files are written once everything else on the form is valid, so that a storage
    failure is shown here, beside the picture, with nothing kept.
    """

    upload = forms.FileField(
        label="Picture file",
        required=False,
        help_text=(
            f"A JPEG, PNG or WebP photo of at most {MAX_BYTES // (1024 * 1024)} MB and "
            f"{MAX_PIXELS // 1_000_000} megapixels. Location, camera and other hidden "
            "details are removed when it is uploaded."
        ),
        # The browser's picker shows pictures first; the server still checks the content.
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = Image
        fields = ["alt_text"]

    processed: ProcessedImage | None = None

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if not upload:
            if self.instance.pk is None:
                raise ValidationError("Choose a picture to upload.", code="required")
            return None
        try:
            self.processed = process_upload(upload, upload.size)
        except ImageRejected as exc:
            raise ValidationError(exc.message, code=exc.code) from exc
        return upload

    def _post_clean(self):
        super()._post_clean()
        if self.processed is None or self.errors:
            return
        try:
            self.instance.store(self.processed)
        except PictureNotStored as exc:
            self.add_error("upload", ValidationError(STORAGE_MESSAGES[exc.cause], code=exc.cause))
