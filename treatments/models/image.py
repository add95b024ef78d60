"""The image library."""

import errno
import logging
import re
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q

from treatments.media.pictures import FIGURE_WIDTH, IMAGE_FOLDER, ProcessedImage
from treatments.models.treatment import Treatment
from treatments.text.markdown import PictureSize, use_picture_lookup

logger = logging.getLogger(__name__)

# Why a picture could not be stored, as the log and the upload form name it.
STORAGE_FULL = "storage_full"
STORAGE_NOT_ALLOWED = "storage_not_allowed"
STORAGE_FAILED = "storage_failed"
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_NOT_ALLOWED_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS}


class PictureNotStored(Exception):
    """Writing a picture's files failed part-way; whatever was written has been removed.

    ``cause`` is one of ``STORAGE_FULL``, ``STORAGE_NOT_ALLOWED`` or ``STORAGE_FAILED``.
    """

    def __init__(self, cause: str):
        super().__init__(cause)
        self.cause = cause


def _cause_of(exc: OSError) -> str:
    if exc.errno in _FULL_ERRNOS:
        return STORAGE_FULL
    if isinstance(exc, PermissionError) or exc.errno in _NOT_ALLOWED_ERRNOS:
        return STORAGE_NOT_ALLOWED
    return STORAGE_FAILED


def _remove(names: list[str]) -> list[str]:
    """Delete what exists of ``names``; returns those that could not be deleted."""
    left = []
    for name in names:
        try:
            if default_storage.exists(name):
                default_storage.delete(name)
        except OSError:
            left.append(name)
    return left


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
        """Write the master and renditions under fresh random names; fills the file fields.

        All or nothing: if the storage fails part-way (a full disk, a folder the site may
        not write to), every file written so far, and the part of the one being written,
        is deleted, the cause is logged for whoever runs the site, and
        ``PictureNotStored`` says which cause it was.
        """
        token = uuid.uuid4().hex
        wanted = [(f"{IMAGE_FOLDER}/{token}.{processed.extension}", processed.data)]
        wanted += [
            (f"{IMAGE_FOLDER}/{token}-{rendition.width}w.webp", rendition.data)
            for rendition in processed.renditions
        ]
        written = []
        try:
            for name, data in wanted:
                written.append(default_storage.save(name, ContentFile(data)))
        except OSError as exc:
            # The names asked for too: a failed write leaves a partial file under its name.
            names = list(dict.fromkeys([*written, *(name for name, _ in wanted)]))
            left_behind = _remove(names)
            cause = _cause_of(exc)
            logger.error(
                "Picture upload failed (%s): %s. %d of %d files had been written; %s.",
                cause,
                exc.strerror or exc,
                len(written),
                len(wanted),
                f"could not delete {', '.join(left_behind)}" if left_behind else "none kept",
                extra={
                    "cause": cause,
                    "errno": errno.errorcode.get(exc.errno or 0, exc.errno),
                    # The one being written when it failed.
                    "stored_name": wanted[len(written)][0],
                    "storage": default_storage.__class__.__name__,
                    "files_written": len(written),
                    "files_left_behind": ",".join(left_behind),
                },
            )
            raise PictureNotStored(cause) from exc
        self.file.name = written[0]
        self.width, self.height = processed.width, processed.height
        self.renditions = [
            {"width": rendition.width, "height": rendition.height, "name": name}
            for rendition, name in zip(processed.renditions, written[1:], strict=True)
        ]

    def delete_files(self) -> None:
        """Delete the stored files now (a row that was never saved has nobody to do it)."""
        _remove(self.stored_names())

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
    def smallest_url(self) -> str:
        """The narrowest copy, for a thumbnail."""
        return default_storage.url(self.renditions[0]["name"]) if self.renditions else self.url

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


# A library picture's files share the token in their names: images/<token>[-<width>w].<ext>
_LIBRARY_NAME = re.compile(rf"{IMAGE_FOLDER}/(?P<token>[0-9a-f]{{32}})")


def library_picture(src: str) -> PictureSize | None:
    """The shape and copies of the library picture at ``src`` (any of its copies'
    addresses), or None when no picture in the library has that address."""
    match = _LIBRARY_NAME.search(src)
    if match is None:
        return None
    image = Image.objects.filter(file__startswith=f"{IMAGE_FOLDER}/{match['token']}.").first()
    if image is None:
        return None
    if src == image.url:
        return PictureSize(width=image.width, height=image.height, srcset=image.srcset)
    for copy in image.renditions:
        if default_storage.url(copy["name"]) == src:
            return PictureSize(width=copy["width"], height=copy["height"], srcset=image.srcset)
    return None


use_picture_lookup(library_picture)
