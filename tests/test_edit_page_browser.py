"""The edit page in chromium (issue 15, parts 4 and 5): a picture placed from a section
shows sized in the preview, a question goes to the top by keyboard, leaving with unsaved
text asks first, deleting a live question asks first, and axe finds nothing on the page,
light or dark. Clicks and keys are counted for the closing figures.
"""

import io

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import expect

from tests import test_admin_browser as admin_browser
from tests.conftest import AXE_JS
from tests.test_accessibility import RUN_AXE
from tests.test_images import photo
from treatments.media.pictures import process_upload
from treatments.models import FAQ, Image, Section, Treatment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The fixtures of the staff-editing browser tests: the imported site, windows that fail
# the test on any page error or CSP report.
site = admin_browser.site
desk = admin_browser.desk
Clicks = admin_browser.Clicks


class Keys:
    """Counts key presses other than the words typed, as the closing figures do."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def press(self, key: str) -> None:
        self.count += 1
        self.page.keyboard.press(key)


def open_microneedling(page, site_url: str, clicks: Clicks) -> None:
    admin_browser.sign_in(page, site_url, "sam", clicks)
    admin_browser.open_treatment(page, "Microneedling", clicks)


def overview(page):
    """The Overview section's text box (the first section)."""
    return page.locator("#id_sections-0-body")


def test_a_picture_uploaded_from_a_section_shows_sized_in_the_preview(desk, site):
    page, clicks = desk(), Clicks()
    open_microneedling(page, site, clicks)
    body = overview(page)
    clicks.click(body)
    page.keyboard.press("Control+End")
    clicks.click(page.locator("#sections-0").get_by_role("button", name="Insert picture"))
    dialog = page.get_by_role("dialog", name="Insert a picture")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".chooser-results")).to_contain_text("no pictures yet")

    dialog.get_by_label("Picture file").set_input_files(
        files=[
            {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo(size=(1000, 750))}
        ]
    )
    # No description: refused in words, and the chosen file is kept.
    clicks.click(dialog.get_by_role("button", name="Upload and insert"))
    expect(dialog.get_by_role("alert")).to_contain_text("describe what the picture shows")
    assert dialog.get_by_label("Picture file").evaluate("input => input.files.length") == 1
    dialog.get_by_label("Describe what it shows").fill("Skin a week after microneedling")
    clicks.click(dialog.get_by_role("button", name="Upload and insert"))
    expect(dialog).to_be_hidden()

    image = Image.objects.get()
    assert body.input_value().endswith(f"\n\n{image.markdown}")
    with page.context.expect_page() as opened:
        clicks.click(page.get_by_role("button", name="Preview"))
    preview = opened.value
    preview.wait_for_load_state()
    shown = preview.locator(f"main img[alt='{image.alt_text}']")
    expect(shown).to_have_attribute("width", "1000")
    expect(shown).to_have_attribute("height", "750")
    expect(shown).to_have_attribute("srcset", image.srcset)
    expect(shown).to_have_attribute("loading", "lazy")
    shown.scroll_into_view_if_needed()
    assert shown.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    # Saved nowhere yet: the preview came from the page.
    assert image.token not in Section.objects.get(treatment__slug="microneedling", position=1).body
    # Sign in, Treatments, Microneedling, the text box, Insert picture, Upload (refused),
    # Upload, Preview.
    assert clicks.count == 8


def test_a_picture_from_the_library_goes_where_the_cursor_is(desk, site):
    upload = Image(alt_text="Cheek before treatment")
    upload.store(process_upload(io.BytesIO(photo())))
    upload.save()
    page, clicks = desk(), Clicks()
    open_microneedling(page, site, clicks)
    body = overview(page)
    first_line = body.input_value().split("\n", 1)[0]
    clicks.click(body)
    page.keyboard.press("Control+Home")
    clicks.click(page.locator("#sections-0").get_by_role("button", name="Insert picture"))
    dialog = page.get_by_role("dialog", name="Insert a picture")
    dialog.get_by_label("Find a picture by what it shows").fill("cheek before")
    expect(dialog.locator(".chooser-count")).to_contain_text("matching “cheek before”")
    clicks.click(dialog.get_by_role("button", name="Cheek before treatment"))
    expect(dialog).to_be_hidden()
    assert body.input_value().startswith(f"{upload.markdown}\n\n{first_line}")
    expect(body).to_be_focused()

    clicks.click(page.get_by_role("button", name="Save", exact=True))
    page.wait_for_selector(".messagelist")
    section = Section.objects.get(treatment__slug="microneedling", position=1)
    assert 'height="480"' in section.body_html
    assert 'width="640"' in section.body_html
    assert f'srcset="{upload.srcset}"' in section.body_html
    # Sign in, Treatments, Microneedling, the text box, Insert picture, the picture, Save.
    assert clicks.count == 7


