"""Preview of a site page (About, Privacy) from its edit page: the copy as typed, unsaved,
through the public page's template; only for staff who may edit it, and only their own."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.admin_forms import form_data
from treatments.models import Page, Publication
from treatments.models.workflow import publish_without_review

pytestmark = pytest.mark.django_db

BODY = "## Who we are\n\nA small clinic."


@pytest.fixture
def about(db) -> Page:
    page = Page.objects.create(title="About us", slug="about", description="d", body=BODY)
    publish_without_review(page, None)
    return page


@pytest.fixture
def staff(client) -> Client:
    client.force_login(User.objects.create_superuser("sam", "sam@example.com", "pw"))
    return client


def change_url(page: Page) -> str:
    return reverse("admin:treatments_page_change", args=[page.pk])


def preview(client: Client, page: Page, **changes: str) -> str:
    """Press Preview with the edit form as opened, changed by ``changes``: the preview's
    address."""
    data = form_data(client.get(change_url(page)).content.decode(), "page_form")
    response = client.post(
        reverse("admin:treatments_page_preview", args=[page.pk]), {**data, **changes}
    )
    assert response.status_code == 302
    return response["Location"]


def test_the_edit_page_has_a_preview_button(staff, about):
    html = staff.get(change_url(about)).content.decode()
    action = reverse("admin:treatments_page_preview", args=[about.pk])
    assert f'formaction="{action}" formtarget="_blank">Preview</button>' in html


def test_preview_shows_the_typed_copy_and_saves_nothing(staff, about):
    url = preview(
        staff,
        about,
        title="About this clinic",
        body="## Who we are\n\nA **friendly** clinic. <script>alert(1)</script>",
    )
    response = staff.get(url)
    html = response.content.decode()
    assert "<h1>About this clinic</h1>" in html
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert f"<p>A <strong>friendly</strong> clinic. {escaped}</p>" in html
    assert "<script>alert" not in html
    assert "<strong>Preview</strong>" in html
    assert "no-cache" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    # Nothing saved, and patients still read the page as it went live.
    about.refresh_from_db()
    assert (about.title, about.body) == ("About us", BODY)
    assert "A small clinic." in Client().get("/about/").content.decode()
    assert Publication.objects.page("about").title == "About us"


def test_a_body_the_save_would_refuse_is_still_previewed(staff, about):
    html = staff.get(preview(staff, about, body="Keep it **cool.")).content.decode()
    assert "Keep it **cool." in html


def test_preview_is_only_for_staff_who_may_edit_and_only_their_own(client, staff, about):
    url = reverse("admin:treatments_page_preview", args=[about.pk])
    assert Client().post(url, {}).status_code == 302  # to the sign-in page
    viewer = Client()
    viewer.force_login(User.objects.create_user("viewer", password="pw", is_staff=True))
    assert viewer.post(url, {}).status_code == 403
    # Another editor with the link finds nothing: a preview is its editor's own.
    shown = preview(staff, about, body="Draft words.")
    other = Client()
    other.force_login(User.objects.create_superuser("kim", "kim@example.com", "pw"))
    assert other.get(shown).status_code == 404
    assert staff.get(shown).status_code == 200


def test_an_expired_preview_says_so(staff, about):
    url = reverse("admin:treatments_page_preview_page", args=[about.pk, "nope"])
    assert staff.get(url).status_code == 404
