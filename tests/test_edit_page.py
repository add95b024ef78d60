"""The edit page that fits the task (issue 15, parts 4 and 5), through the test client:
pictures placed from a section, parts that close showing their grade, the buttons at the
top, questions reordered as one change. The browser half is tests/test_edit_page_browser.py.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.admin_forms import form_data
from tests.conftest import make_treatment
from tests.test_clinical_review import _staff as staff_in
from tests.test_images import has_gps, photo, stored
from treatments.editorial import history
from treatments.media.pictures import process_upload
from treatments.models import EDITORS_GROUP, REVIEWERS_GROUP, Image
from treatments.models.document import FAQS_LABEL, changes_between, document_from_treatment
from treatments.text.markdown import sanitize_html

pytestmark = pytest.mark.django_db

FORM = "treatment_form"
CHOOSE = "admin:treatments_image_choose"
UPLOAD = "admin:treatments_image_choose_upload"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def editor(client):
    client.force_login(staff_in("erin", EDITORS_GROUP))
    return client


@pytest.fixture
def peel(db):
    return make_treatment(
        faqs=[(f"Question {n}?", f"Answer {n}. It is short.") for n in range(1, 6)],
    )


def change_page(client, treatment) -> str:
    response = client.get(reverse("admin:treatments_treatment_change", args=[treatment.pk]))
    assert response.status_code == 200
    return response.content.decode()


# -- Part 4: pictures ---------------------------------------------------------------------


def test_each_section_and_answer_links_to_the_picture_library(editor, peel):
    html = change_page(editor, peel)
    library = reverse("admin:treatments_image_changelist")
    links = html.count(f'class="insert-picture" href="{library}"')
    # Every section, every question, and the blank ones a new section or question copies.
    assert links == peel.sections.count() + peel.faqs.count() + 2
    assert f'data-choose-url="{reverse(CHOOSE)}"' in html
    assert f'data-upload-url="{reverse(UPLOAD)}"' in html


def test_the_chooser_finds_pictures_by_every_word_of_their_description(editor, media):
    cheek = stored(process_upload(io.BytesIO(photo())))
    chin = Image(alt_text="Chin after two sessions")
    chin.store(process_upload(io.BytesIO(photo())))
    chin.save()

    html = editor.get(reverse(CHOOSE), {"q": "after cheek"}).content.decode()
    assert f'data-markdown="{cheek.markdown}"' in html
    assert chin.markdown not in html
    everything = editor.get(reverse(CHOOSE)).content.decode()
    assert everything.count('class="chooser-pick"') == 2
    nothing = editor.get(reverse(CHOOSE), {"q": "elbow"}).content.decode()
    assert "No picture's description has “elbow” in it" in nothing


def upload(client, data: bytes, alt: str):
    file = SimpleUploadedFile("IMG_0001.jpg", data, content_type="image/jpeg")
    return client.post(reverse(UPLOAD), {"upload": file, "alt_text": alt})


def test_an_upload_from_the_chooser_gives_its_markdown_and_drops_gps(editor, media):
    response = upload(editor, photo(), "Cheek before treatment")
    assert response.status_code == 201
    image = Image.objects.get()
    assert response.json() == {"markdown": image.markdown, "alt": "Cheek before treatment"}
    assert image.uploaded_by.username == "erin"
    assert not has_gps((media / image.file.name).read_bytes())


def test_an_upload_without_a_description_or_of_a_drawing_is_refused_in_words(editor, media):
    no_alt = upload(editor, photo(), "")
    assert no_alt.status_code == 400
    assert no_alt.json()["errors"]["alt_text"] == ["This field is required."]
    svg = upload(editor, b"<svg xmlns='http://www.w3.org/2000/svg'/>", "A drawing")
    assert svg.status_code == 400
    assert "SVG drawings cannot be used" in svg.json()["errors"]["upload"][0]
    assert not Image.objects.exists()
    assert not (media / "images").exists() or not any((media / "images").iterdir())


def test_only_staff_who_may_add_pictures_upload_them(client, media):
    client.force_login(staff_in("rita", REVIEWERS_GROUP))
    assert client.get(reverse(CHOOSE)).status_code == 200
    assert upload(client, photo(), "Cheek").status_code == 403
    assert not Image.objects.exists()


def test_the_sanitizer_keeps_only_srcsets_and_sizes_of_this_site():
    own = '<img src="/media/a.webp" srcset="/media/a.webp 480w, /media/b.webp 800w" sizes="35rem">'
    assert 'srcset="/media/a.webp 480w, /media/b.webp 800w"' in sanitize_html(own)
    assert 'sizes="35rem"' in sanitize_html(own)
    for hostile in (
        '<img src="/a.webp" srcset="/a.webp 480w, https://tracker.example/p.png 800w">',
        '<img src="/a.webp" srcset="javascript:alert(1) 1x">',
        '<img src="/a.webp" srcset="">',
    ):
        assert "srcset" not in sanitize_html(hostile)
    assert "sizes" not in sanitize_html('<img src="/a.webp" sizes="x;y{z}">')


# -- Part 5: a page that fits the task ----------------------------------------------------


def test_sections_and_questions_close_showing_their_length_and_grade(editor, peel):
    html = change_page(editor, peel)
    assert html.count('<details class="inline-details" open>') == (
        peel.sections.count() + peel.faqs.count() + 2
    )
    assert "<summary>5 words, reading grade" in html
    # A blank new question says so rather than scoring nothing.
    assert "<summary>No text yet</summary>" in html


def test_save_preview_and_publish_are_at_the_top_too(editor, peel):
    html = change_page(editor, peel)
    top = html[
        html.index('<div class="top-actions"') : html.index("</div>", html.index("top-actions"))
    ]
    assert 'data-live="yes"' in top
    assert 'value="Save draft"' in top
    assert ">Preview</button>" in top
    assert 'name="_publish" value="Publish now"' in top


def test_a_question_moved_to_the_top_is_one_change_in_history(editor, peel):
    before = document_from_treatment(peel)
    data = form_data(change_page(editor, peel), FORM)
    # What the page sends after "5" is typed over the last question's position, then 1.
    for index in range(5):
        data[f"faqs-{index}-position"] = str(index + 2)
    data["faqs-4-position"] = "1"
    response = editor.post(reverse("admin:treatments_treatment_change", args=[peel.pk]), data)
    assert response.status_code == 302

    assert list(peel.faqs.values_list("question", flat=True))[:2] == ["Question 5?", "Question 1?"]
    versions = list(history.versions_of(peel))
    assert len(versions) == 1
    changes = changes_between(before, history.document_from_version(versions[0]))
    assert [change.label for change in changes] == [f"{FAQS_LABEL}: order"]


def test_a_draft_save_says_patients_still_see_the_published_page(editor, peel):
    data = form_data(change_page(editor, peel), FORM)
    data["faqs-0-answer"] = "A new answer."
    data["_continue"] = "Save draft"
    response = editor.post(
        reverse("admin:treatments_treatment_change", args=[peel.pk]), data, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any(
        m.startswith("Saved as a draft: patients still see the published page") for m in messages
    )
