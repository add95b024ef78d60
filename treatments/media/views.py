"""Uploaded pictures, served from ``STORAGES["default"]`` with the right content type.

Only names the image library makes are served (random hex, a known extension), so
nothing else that may sit in the storage can be fetched, and the content type comes
from that extension, which the upload's re-encoding decided, never from the file.
With object storage the files' URLs point at the bucket and this view goes unused.
"""

import re

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from treatments.media.pictures import CONTENT_TYPES, IMAGE_FOLDER

# images/<32 hex>[-<width>w][_<storage's de-duplication suffix>].<ext>
NAME = re.compile(
    rf"^{IMAGE_FOLDER}/[0-9a-f]{{32}}(?:-\d+w)?(?:_[A-Za-z0-9]{{7}})?\.(?P<ext>jpg|png|webp)$"
)
# Names are random and never reused, so a file never changes: cache it for a year.
CACHE_CONTROL = "public, max-age=31536000, immutable"


@require_safe
def serve_media(request: HttpRequest, name: str) -> FileResponse:
    match = NAME.match(name)
    if match is None:
        raise Http404("No such picture")
    try:
        picture = default_storage.open(name)
    except FileNotFoundError:
        raise Http404("No such picture") from None
    response = FileResponse(picture, content_type=CONTENT_TYPES[match["ext"]])
    response["Cache-Control"] = CACHE_CONTROL
    return response
