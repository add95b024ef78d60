"""The shipped microneedling page in a real browser (Debian's chromium through Playwright)."""

import pytest
from django.core.management import call_command

from tests.conftest import CONTENT_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site_url(live_server):
    call_command("import_content", str(CONTENT_DIR), verbosity=0)
    return live_server.url


def test_treatment_page_reads_and_navigates_on_a_phone(page, site_url):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))

    response = page.goto(f"{site_url}/treatments/microneedling/")
    assert response.status == 200
    assert page.locator("h1").inner_text() == "Microneedling"
    assert page.locator("main section h2").count() >= 10

    page.get_by_role("navigation", name="On this page").get_by_role(
        "link", name="Aftercare"
    ).click()
    page.wait_for_url("**/#aftercare", timeout=5000)
    assert page.locator("#aftercare").is_visible()

    # Nothing on the page is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert errors == []


def test_a_top_question_opens_its_answer_on_the_faq_page(page, site_url):
    page.goto(f"{site_url}/treatments/microneedling/")
    link = page.locator("a[href^='/treatments/microneedling/faq/#']").first
    question = link.inner_text()
    link.click()
    page.wait_for_load_state()
    anchor = page.url.split("#", 1)[1]
    heading = page.locator(f"h2#{anchor}")
    assert heading.inner_text() == question
    assert heading.is_visible()


def test_home_lists_the_treatment_and_the_skip_link_works(page, site_url):
    page.goto(f"{site_url}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    # The hash changes after the key event is handled: wait for it rather than race it.
    page.wait_for_url("**/#main", timeout=5000)
    page.get_by_role("link", name="Microneedling").click()
    page.wait_for_url("**/treatments/microneedling/", timeout=5000)
