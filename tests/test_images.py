"""Uploaded pictures: checked by content, stripped of metadata, stored and served safely."""

import errno
import io
import logging
import struct
import zlib
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from PIL import ImageCms

from tests.conftest import make_treatment
from treatments.media.pictures import MAX_BYTES, ImageRejected, process_upload
from treatments.models import Image
from treatments.models.image import PictureNotStored
from treatments.text.markdown import FIGURE_SIZES

GPS_IFD = 0x8825
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf'
    b'-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="51,30.0N"/></rdf:RDF></x:xmpmeta>'
)


def photo(fmt: str = "JPEG", size=(640, 480), *, gps=True, **save_args) -> bytes:
    """A photo as a phone writes it: GPS position, camera details, orientation, comment."""
    image = PILImage.new("RGB", size, (200, 120, 90))
    for x in range(0, size[0], 40):
        image.paste((20, 60, 160), (x, 0, x + 20, size[1]))
    exif = image.getexif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x0110] = "Phone 15"  # camera model
    if gps:
        gps_ifd = exif.get_ifd(GPS_IFD)
        gps_ifd[1] = "N"
        gps_ifd[2] = (51.0, 30.0, 26.0)
        gps_ifd[3] = "W"
        gps_ifd[4] = (0.0, 7.0, 39.0)
    out = io.BytesIO()
    image.save(out, fmt, exif=exif, **save_args)
    return out.getvalue()


def has_gps(data: bytes) -> bool:
    with PILImage.open(io.BytesIO(data)) as image:
        return bool(image.getexif().get_ifd(GPS_IFD))


def metadata_of(data: bytes) -> dict:
    with PILImage.open(io.BytesIO(data)) as image:
        return {"info": dict(image.info), "exif": dict(image.getexif()), "format": image.format}


def test_the_fixture_photo_really_carries_gps_and_a_comment():
    data = photo(comment=b"Patient 1234, left cheek", xmp=XMP)
    assert has_gps(data)
    assert metadata_of(data)["info"]["comment"] == b"Patient 1234, left cheek"
    assert b"GPSLatitude" in data


def test_every_piece_of_metadata_is_dropped_from_a_jpeg():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = photo(comment=b"Patient 1234, left cheek", xmp=XMP, icc_profile=srgb)
    result = process_upload(io.BytesIO(data))
    for stored in [result.data, *(r.data for r in result.renditions)]:
        found = metadata_of(stored)
        assert found["exif"] == {}
        assert not {"exif", "comment", "icc_profile", "xmp", "XML:com.adobe.xmp"} & set(
            found["info"]
        )
        for secret in (b"Patient 1234", b"PhoneMaker", b"GPSLatitude", b"Exif"):
            assert secret not in stored
    assert result.extension == "jpg"
    assert metadata_of(result.data)["format"] == "JPEG"


def test_png_and_webp_lose_their_metadata_too():
    for fmt in ("PNG", "WEBP"):
        result = process_upload(io.BytesIO(photo(fmt)))
        assert not has_gps(result.data)
        assert b"PhoneMaker" not in result.data
        assert result.extension == {"PNG": "png", "WEBP": "webp"}[fmt]


def test_a_sideways_phone_photo_is_turned_upright_before_its_tag_is_dropped():
    image = PILImage.new("RGB", (300, 200), "white")
    exif = image.getexif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to view
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    result = process_upload(out)
    assert (result.width, result.height) == (200, 300)


def test_webp_renditions_are_made_for_srcset_no_wider_than_the_picture():
    result = process_upload(io.BytesIO(photo(size=(1000, 500))))
    assert [(r.width, r.height) for r in result.renditions] == [(480, 240), (800, 400), (1000, 500)]
    for rendition in result.renditions:
        assert metadata_of(rendition.data)["format"] == "WEBP"


def test_a_huge_picture_is_made_smaller_for_the_master():
    result = process_upload(io.BytesIO(photo(size=(4000, 1000), gps=False)))
    assert (result.width, result.height) == (2400, 600)


