"""The edit page as the editor types (issue 15, parts 2 and 3), through the test client:
the live checks endpoint, the live preview it keeps, the preview opening at the part being
edited, Markdown mistakes refused on save, and preview and public page made alike."""

import html
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.admin_forms import form_data
from tests.conftest import make_treatment
from treatments.content.sync import export_text
from treatments.models import FAQ, Page, Treatment

pytestmark = pytest.mark.django_db

FORM = "treatment_form"
EASY = "It can sting a bit. Most people say it feels like a mild sunburn. It fades in a day."
HARD = (
    "Considerable physiological discomfort, characteristically experienced "
    "as intermittent stinging sensations, occasionally necessitates topical anaesthetic "
    "preparation administered preoperatively."
)


@pytest.fixture
def staff(client):
    user = User.objects.create_superuser("sam", "sam@example.com", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def peel(db) -> Treatment:
    return make_treatment(
        faqs=[("Does it hurt?", EASY), ("How long?", "About an hour.")],
        reminders=[(1, "Keep your skin clean"), (7, "Use sunscreen every day")],
        duration="About an hour",
        downtime="One or two days of redness",
    )


def change_url(treatment: Treatment) -> str:
    return reverse("admin:treatments_treatment_change", args=[treatment.pk])


def live_url(treatment: Treatment) -> str:
    return reverse("admin:treatments_treatment_live", args=[treatment.pk])


def opened(client, treatment: Treatment) -> dict:
    return form_data(client.get(change_url(treatment)).content.decode(), FORM)


def live(client, treatment: Treatment, data: dict) -> dict:
    response = client.post(live_url(treatment), data)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def grade(notes: list[str]) -> float:
    return float(re.search(r"reading grade ([\d.]+)", notes[0])[1])


def test_the_checks_follow_the_copy_as_typed_and_nothing_is_saved(staff, peel):
    before = export_text(peel)
    data = opened(staff, peel)
    easy = live(staff, peel, data)
    assert re.fullmatch(
        r"\d+ words; reading grade [\d.]+ \(aim for 8 or below\)\. "
        r"SMOG [\d.]+ \(aim for 10 or below\)\.",
        easy["parts"]["faqs-0"]["notes"][0],
    )
    assert "reading grade" in easy["parts"]["sections-0"]["notes"][0]
    assert "There are 2 questions; aim for 5 or more." in easy["checks"]

    data["faqs-0-answer"] = HARD
    hard = live(staff, peel, data)
    assert grade(hard["parts"]["faqs-0"]["notes"]) > 8 > grade(easy["parts"]["faqs-0"]["notes"])
    assert any("SMOG" in note and "above 10" in note for note in hard["parts"]["faqs-0"]["notes"])
    assert "Reading grade" in hard["checks"]
    # The line the answer shows when closed follows the typing as well.
    assert "aim for" not in easy["parts"]["faqs-0"]["summary"]
    assert hard["parts"]["faqs-0"]["summary"].endswith("(aim for 8 or below)")
    # What the edit page shows when it is opened says the same for a saved copy.
    change_page = staff.get(change_url(peel)).content.decode()
    assert easy["parts"]["faqs-0"]["notes"][0] in change_page
    assert f"<summary>{easy['parts']['faqs-0']['summary']}</summary>" in change_page
    assert export_text(Treatment.objects.with_content().get(pk=peel.pk)) == before
    assert "preview" not in hard  # only asked for on wide screens


def test_a_markdown_mistake_is_flagged_as_typed_and_refused_on_save(staff, peel):
    data = opened(staff, peel)
    data["faqs-0-answer"] = "It can **sting a little.\n\nAsk <b>us</b>."
    parts = live(staff, peel, data)["parts"]
    assert parts["faqs-0"]["box"] == "faqs-0-answer"
    problems = parts["faqs-0"]["problems"]
    assert problems[0].startswith('Line 1: Bold is not closed near "It can **sting a"')
    assert problems[1].startswith('Line 3: "<b>" and "</b>" are HTML')
    assert parts["faqs-1"]["problems"] == []

    response = staff.post(change_url(peel), data)
    assert response.status_code == 200  # the form again, not a redirect
    page = response.content.decode()
    assert "Not saved: patients would see this text broken." in page
    assert "Line 1: Bold is not closed" in page
    assert FAQ.objects.get(treatment=peel, position=1).answer == EASY

    data["faqs-0-answer"] = "It can **sting** a little. Ask us."
    assert live(staff, peel, data)["parts"]["faqs-0"]["problems"] == []
    assert staff.post(change_url(peel), data).status_code == 302
    assert FAQ.objects.get(treatment=peel, position=1).answer_html.startswith(
        "<p>It can <strong>sting</strong>"
    )


def test_a_section_with_an_off_site_picture_is_refused(staff, peel):
    data = opened(staff, peel)
    data["sections-0-body"] = "Intro.\n\n![A face](https://cdn.example.com/face.jpg)"
    response = staff.post(change_url(peel), data)
    assert response.status_code == 200
    assert 'Line 3: The picture "https://cdn.example.com/face.jpg" is on another website' in (
        html.unescape(response.content.decode())
    )


def test_a_site_page_with_a_skipped_heading_is_refused(staff):
    page = Page.objects.create(title="About", slug="about", description="About us.", body="Hi.")
    url = reverse("admin:treatments_page_change", args=[page.pk])
    data = form_data(staff.get(url).content.decode(), "page_form")
    data["body"] = "## Who we are\n\nA clinic.\n\n#### Our team\n\nNurses."
    response = staff.post(url, data)
    assert response.status_code == 200
    assert 'Line 5: The heading "Our team" skips a level' in html.unescape(
        response.content.decode()
    )
    data["body"] = "## Who we are\n\nA clinic.\n\n### Our team\n\nNurses."
    assert staff.post(url, data).status_code == 302


def test_the_live_preview_is_kept_and_opens_at_the_answer_being_edited(staff, peel):
    data = opened(staff, peel)
    data["faqs-1-answer"] = "About **forty** minutes."
    answer = live(staff, peel, {**data, "_live_preview": "1", "_preview_at": "faqs-1-answer"})
    preview = answer["preview"]
    assert preview["url"].endswith(f"/{peel.pk}/preview/live/faq/")
    assert preview["anchor"] == "how-long"

    page = staff.get(preview["url"])
    shown = page.content.decode()
    assert '<h2 id="how-long">How long?</h2>' in shown
    assert "<p>About <strong>forty</strong> minutes.</p>" in shown
    # The admin may show it in a frame; nothing else may, and the CSP is otherwise the same.
    assert page["X-Frame-Options"] == "SAMEORIGIN"
    new_tab = staff.get(
        staff.post(reverse("admin:treatments_treatment_preview", args=[peel.pk]), data)["Location"]
    )
    assert "frame-ancestors 'none'" in new_tab["Content-Security-Policy"]
    assert page["Content-Security-Policy"] == new_tab["Content-Security-Policy"].replace(
        "frame-ancestors 'none'", "frame-ancestors 'self'"
    )

    at_glance = live(staff, peel, {**data, "_live_preview": "1", "_preview_at": "duration"})
    assert at_glance["preview"] == {
        "url": preview["url"].removesuffix("faq/"),
        "anchor": "at-a-glance",
    }
    section = live(staff, peel, {**data, "_live_preview": "1", "_preview_at": "sections-2-body"})
    assert section["preview"]["anchor"] == "benefits"


def test_only_the_live_preview_may_be_framed(staff, peel):
    data = opened(staff, peel)
    new_tab = staff.post(reverse("admin:treatments_treatment_preview", args=[peel.pk]), data)
    page = staff.get(new_tab["Location"])
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert staff.get(change_url(peel))["X-Frame-Options"] == "DENY"
    staff.logout()
    public = Client().get(peel.get_absolute_url())
    assert public["X-Frame-Options"] == "DENY"


def test_the_new_tab_preview_opens_at_the_part_being_edited(staff, peel):
    data = opened(staff, peel)
    url = reverse("admin:treatments_treatment_preview", args=[peel.pk])
    assert staff.post(url + "?at=faqs-0-answer", data)["Location"].endswith("/faq/#does-it-hurt")
    assert staff.post(url + "?at=reminders-1-title", data)["Location"].endswith("/#aftercare")
    assert staff.post(url + "?at=summary", data)["Location"].endswith("/")
    data["faqs-0-DELETE"] = "on"
    assert staff.post(url + "?at=faqs-0-answer", data)["Location"].endswith("/faq/")


def test_the_live_checks_are_for_editors_only_and_need_the_csrf_token(client, peel):
    url = live_url(peel)
    assert client.post(url, {}).status_code == 302  # to the sign-in page
    viewer = User.objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(viewer)
    assert client.post(url, {}).status_code == 403

    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(User.objects.create_superuser("ed", "ed@example.com", "pw"))
    data = form_data(guarded.get(change_url(peel)).content.decode(), FORM)
    assert guarded.get(url).status_code == 405
    assert (
        guarded.post(url, {k: v for k, v in data.items() if k != "csrfmiddlewaretoken"}).status_code
        == 403
    )
    assert guarded.post(url, data).status_code == 200


def _main(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def _without_feedback(main: str) -> str:
    """The "Is this page helpful?" form is the one part a preview leaves out: staff's
    answers must not count as patients'."""
    return re.sub(r'\n?<section class="feedback.*?</section>\n?', "", main, flags=re.S)


def test_preview_and_public_page_show_the_same_html_for_the_same_copy(staff, peel):
    """The whole of <main>, at-a-glance box and reminders' timeline included, after the
    preview's own addresses are put back to the public ones."""
    data = opened(staff, peel)
    detail = staff.post(reverse("admin:treatments_treatment_preview", args=[peel.pk]), data)
    preview_url = detail["Location"]
    public_detail = Client().get(peel.get_absolute_url()).content.decode()
    public_faq = Client().get(peel.get_faq_url()).content.decode()

    def as_public(page: str) -> str:
        return (
            _main(page)
            .replace(preview_url + "faq/", peel.get_faq_url())
            .replace(preview_url, peel.get_absolute_url())
        )

    preview_detail = as_public(staff.get(preview_url).content.decode())
    preview_faq = as_public(staff.get(preview_url + "faq/").content.decode())
    assert 'id="at-a-glance"' in preview_detail
    assert "Use sunscreen every day" in preview_detail  # a reminder, on the timeline
    assert "One or two days of redness" in preview_detail
    assert 'class="feedback' in _main(public_detail)
    assert preview_detail == _without_feedback(_main(public_detail))
    assert preview_faq == _without_feedback(_main(public_faq))
