"""The Content Security Policy in a real browser: public pages and the admin run with it
and nothing on them is refused, so the policy can stay strict.

Chromium fires a ``securitypolicyviolation`` event for everything the policy blocks;
a script added before any page script collects them, and the test reads them after
each page has loaded and been used. Console errors are read too, so a Permissions-Policy
feature Chromium does not know (which it reports there) is caught as well.
"""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from tests.conftest import CONTENT_DIR
from treatments.models import Treatment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile}:${event.lineNumber} ${event.sample || ""}`.trim()
  );
});
"""

PUBLIC_PAGES = [
    "/",
    "/treatments/",
    "/treatments/microneedling/",
    "/treatments/microneedling/faq/",
    "/treatments/microneedling/before/",
    "/treatments/microneedling/aftercare/",
    "/about/",
    "/search/?q=needle",
    "/no-such-page/",
]
PASSWORD = "a-long-staff-password-1"


@pytest.fixture
def site_url(live_server):
    call_command("import_content", str(CONTENT_DIR), verbosity=0)
    return live_server.url


@pytest.fixture
def watched_page(page):
    """The page fixture, collecting CSP violations and console errors."""
    page.add_init_script(COLLECT_VIOLATIONS)
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    return page


def _problems(page) -> list[str]:
    violations = page.evaluate("window.__cspViolations || []")
    console = [
        text
        for text in page.console_errors
        if "Content Security Policy" in text or "Permissions-Policy" in text
    ]
    return violations + console


def _visit(page, url: str, expected_status: int = 200) -> None:
    response = page.goto(url)
    assert response.status == expected_status, url
    assert "default-src 'self'" in response.headers["content-security-policy"], url
    page.wait_for_load_state("load")


def test_public_pages_run_under_the_policy_without_violations(watched_page, site_url):
    page = watched_page
    for path in PUBLIC_PAGES:
        _visit(page, site_url + path, 404 if path == "/no-such-page/" else 200)
        assert _problems(page) == [], path


def test_the_admin_runs_under_the_policy_without_violations(watched_page, site_url, settings):
    page = watched_page
    User.objects.create_superuser("editor", "editor@example.com", PASSWORD)
    treatment = Treatment.objects.get(slug="microneedling")
    admin = f"{site_url}/{settings.ADMIN_PATH}"

    _visit(page, f"{admin}login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(admin)
    assert _problems(page) == [], "login"

    for path in ("", "treatments/treatment/", "treatments/treatment/add/"):
        _visit(page, admin + path)
        assert _problems(page) == [], path

    # The edit page, used: its scripts run when inlines are added and fields typed in.
    _visit(page, f"{admin}treatments/treatment/{treatment.pk}/change/")
    add_links = page.locator(".add-row a")
    for index in range(add_links.count()):
        if add_links.nth(index).is_visible():
            add_links.nth(index).click()
    page.fill("#id_title", "Microneedling (edited)")
    for toggle in page.locator("details summary, .collapse-toggle").all():
        if toggle.is_visible():
            toggle.click()
    assert _problems(page) == [], "treatment change page"


def test_the_watcher_sees_a_violation_when_there_is_one(watched_page, site_url):
    """The tests above can fail: an inline script without the nonce is reported."""
    page = watched_page
    _visit(page, site_url + "/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__ran = true";
          document.body.append(script);
        }"""
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__ran === undefined")
    assert any("script-src" in problem for problem in _problems(page))