def test_a_question_goes_to_the_top_by_keyboard_and_saves_in_that_order(desk, site):
    page, clicks = desk(), Clicks()
    open_microneedling(page, site, clicks)
    keys = Keys(page)
    questions = list(
        FAQ.objects.filter(treatment__slug="microneedling").values_list("question", flat=True)
    )
    last = len(questions) - 1
    position = page.locator(f"#id_faqs-{last}-position")
    position.focus()  # as Tab reaches it; a click would count the same
    keys.press("Control+A")
    page.keyboard.type("1")
    keys.press("Tab")

    group = page.locator("#faqs-group")
    first = group.locator(".inline-related:not(.empty-form)").first
    expect(first.locator(".inline_label")).to_have_text(questions[-1])
    expect(group.locator(".order-status")).to_have_text(
        f"Moved “{questions[-1]}” to number 1 of {len(questions)}."
    )
    expect(position).to_be_focused()
    numbers = group.locator("input[name$='-position']:not([name*='__prefix__'])")
    assert numbers.evaluate_all("boxes => boxes.map(b => b.value)") == [
        str(n) for n in range(1, len(questions) + 1)
    ]

    clicks.click(page.get_by_role("button", name="Save", exact=True))
    page.wait_for_selector(".messagelist")
    saved = list(
        FAQ.objects.filter(treatment__slug="microneedling").values_list("question", flat=True)
    )
    assert saved == [questions[-1], *questions[:-1]]
    # Select the number, type 1, Tab: two keys besides the digit; then Save.
    assert (keys.count, clicks.count) == (2, 4)


def test_leaving_with_unsaved_text_asks_first(desk, site):
    page = desk()
    open_microneedling(page, site, Clicks())
    seen = []

    def answer(dialog) -> None:
        seen.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.fill("#id_summary", "A new summary, not saved yet.")
    page.get_by_role("link", name="Home").first.click(no_wait_after=True)
    expect(page.locator("#id_summary")).to_have_value("A new summary, not saved yet.")
    assert seen == ["beforeunload"]

    # Saving is not leaving: no question.
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector(".messagelist")
    assert seen == ["beforeunload"]


def test_deleting_a_question_patients_see_asks_first(desk, site):
    page = desk()
    open_microneedling(page, site, Clicks())
    asked = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer)
    delete = page.locator("#id_faqs-0-DELETE")
    delete.click()
    assert len(asked) == 1
    assert "Patients can see" in asked[0]
    expect(delete).not_to_be_checked()
    page.remove_listener("dialog", answer)
    page.on("dialog", lambda dialog: dialog.accept())
    delete.click()
    expect(delete).to_be_checked()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_edit_page_has_no_axe_violations(browser, site, scheme):
    # axe goes in as an inline script, which the CSP rightly refuses: bypassed for axe only.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, color_scheme=scheme, bypass_csp=True
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    open_microneedling(page, site, Clicks())
    page.add_script_tag(path=str(AXE_JS))
    found = page.evaluate(RUN_AXE)
    assert found == [], "\n".join([scheme, *found])
    # With the picture chooser open too.
    page.locator("#sections-0").get_by_role("button", name="Insert picture").click()
    expect(page.locator(".chooser-count")).to_be_visible()
    found = page.evaluate(RUN_AXE)
    assert found == [], "\n".join([scheme, *found])
    context.close()
    assert errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_add_an_editor_form_has_no_axe_violations(browser, site, scheme):
    User.objects.create_superuser("boss", password=admin_browser.PASSWORD)
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, color_scheme=scheme, bypass_csp=True
    )
    page = context.new_page()
    admin_browser.sign_in(page, site, "boss")
    page.goto(site + reverse("admin:auth_user_add_editor"))
    page.get_by_role("button", name="Add").click()  # with its errors showing too
    expect(page.locator(".errornote")).to_be_visible()
    page.add_script_tag(path=str(AXE_JS))
    found = page.evaluate(RUN_AXE)
    context.close()
    assert found == [], "\n".join([scheme, *found])


def test_on_a_phone_the_buttons_are_at_the_top_and_the_bottom(desk, site, browser):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    open_microneedling(page, site, Clicks())
    top = page.locator(".top-actions")
    expect(top.get_by_role("button", name="Save draft")).to_be_visible()
    expect(top.get_by_role("button", name="Preview")).to_be_visible()
    expect(top.get_by_role("button", name="Publish now")).to_be_visible()
    context.close()
    wide = desk()
    open_microneedling(wide, site, Clicks())
    expect(wide.locator(".top-actions")).to_be_hidden()
    # The row at the bottom is on screen from the top of the page.
    expect(wide.get_by_role("button", name="Save", exact=True)).to_be_in_viewport()
    assert Treatment.objects.get(slug="microneedling").status == Treatment.Status.PUBLISHED
