"""Clicks, keys and scrolling for three editing tasks on the treatment edit page (issue 15's
closing figures), measured in chromium on the shipped Microneedling page at 1280 x 900.

Run it on this tree and on an older one to compare (it finds which page it is on):

    .venv/bin/pytest bench/edit_effort.py -s -p no:cacheprovider

Each task starts on the open edit page, signed in. Counted: clicks (choosing a file is
two: the button and the file), keys pressed other than the words typed, the characters
typed, pages loaded, and how far the person must scroll to reach each thing they click
(pixels outside the window at that moment). Prints one line per task.
"""

import io

import pytest

from tests import conftest
from tests import test_admin_browser as admin_browser
from tests.test_images import photo
from treatments.media.pictures import process_upload
from treatments.models import FAQ, Image, Section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = conftest.browser
page_cache = conftest.page_cache
site = admin_browser.site
SENTENCE = "It feels like light scratching."


def overview_text() -> str:
    return Section.objects.get(treatment__slug="microneedling", kind="overview").body


class Effort:
    """What one task costs a person."""

    def __init__(self, page):
        self.page = page
        self.clicks = self.keys = self.typed = self.loads = self.scrolled = 0
        page.on("load", self.loaded)

    def loaded(self, _page) -> None:
        self.loads += 1

    def _reach(self, locator) -> None:
        box = locator.bounding_box()
        height = self.page.viewport_size["height"]
        if box is not None:
            self.scrolled += int(max(0, box["y"] + box["height"] - height, -box["y"]))

    def click(self, locator, **kwargs) -> None:
        self._reach(locator)
        self.clicks += 1
        locator.click(**kwargs)

    def choose_file(self, locator, data: bytes) -> None:
        self._reach(locator)
        self.clicks += 2
        locator.set_input_files(
            files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": data}]
        )

    def press(self, key: str) -> None:
        self.keys += 1
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.typed += len(text)
        self.page.keyboard.type(text)

    def open_library(self):
        """The picture library in a second tab (so the edit page keeps what is typed)."""
        with self.page.context.expect_page() as opened:
            self.click(self.page.locator("#nav-sidebar a[href$='/image/']"), modifiers=["Control"])
        library = opened.value
        library.on("load", self.loaded)
        library.wait_for_load_state()
        self.clicks += 1  # to the new tab
        self.page = library
        return library

    def paste_at_end(self, edit_page, box, text: str) -> None:
        """Back to the edit tab, and the copied Markdown pasted at the end of ``box``."""
        self.clicks += 1  # back to the edit tab
        self.page = edit_page
        self.click(box)
        self.press("Control+End")
        edit_page.keyboard.insert_text("\n\n" + text)
        self.keys += 1  # Control+V, which pastes it

    def report(self, task: str) -> str:
        return (
            f"{task}: {self.clicks} clicks, {self.keys} keys, {self.typed} characters typed, "
            f"{self.loads} pages loaded, {self.scrolled} px to scroll"
        )


@pytest.fixture
def edit_page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    admin_browser.sign_in(page, site, "sam")
    admin_browser.open_treatment(page, "Microneedling")
    page.evaluate("window.scrollTo(0, 0)")
    yield page
    context.close()


def test_height_of_the_page(edit_page):
    height = edit_page.evaluate("document.scrollingElement.scrollHeight")
    line = f"edit page height: {height} px"
    close = edit_page.locator(".toggle-parts")
    if close.count():
        close.first.click()
        close.last.click()
        line += f"; {edit_page.evaluate('document.scrollingElement.scrollHeight')} px closed"
    print(line)


def test_a_change_a_sentence_in_an_faq_and_publish(edit_page):
    effort = Effort(edit_page)
    answer = edit_page.locator("#id_faqs-0-answer")
    effort.click(answer)
    effort.press("Control+Home")
    effort.press("Shift+End")
    effort.type(SENTENCE)
    effort.click(edit_page.get_by_role("button", name="Save and publish now, without review"))
    edit_page.wait_for_selector(".messagelist")
    assert SENTENCE in FAQ.objects.filter(treatment__slug="microneedling").first().answer
    print(effort.report("(a) change a sentence in an FAQ and publish"))


