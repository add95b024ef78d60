"""Staff editing in a real browser (Debian's chromium through Playwright), under the real CSP."""

import io
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from PIL import Image as PILImage
from playwright.sync_api import expect

from tests.conftest import CONTENT_DIR, sign_off
from tests.test_images import has_gps, photo
from treatments.models import (
    FAQ,
    REVIEWERS_GROUP,
    Image,
    Publication,
    StaffProfile,
    Treatment,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def site(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("import_content", str(CONTENT_DIR), verbosity=0)
    if not Group.objects.filter(name=REVIEWERS_GROUP).exists():
        # An earlier transactional test emptied the tables: make the groups as migrating does.
        import_module("treatments.migrations.0004_editors_group").create_editors(django_apps, None)
        import_module("treatments.migrations.0007_reviewers_and_live_pages").roles(
            django_apps, None
        )
    for name in ("sam", "alex"):
        user = User.objects.create_user(
            name, password=PASSWORD, is_staff=True, first_name=name.title()
        )
        user.groups.add(Group.objects.get(name="Editors"))
    return live_server.url


class Clicks:
    """Counts the clicks a person makes, the number the issue asks for."""

    def __init__(self):
        self.count = 0

    def click(self, locator) -> None:
        self.count += 1
        locator.click()


@pytest.fixture
def desk(browser):
    """A fresh browser window at desktop size, failing the test on any page or CSP error."""
    contexts, errors = [], []

    def open_window():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.on("page", watch)
        contexts.append(context)
        return context.new_page()

    def watch(window) -> None:
        window.on(
            "console", lambda m: m.type == "error" and errors.append(f"{m.text} {m.location}")
        )
        window.on("pageerror", lambda exc: errors.append(str(exc)))
        window.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))

    yield open_window
    for context in contexts:
        context.close()
    assert errors == []


