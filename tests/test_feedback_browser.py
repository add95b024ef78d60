"""'Is this page helpful?' in chromium: with JavaScript in place, without it by plain posts.

Each test reads what was stored, that the browser holds no cookie, and (with
JavaScript) that the page never reloaded and the CSP refused nothing. axe checks the
states the page tests cannot reach: the comment box opened in place, and the
thank-you page that offers it without JavaScript. On paper the question is not shown.
"""

import pytest
from django.core.management import call_command

from tests.conftest import CONTENT_DIR
from tests.test_accessibility import _violations
from treatments.models import Feedback, SiteSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TREATMENT = "/treatments/microneedling/"


@pytest.fixture
def site_url(live_server):
    call_command("import_content", str(CONTENT_DIR), verbosity=0)
    SiteSettings.objects.create(phone="020 7946 0123")
    return live_server.url


def _page(browser, javascript: bool, scheme: str = "light"):
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": 375, "height": 812}, color_scheme=scheme
    )
    return context, context.new_page()


def _csp_reports(page) -> list[str]:
    reports: list[str] = []
    page.on(
        "console",
        lambda message: (
            reports.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return reports


def test_with_javascript_no_and_a_comment_are_sent_in_place(browser, site_url):
    context, page = _page(browser, javascript=True)
    reports = _csp_reports(page)
    page.goto(site_url + TREATMENT)
    page.wait_for_load_state("networkidle")
    # Set on this document only: a reload or another page would lose it.
    page.evaluate("window.stillHere = true")
    question = page.get_by_role("region", name="Is this page helpful?")
    box = page.get_by_label("What was missing or unclear? (optional)")
    assert not box.is_visible()

    with page.expect_response("**/feedback/") as answered:
        question.get_by_role("button", name="No").click()
    assert answered.value.status == 200
    assert box.is_visible()
    assert page.evaluate("document.activeElement.id") == "feedback-comment"
    assert not question.get_by_role("button", name="Yes").is_visible()
    assert "call us on 020 7946 0123" in question.inner_text()

    box.fill("It does not say how long the redness lasts.")
    with page.expect_response("**/feedback/comment/"):
        question.get_by_role("button", name="Send").click()
    page.get_by_role("status").filter(has_text="we cannot reply").wait_for()
    assert not box.is_visible()

    assert page.evaluate("window.stillHere") is True
    assert page.url == site_url + TREATMENT
    feedback = Feedback.objects.get()
    assert (feedback.page, feedback.helpful) == ("detail", False)
    assert feedback.comment == "It does not say how long the redness lasts."
    assert context.cookies() == []
    assert reports == []
    context.close()


def test_with_javascript_yes_is_thanked_in_place(browser, site_url):
    context, page = _page(browser, javascript=True)
    page.goto(site_url + TREATMENT + "faq/")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.stillHere = true")
    with page.expect_response("**/feedback/"):
        page.get_by_role("button", name="Yes").click()
    page.get_by_role("status").filter(has_text="Thank you for your feedback").wait_for()
    assert page.evaluate("window.stillHere") is True
    assert not page.get_by_label("What was missing or unclear? (optional)").is_visible()
    assert list(Feedback.objects.values_list("page", "helpful", "comment")) == [("faq", True, "")]
    assert context.cookies() == []
    context.close()


def test_without_javascript_no_leads_to_a_thank_you_that_takes_a_comment_and_leads_back(
    browser, site_url
):
    context, page = _page(browser, javascript=False)
    page.goto(site_url + TREATMENT + "aftercare/")
    assert not page.get_by_label("What was missing or unclear? (optional)").is_visible()
    page.get_by_role("button", name="No").click()
    assert "/feedback/thanks/" in page.url
    page.get_by_role("heading", name="Thank you for your feedback").wait_for()
    page.get_by_label("What was missing or unclear? (optional)").fill("Can I wear makeup?")
    page.get_by_role("button", name="Send").click()
    assert page.get_by_label("What was missing or unclear? (optional)").count() == 0
    page.get_by_role("link", name="Go back to the page you were reading").click()
    assert page.url == site_url + TREATMENT + "aftercare/#feedback"
    feedback = Feedback.objects.get()
    assert (feedback.page, feedback.helpful, feedback.comment) == (
        "aftercare",
        False,
        "Can I wear makeup?",
    )
    assert context.cookies() == []
    context.close()


def test_without_javascript_yes_leads_to_a_thank_you_and_back(browser, site_url):
    context, page = _page(browser, javascript=False)
    page.goto(site_url + TREATMENT + "before/")
    page.get_by_role("button", name="Yes").click()
    page.get_by_role("heading", name="Thank you for your feedback").wait_for()
    assert page.get_by_label("What was missing or unclear? (optional)").count() == 0
    page.get_by_role("link", name="Go back to the page you were reading").click()
    assert page.url == site_url + TREATMENT + "before/#feedback"
    assert list(Feedback.objects.values_list("page", "helpful")) == [("before", True)]
    assert context.cookies() == []
    context.close()


def test_the_question_is_on_screen_not_on_paper(browser, site_url):
    context, page = _page(browser, javascript=True)
    for path in (TREATMENT, TREATMENT + "faq/", TREATMENT + "before/", TREATMENT + "aftercare/"):
        page.goto(site_url + path)
        question = page.get_by_role("heading", name="Is this page helpful?")
        page.emulate_media(media="screen")
        assert question.is_visible(), path
        page.emulate_media(media="print")
        assert not question.is_visible(), path
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_opened_comment_box_and_the_thank_you_page_pass_axe(
    browser, site_url, axe_path, scheme
):
    context = browser.new_context(
        viewport={"width": 375, "height": 900}, color_scheme=scheme, bypass_csp=True
    )
    page = context.new_page()
    page.goto(site_url + TREATMENT)
    page.wait_for_load_state("networkidle")
    with page.expect_response("**/feedback/"):
        page.get_by_role("button", name="No").click()
    page.get_by_label("What was missing or unclear? (optional)").wait_for()
    assert _violations(page, axe_path) == []
    context.close()

    # The thank-you page with its comment box, reached without JavaScript; axe then runs
    # on the same address in a page that may run it.
    plain_context, plain = _page(browser, javascript=False, scheme=scheme)
    plain.goto(site_url + TREATMENT)
    plain.get_by_role("button", name="No").click()
    plain.get_by_role("heading", name="Thank you for your feedback").wait_for()
    thanks_url = plain.url
    plain_context.close()
    context = browser.new_context(
        viewport={"width": 375, "height": 900}, color_scheme=scheme, bypass_csp=True
    )
    page = context.new_page()
    page.goto(thanks_url)
    assert page.get_by_label("What was missing or unclear? (optional)").is_visible()
    assert _violations(page, axe_path) == []
    context.close()
