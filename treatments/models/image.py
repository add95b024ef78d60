"""The image library."""

import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q

from treatments.media.pictures import FIGURE_WIDTH, IMAGE_FOLDER, ProcessedImage
from treatments.models.treatment import Treatment


class Image(models.Model):
    """A picture in the image library: a hero image, or a figure placed in Markdown.

    Only what ``media.pictures.process_upload`` made is stored: a master without metadata and
    WebP renditions, under random names, through ``STORAGES["default"]``.
    """

    file = models.FileField(max_length=200, editable=False)
    alt_text = models.CharField(
        "description (alt text)",
        max_length=250,
        help_text=(
            "Say what the picture shows, for people who cannot see it, e.g. "
            "'Cheek before and after three sessions of microneedling'. Required."
        ),
    )
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    # [{"width": 480, "height": 320, "name": "images/....webp"}, ...], narrowest first.
    renditions = models.JSONField(default=list, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.alt_text

    def store(self, processed: ProcessedImage) -> None:
        """Write the master and renditions under fresh random names; fills the file fields."""
        token = uuid.uuid4().hex
        self.file.name = default_storage.save(
            f"{IMAGE_FOLDER}/{token}.{processed.extension}", ContentFile(processed.data)
        )
        self.width, self.height = processed.width, processed.height
        self.renditions = [
            {
                "width": rendition.width,
                "height": rendition.height,
                "name": default_storage.save(
                    f"{IMAGE_FOLDER}/{token}-{rendition.width}w.webp", ContentFile(rendition.data)
                ),
            }
            for rendition in processed.renditions
        ]

    def stored_names(self) -> list[str]:
        return [name for name in [self.file.name, *(r["name"] for r in self.renditions)] if name]

    @property
    def token(self) -> str:
        """The random part of the stored names, which every copy of the picture shares."""
        return self.file.name.rsplit("/", 1)[-1].split(".", 1)[0]

    @property
    def url(self) -> str:
        return self.file.url

    @property
    def srcset(self) -> str:
        return ", ".join(f"{default_storage.url(r['name'])} {r['width']}w" for r in self.renditions)

    @property
    def figure_url(self) -> str:
        """The copy a picture placed in the text uses: the widest up to ``FIGURE_WIDTH``."""
        fitting = [r for r in self.renditions if r["width"] <= FIGURE_WIDTH] or self.renditions
        return default_storage.url(fitting[-1]["name"]) if fitting else self.url

    @property
    def markdown(self) -> str:
        """What staff paste into a section or answer to show the picture there."""
        alt = " ".join(self.alt_text.replace("[", "(").replace("]", ")").split())
        return f"![{alt}]({self.figure_url})"

    def used_in_text(self) -> list[Treatment]:
        """Treatments whose sections or answers show this picture."""
        token = self.token
        if not token:
            return []
        return list(
            Treatment.objects.filter(
                Q(sections__body__contains=token) | Q(faqs__answer__contains=token)
            ).distinct()
        )