def sign_in(page, site_url: str, username: str, clicks: Clicks | None = None) -> None:
    page.goto(site_url + reverse("admin:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    (clicks or Clicks()).click(page.locator("input[type=submit]"))
    page.wait_for_url("**" + reverse("admin:index"))


def open_treatment(page, title: str, clicks: Clicks | None = None) -> None:
    clicks = clicks or Clicks()
    clicks.click(
        page.locator(f"a[href='{reverse('admin:treatments_treatment_changelist')}']").first
    )
    clicks.click(page.get_by_role("link", name=title, exact=True))
    page.wait_for_selector("#treatment_form")


def faq_answer(page, question: str):
    """The answer box of the question whose question box holds ``question``."""
    for index in range(page.locator("textarea[name$='-answer']").count()):
        if page.input_value(f"#id_faqs-{index}-question") == question:
            return page.locator(f"#id_faqs-{index}-answer")
    raise AssertionError(f"no question {question!r} on the page")


def test_edit_an_answer_preview_it_publish_it_and_patients_see_it(desk, site):
    Treatment.objects.filter(slug="microneedling").update(status=Treatment.Status.DRAFT)
    Publication.objects.all().delete()
    question = FAQ.objects.filter(treatment__slug="microneedling").first().question
    new_answer = "It feels like light scratching. We numb your skin first, so it rarely hurts."
    page = desk()
    clicks = Clicks()

    sign_in(page, site, "sam", clicks)
    open_treatment(page, "Microneedling", clicks)
    answer = faq_answer(page, question)
    clicks.click(answer)
    answer.fill(new_answer)

    with page.context.expect_page() as opened:
        clicks.click(page.get_by_role("button", name="Preview"))
    preview = opened.value
    preview.wait_for_load_state()
    assert "Preview" in preview.locator(".preview-banner").inner_text()
    # It opens where the editor was typing: the questions page, at the question.
    preview.wait_for_url("**/faq/#*")
    anchor = preview.url.rsplit("#", 1)[1]
    assert preview.locator(f"h2[id='{anchor}']").inner_text() == question
    assert new_answer in preview.locator("main").inner_text()
    preview.close()  # back to the editing tab, where nothing has been saved yet
    assert (
        new_answer not in FAQ.objects.get(treatment__slug="microneedling", question=question).answer
    )

    clicks.click(page.get_by_role("button", name="Save and publish now, without review"))
    message = page.locator(".messagelist").inner_text()
    assert "Live now: patients see it at /treatments/microneedling/" in message

    patient = desk()
    patient.goto(f"{site}/treatments/microneedling/faq/")
    assert new_answer in patient.locator("main").inner_text()
    assert patient.locator(".draft-banner").count() == 0
    # Sign in, open the list, open the treatment, click the answer, Preview, Publish.
    assert clicks.count == 6


def test_an_editors_change_reaches_patients_only_once_a_clinician_approves_it(desk, site, settings):
    """Issue 19's flow: the live page and its ETag stay as they are until approval."""
    sign_off(Treatment.objects.get(slug="microneedling"), name="Dr Omar Example", title="GP")
    settings.CLINICAL_SIGNOFF_REQUIRED = True
    rita = User.objects.create_user("rita", password=PASSWORD, is_staff=True)
    rita.groups.add(Group.objects.get(name=REVIEWERS_GROUP))
    StaffProfile.objects.create(
        user=rita,
        public_name="Dr Rita Example",
        professional_title="Consultant dermatologist, GMC 1234567",
    )
    question = FAQ.objects.get(treatment__slug="microneedling", question__icontains="sun").question
    new_answer = "Keep out of strong sun for a week, and wear a mineral sunscreen every day."
    faq_page = f"{site}/treatments/microneedling/faq/"
    patient = desk()
    before = patient.request.get(faq_page)
    assert new_answer not in before.text()
    editor, reviewer, clicks = desk(), desk(), Clicks()

    sign_in(editor, site, "sam", clicks)
    open_treatment(editor, "Microneedling", clicks)
    answer = faq_answer(editor, question)
    clicks.click(answer)
    answer.fill(new_answer)
    editor.fill("#id_review_note", "New sun advice.")
    clicks.click(editor.get_by_role("button", name="Save and submit for review"))
    assert "Sent for clinical review." in editor.locator(".messagelist").inner_text()

    after_save = patient.request.get(faq_page)
    assert after_save.headers["etag"] == before.headers["etag"]
    assert after_save.body() == before.body()

    sign_in(reviewer, site, "rita", clicks)
    clicks.click(reviewer.get_by_role("link", name="Waiting for clinical review"))
    clicks.click(reviewer.get_by_role("link", name="Microneedling"))
    expect(reviewer.locator(".review-request")).to_contain_text("New sun advice.")
    expect(reviewer.locator(".changes")).to_contain_text("mineral sunscreen")
    clicks.click(reviewer.get_by_role("button", name="Approve and publish"))
    assert "goes live now" in reviewer.locator(".messagelist").inner_text()

    patient.goto(faq_page)
    main = patient.locator("main").inner_text()
    assert new_answer in main
    assert "Dr Rita Example, Consultant dermatologist, GMC 1234567" in main
    assert patient.locator(".unreviewed-notice").count() == 0
    # Editor: sign in, Treatments, the treatment, the answer, Save and submit.
    # Reviewer: sign in, the waiting count, the submission, Approve.
    assert clicks.count == 9


def test_the_second_of_two_editors_is_refused_and_told_why(desk, site):
    sams, alexs = desk(), desk()
    for window, name in ((sams, "sam"), (alexs, "alex")):
        sign_in(window, site, name)
        open_treatment(window, "Microneedling")

    sams.fill("#id_summary", "Sam's new summary.")
    sams.get_by_role("button", name="Save", exact=True).click()
    assert "was changed successfully" in sams.locator(".messagelist").inner_text()

    alexs.fill("#id_title", "Microneedling (collagen induction)")
    alexs.get_by_role("button", name="Save", exact=True).click()
    refused = alexs.locator(".edit-conflict")
    assert refused.get_by_role("heading", level=2).inner_text() == (
        "Sam saved this treatment while you were editing it"
    )
    assert "Your changes have not been saved." in alexs.locator(".errorlist").inner_text()
    assert "Sam's new summary." in refused.locator(".diff-added").first.inner_text()
    assert alexs.input_value("#id_title") == "Microneedling (collagen induction)"
    treatment = Treatment.objects.get(slug="microneedling")
    assert treatment.title == "Microneedling"
    assert treatment.summary == "Sam's new summary."


def test_a_photo_with_gps_is_uploaded_and_stored_without_it(desk, site):
    page = desk()
    sign_in(page, site, "sam")
    page.goto(site + reverse("admin:treatments_image_add"))
    original = photo(size=(1200, 900), comment=b"Patient 1234")
    assert has_gps(original)
    page.set_input_files(
        "input[name=upload]",
        files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": original}],
    )
    page.fill("#id_alt_text", "Cheek before treatment")
    page.get_by_role("button", name="Save", exact=True).click()
    assert "was added successfully" in page.locator(".messagelist").inner_text()

    image = Image.objects.get()
    with default_storage.open(image.file.name) as stored:
        data = stored.read()
    assert not has_gps(data)
    assert b"Patient 1234" not in data
    assert PILImage.open(io.BytesIO(data)).getexif() == {}

    page.goto(site + reverse("admin:treatments_image_change", args=[image.pk]))
    shown = page.locator("img.library-picture")
    assert shown.evaluate("img => img.complete && img.naturalWidth") > 0
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy").click()
    expect(page.locator(".copy-button")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == image.markdown
    assert page.input_value("input.markdown-snippet") == image.markdown


def test_questions_can_be_put_in_order_with_the_buttons(desk, site):
    page = desk()
    sign_in(page, site, "sam")
    open_treatment(page, "Microneedling")
    first, second = page.input_value("#id_faqs-0-question"), page.input_value("#id_faqs-1-question")
    page.locator("#faqs-0").get_by_role("button", name="Move down").click()
    assert page.input_value("#id_faqs-0-position") == "2"
    assert page.input_value("#id_faqs-1-position") == "1"
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector(".messagelist")
    questions = list(
        FAQ.objects.filter(treatment__slug="microneedling").values_list("question", flat=True)
    )
    assert questions[:2] == [second, first]