def test_transparency_is_kept_as_png():
    image = PILImage.new("RGBA", (64, 64), (255, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    result = process_upload(out)
    assert result.extension == "png"
    assert PILImage.open(io.BytesIO(result.data)).mode == "RGBA"


def rejected(data: bytes) -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        process_upload(io.BytesIO(data))
    return caught.value


def test_a_text_file_named_like_a_photo_is_refused():
    error = rejected(b"Just some text, saved as photo.jpg\n" * 20)
    assert error.code == "not_an_image"
    assert "not a picture we can use" in error.message


def test_svg_is_refused_with_the_reason():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    error = rejected(svg)
    assert error.code == "svg"
    assert "SVG drawings cannot be used" in error.message
    assert rejected(b"  <svg xmlns='http://www.w3.org/2000/svg'></svg>").code == "svg"


def test_a_heic_photo_is_refused_with_advice():
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100
    error = rejected(heic)
    assert error.code == "heic"
    assert "JPEG" in error.message


def png_claiming(width: int, height: int) -> bytes:
    """A real 1x1 PNG whose header claims another size: a decompression bomb's shape."""
    out = io.BytesIO()
    PILImage.new("RGB", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    # IHDR starts at byte 8: length(4) type(4) width(4) height(4) ... crc(4)
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@pytest.mark.parametrize(
    ("width", "height"),
    [(8000, 6000), (12_000, 10_000), (60_000, 60_000)],  # 48 MP, over Pillow's limit, far over
)
def test_a_header_claiming_too_many_pixels_is_refused_before_decoding(width, height):
    error = rejected(png_claiming(width, height))
    assert error.code == "too_many_pixels"
    assert "The most we accept is 40 megapixels" in error.message


def test_a_truncated_file_is_refused():
    data = photo(size=(800, 600))
    error = rejected(data[: len(data) // 2])
    assert error.code == "damaged"
    assert "damaged or incomplete" in error.message


@pytest.mark.parametrize("fmt", ["GIF", "PNG", "WEBP"])
def test_animated_pictures_are_refused(fmt):
    frames = [PILImage.new("RGB", (32, 32), colour) for colour in ("red", "blue", "green")]
    out = io.BytesIO()
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    error = rejected(out.getvalue())
    assert error.code == "animated"
    assert "Moving pictures" in error.message


def test_a_still_gif_is_accepted_and_kept_as_png():
    out = io.BytesIO()
    PILImage.new("P", (40, 30)).save(out, "GIF")
    assert process_upload(out).extension == "png"


def test_a_file_over_the_size_limit_is_refused_without_reading_it():
    class Huge(io.BytesIO):
        def read(self, *args):
            raise AssertionError("the content of an over-size file must not be read")

    with pytest.raises(ImageRejected) as caught:
        process_upload(Huge(b""), size=MAX_BYTES + 1)
    assert caught.value.code == "too_big"
    assert "at most 20.0 MB" in caught.value.message


# -- Storage, serving and the admin -----------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored(result) -> Image:
    image = Image(alt_text="Cheek after treatment")
    image.store(result)
    image.save()
    return image


@pytest.mark.django_db
def test_stored_under_random_names_through_the_default_storage(media):
    first = stored(process_upload(io.BytesIO(photo())))
    second = stored(process_upload(io.BytesIO(photo())))
    assert first.file.name != second.file.name
    assert first.file.name.startswith("images/")
    assert first.file.name.endswith(".jpg")
    assert len(first.token) == 32
    for name in first.stored_names():
        assert default_storage.exists(name)
        assert (media / name).is_file()
    assert first.srcset.endswith("640w")
    assert first.markdown == f"![Cheek after treatment]({first.figure_url})"


@pytest.mark.django_db
def test_pictures_are_served_with_the_right_content_type(client, media):
    image = stored(process_upload(io.BytesIO(photo())))
    response = client.get(image.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == (media / image.file.name).read_bytes()
    webp = client.get(image.figure_url)
    assert webp["Content-Type"] == "image/webp"


@pytest.mark.django_db
def test_only_library_names_are_served(client, media):
    (media / "images").mkdir(parents=True)
    (media / "images" / "notes.txt").write_text("private")
    (media / "secret.jpg").write_text("private")
    for name in ("images/notes.txt", "secret.jpg", "images/../secret.jpg", "images/" + "a" * 32):
        assert client.get(f"/media/{name}").status_code == 404


@pytest.mark.django_db
def test_deleting_a_picture_removes_its_files(media, django_capture_on_commit_callbacks):
    image = stored(process_upload(io.BytesIO(photo())))
    names = image.stored_names()
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert not any(default_storage.exists(name) for name in names)


@pytest.fixture
def editor_client(client, db):
    client.force_login(User.objects.create_superuser("sam", "sam@example.com", "pw"))
    return client


def upload(client, data: bytes, name: str = "IMG_0001.jpg", alt: str = "Cheek after treatment"):
    return client.post(
        reverse("admin:treatments_image_add"),
        {"upload": SimpleUploadedFile(name, data, content_type="image/jpeg"), "alt_text": alt},
    )


def test_an_upload_through_the_admin_is_stored_without_gps(editor_client, media):
    response = upload(editor_client, photo(comment=b"Patient 1234"))
    assert response.status_code == 302
    image = Image.objects.get()
    assert image.uploaded_by.username == "sam"
    with default_storage.open(image.file.name) as stored_file:
        data = stored_file.read()
    assert not has_gps(data)
    assert b"Patient 1234" not in data
    # The name the person's computer gave the file is not kept.
    assert "IMG_0001" not in image.file.name


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7 not a picture", "This file is not a picture we can use."),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "SVG drawings cannot be used"),
        (png_claiming(9000, 9000), "The most we accept is 40 megapixels"),
    ],
)
def test_a_refused_upload_says_why_on_the_form_and_stores_nothing(
    editor_client, media, data, message
):
    response = upload(editor_client, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Image.objects.exists()
    assert not (media / "images").exists() or not any((media / "images").iterdir())


def test_alt_text_is_required(editor_client, media):
    response = upload(editor_client, photo(), alt="")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Image.objects.exists()


def test_the_library_page_shows_the_markdown_to_paste(editor_client, media):
    upload(editor_client, photo())
    image = Image.objects.get()
    html = editor_client.get(reverse("admin:treatments_image_change", args=[image.pk])).content
    assert image.markdown.encode() in html
    assert b"markdown-snippet" in html


def test_a_picture_in_use_cannot_be_deleted(editor_client, media):
    upload(editor_client, photo())
    image = Image.objects.get()
    make_treatment(sections={"overview": f"Before:\n\n{image.markdown}"})
    response = editor_client.post(
        reverse("admin:treatments_image_delete", args=[image.pk]), {"post": "yes"}
    )
    assert response.status_code == 200
    assert "Peel (shows" in response.content.decode()
    assert Image.objects.filter(pk=image.pk).exists()


def test_the_treatment_page_shows_its_hero_picture_with_srcset(client, media, db):
    image = stored(process_upload(io.BytesIO(photo(size=(1000, 500)))))
    make_treatment(hero_image=image)
    html = client.get("/treatments/peel/").content.decode()
    assert f'src="{image.url}"' in html
    assert f'srcset="{image.srcset}"' in html
    assert 'sizes="' in html
    assert 'width="1000" height="500"' in html
    assert 'alt="Cheek after treatment"' in html


def test_a_figure_pasted_into_a_section_shows_on_the_page(client, media, db):
    image = stored(process_upload(io.BytesIO(photo())))
    make_treatment(sections={"overview": f"Here it is.\n\n{image.markdown}"})
    html = client.get("/treatments/peel/").content.decode()
    # Below the fold: fetched as it nears the screen, decoded off the main thread; its
    # size reserved and a narrow copy offered, as for the hero picture.
    assert (
        f'<img alt="Cheek after treatment" decoding="async" height="480" loading="lazy" '
        f'sizes="{FIGURE_SIZES}" src="{image.figure_url}" srcset="{image.srcset}" width="640">'
    ) in html


def test_a_picture_not_in_the_library_gets_no_size_or_copies(client, media, db):
    image = stored(process_upload(io.BytesIO(photo())))
    gone = image.figure_url.replace(image.token, "0" * 32)
    make_treatment(sections={"overview": f"![Gone]({gone})"})
    html = client.get("/treatments/peel/").content.decode()
    assert f'<img alt="Gone" decoding="async" loading="lazy" src="{gone}">' in html


# -- Storage failures: nothing kept, a reason on the form, the cause in the log ----------


class FailingStorage(FileSystemStorage):
    """Stores ``fail_after`` files, then fails: a full disk writes half of the next file
    first (as a real one does), a folder the site may not write to writes nothing."""

    def __init__(self, fail_after: int = 1, error: str = "ENOSPC", **kwargs):
        super().__init__(**kwargs)
        self.fail_after = fail_after
        self.error = error
        self.saved = 0

    def _save(self, name, content):
        if self.saved < self.fail_after:
            self.saved += 1
            return super()._save(name, content)
        if self.error == "EACCES":
            raise PermissionError(errno.EACCES, "Permission denied", self.path(name))
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.read()
        path.write_bytes(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def failing_storage(settings, tmp_path):
    def install(fail_after: int, error: str = "ENOSPC"):
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "tests.test_images.FailingStorage",
                "OPTIONS": {
                    "fail_after": fail_after,
                    "error": error,
                    "location": str(tmp_path / "media"),
                },
            },
        }
        return tmp_path / "media"

    return install


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("fail_after", [0, 1, 2])
def test_a_storage_failure_part_way_leaves_no_file_behind(failing_storage, fail_after):
    folder = failing_storage(fail_after)
    result = process_upload(io.BytesIO(photo()))
    assert len(result.renditions) == 2  # master + 2: the failure is part-way for each N
    image = Image(alt_text="Cheek")
    with pytest.raises(PictureNotStored) as caught:
        image.store(result)
    assert caught.value.cause == "storage_full"
    assert files_under(folder) == []


@pytest.mark.parametrize(
    ("error", "fail_after", "cause", "words"),
    [
        ("ENOSPC", 2, "storage_full", "the website has run out of space to keep pictures"),
        ("EACCES", 0, "storage_not_allowed", "the website is not allowed to write to its"),
    ],
)
def test_a_failed_upload_says_why_on_the_form_and_logs_the_cause(
    editor_client, failing_storage, caplog, error, fail_after, cause, words
):
    folder = failing_storage(fail_after, error)
    with caplog.at_level(logging.ERROR, logger="treatments.models.image"):
        response = upload(editor_client, photo(), alt="Cheek after three sessions")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"The picture was not saved: {words}" in html
    assert "Nothing was kept. Please tell the person who looks after the website." in html
    # What the person typed is still there; the picture must be chosen again.
    assert 'value="Cheek after three sessions"' in html
    assert not Image.objects.exists()
    assert files_under(folder) == []
    (record,) = [r for r in caplog.records if r.name == "treatments.models.image"]
    assert record.cause == cause
    assert record.errno == error
    assert record.files_written == fail_after
    assert record.files_left_behind == ""
    assert cause in record.getMessage()
