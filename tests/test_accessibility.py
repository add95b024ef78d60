"""WCAG 2.2 AA by axe-core on every public page and the admin sign-in, in a real browser.

axe-core comes from npm (package.json, pinned) and is injected into Debian's chromium
by Playwright. Each page is checked in the light and the dark colour scheme and at
phone (375 px) and desktop (1280 px) widths, because contrast, reflow and target
sizes differ between them. The rule set is axe's default (the WCAG 2.0-2.2 A and AA
rules plus its best practices: landmarks, heading order, one main, one h1) with the
WCAG 2.2 target-size rule, which axe leaves off by default, switched on.

A page known to break the rules is checked too, so an axe that silently reports
nothing cannot pass. axe-core missing skips the tests, except under CI=true, where it
fails (as tests/test_html_valid.py does for vnu).
"""

import pytest

from tests.public_site import OTHER_PAGES, PUBLIC_PAGES
from tests.ui_site import DIAGRAM_SRC, UI_PAGES, build_ui_site
from treatments.models import SiteSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCHEMES = ["light", "dark"]
WIDTHS = [375, 1280]
# Every kind of public page: those crawlers index, 404 and 410, the care sheets, search
# with results, without and with nothing found, the page a wrong calendar date gets, and a
# later page of the list of treatments. The treatment page shows its drawing and timeline.
PAGES = [(url, status) for _, url, status in PUBLIC_PAGES + OTHER_PAGES + UI_PAGES]
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    resultTypes: ["violations"],
    // WCAG 2.2's minimum target size (2.5.8, AA) is off in axe's defaults.
    rules: { "target-size": { enabled: true } },
  });
  return result.violations.map(v =>
    `${v.id} (${v.impact}): ${v.help} -> ` +
    v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""


@pytest.fixture
def site_url(live_server):
    build_ui_site()
    SiteSettings.objects.filter(pk=1).update(booking_url="https://booking.example/riverside")
    return live_server.url


def _context(browser, width: int = 375, scheme: str = "light"):
    # axe goes in as an inline script, which the site's CSP rightly refuses; the policy
    # itself is tested in tests/test_csp_browser.py.
    return browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, bypass_csp=True
    )


def _violations(page, axe_path: str) -> list[str]:
    page.add_script_tag(path=axe_path)
    return page.evaluate(RUN_AXE)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_public_pages_have_no_axe_violations(browser, axe_path, site_url, scheme, width):
    context = _context(browser, width, scheme)
    page = context.new_page()
    found = {}
    for url, status in PAGES:
        assert page.goto(site_url + url).status == status, url
        if problems := _violations(page, axe_path):
            found[url] = problems
    context.close()
    assert found == {}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_checklist_with_a_box_ticked_has_no_axe_violations(browser, axe_path, site_url, scheme):
    """The state only script reaches: checkboxes, and "talk to us first" instead of booking."""
    context = _context(browser, 375, scheme)
    page = context.new_page()
    page.goto(f"{site_url}/treatments/microneedling/")
    page.get_by_label("Sunburn").check()
    assert page.get_by_role("link", name="Call us on 020 7946 0000").is_visible()
    assert _violations(page, axe_path) == []
    context.close()


def test_the_admin_sign_in_has_no_axe_violations(browser, axe_path, site_url, settings):
    for scheme in SCHEMES:
        context = _context(browser, 1280, scheme)
        page = context.new_page()
        assert page.goto(f"{site_url}/{settings.ADMIN_PATH}login/").status == 200
        assert _violations(page, axe_path) == [], scheme
        context.close()


def test_axe_reports_a_page_that_breaks_the_rules(browser, axe_path, site_url):
    context = _context(browser)
    page = context.new_page()
    page.goto(f"{site_url}/")
    page.evaluate(
        """() => {
          const main = document.querySelector("main");
          main.append(document.createElement("button"));   // no accessible name
          document.documentElement.removeAttribute("lang");
          for (const text of ["a", "b"]) {                  // two 10 px targets side by side
            const link = Object.assign(document.createElement("a"), {href: "#", textContent: text});
            Object.assign(link.style, {display: "inline-block", width: "10px", height: "10px",
              fontSize: "8px", overflow: "hidden"});
            main.append(link);
          }
        }"""
    )
    rules = {problem.split(" ", 1)[0] for problem in _violations(page, axe_path)}
    context.close()
    assert {"button-name", "html-has-lang", "target-size"} <= rules


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_pictures_have_text_alternatives_and_visible_captions(
    browser, axe_path, site_url, scheme, width
):
    """The drawing loads, says what it shows in its alt text and what it means in a caption
    everyone sees; the recovery timeline is a list under a caption of its own."""
    context = _context(browser, width, scheme)
    page = context.new_page()
    page.goto(f"{site_url}/treatments/microneedling/")
    drawing = page.locator(f"figure img[src='{DIAGRAM_SRC}']")
    drawing.scroll_into_view_if_needed()
    drawing.evaluate("img => img.decode()")
    assert drawing.evaluate("img => img.naturalWidth") > 0
    assert len(drawing.get_attribute("alt")) > 80
    assert "How microneedling works" in page.locator("figure:has(img) figcaption").inner_text()
    assert page.locator("figure:has(img) figcaption").is_visible()
    box = drawing.bounding_box()
    assert box["width"] <= width
    assert box["height"] > box["width"] / 3
    timeline = page.locator("figure.timeline")
    assert timeline.locator("figcaption").is_visible()
    assert timeline.get_by_text("Weeks 4-12").is_visible()
    assert _violations(page, axe_path) == []
    context.close()