def test_b_add_a_new_picture_to_a_section(edit_page):
    effort = Effort(edit_page)
    body = edit_page.locator("#id_sections-0-body")
    picture = photo(size=(1000, 750))
    alt = "Skin a week after"
    if edit_page.locator(".insert-picture-button").count():
        effort.click(body)
        effort.press("Control+End")
        effort.click(edit_page.locator("#sections-0").get_by_role("button", name="Insert picture"))
        dialog = edit_page.get_by_role("dialog")
        effort.choose_file(dialog.get_by_label("Picture file"), picture)
        effort.click(dialog.get_by_label("Describe what it shows"))
        effort.type(alt)
        effort.click(dialog.get_by_role("button", name="Upload and insert"))
        dialog.wait_for(state="hidden")
    else:
        library = effort.open_library()
        effort.click(library.locator(".object-tools a.addlink"))
        effort.choose_file(library.locator("input[name=upload]"), picture)
        effort.click(library.locator("#id_alt_text"))
        effort.type(alt)
        effort.click(library.get_by_role("button", name="Save", exact=True))
        library.wait_for_selector(".messagelist")
        effort.click(library.get_by_role("button", name="Copy").first)
        snippet = library.locator("input.markdown-snippet").first.input_value()
        effort.paste_at_end(edit_page, body, snippet)
    effort.click(edit_page.get_by_role("button", name="Save", exact=True))
    edit_page.wait_for_selector(".messagelist")
    assert Image.objects.get().figure_url in overview_text()
    print(effort.report("(b) add a new picture to a section"))


def test_b2_add_a_library_picture_to_a_section(edit_page):
    image = Image(alt_text="Cheek before treatment")
    image.store(process_upload(io.BytesIO(photo())))
    image.save()
    edit_page.reload()
    effort = Effort(edit_page)
    body = edit_page.locator("#id_sections-0-body")
    if edit_page.locator(".insert-picture-button").count():
        effort.click(body)
        effort.press("Control+End")
        effort.click(edit_page.locator("#sections-0").get_by_role("button", name="Insert picture"))
        dialog = edit_page.get_by_role("dialog")
        effort.click(dialog.get_by_label("Find a picture by what it shows"))
        effort.type("cheek")
        effort.click(dialog.get_by_role("button", name="Cheek before treatment"))
        dialog.wait_for(state="hidden")
    else:
        library = effort.open_library()
        effort.click(library.locator("#searchbar"))
        effort.type("cheek")
        effort.press("Enter")
        library.wait_for_load_state()
        effort.click(library.get_by_role("button", name="Copy").first)
        effort.paste_at_end(edit_page, body, image.markdown)
    effort.click(edit_page.get_by_role("button", name="Save", exact=True))
    edit_page.wait_for_selector(".messagelist")
    assert image.figure_url in overview_text()
    print(effort.report("(b) add a library picture to a section"))


def test_c_move_the_last_faq_to_the_top(edit_page):
    effort = Effort(edit_page)
    questions = list(
        FAQ.objects.filter(treatment__slug="microneedling").values_list("question", flat=True)
    )
    last = len(questions) - 1
    part = edit_page.locator(f"#faqs-{last}")
    if edit_page.locator(".toggle-parts").count():
        effort.click(edit_page.locator(f"#id_faqs-{last}-position"))
        effort.press("Control+A")
        effort.type("1")
        effort.press("Tab")
    else:
        for _ in range(last):
            effort.click(part.get_by_role("button", name="Move up"))
    effort.click(edit_page.get_by_role("button", name="Save", exact=True))
    edit_page.wait_for_selector(".messagelist")
    saved = FAQ.objects.filter(treatment__slug="microneedling").values_list("question", flat=True)
    assert saved[0] == questions[-1]
    print(effort.report(f"(c) move question {last + 1} of {last + 1} to the top"))
