"""The design rules of the stylesheet and templates, checked where a reader would notice.

Contrast of every colour pair in both schemes, the stylesheet's table of contents,
no inline styles or scripts, and in a real browser: line length, body text size,
visible focus, reduced motion and no layout that needs JavaScript.
"""

import re

import pytest
from django.core.management import call_command

from tests.conftest import CONTENT_DIR, REPO
from tests.public_site import OTHER_PAGES, PUBLIC_PAGES, build_public_site

CSS = (REPO / "static" / "css" / "site.css").read_text()
TEMPLATES = REPO / "templates"


# -- Colours ----------------------------------------------------------------------------


def _scheme(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{3,6})\s*;", block))


def _schemes() -> dict[str, dict[str, str]]:
    light = _scheme(CSS[CSS.index(":root {") : CSS.index("}", CSS.index(":root {"))])
    dark_start = CSS.index("@media (prefers-color-scheme: dark)")
    dark = {**light, **_scheme(CSS[dark_start : CSS.index("}\n}", dark_start)])}
    return {"light": light, "dark": dark}


def _luminance(colour: str) -> float:
    hexes = colour.lstrip("#")
    if len(hexes) == 3:
        hexes = "".join(c * 2 for c in hexes)
    channels = [int(hexes[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# (foreground, background, minimum): text needs 4.5:1, focus rings and field borders 3:1.
PAIRS = [
    *((fg, bg, 4.5) for fg in ("text", "muted", "accent") for bg in ("bg", "surface", "tint")),
    ("accent-hover", "surface", 4.5),
    ("accent-text", "accent", 4.5),
    ("accent-text", "accent-hover", 4.5),
    ("warn-text", "warn-bg", 4.5),
    ("warn-bg", "warn-text", 4.5),
    ("focus", "bg", 4.5),  # error messages are written in it
    ("focus", "surface", 4.5),
    ("muted", "surface", 3),  # the border of text fields
]


def test_the_contrast_calculation_matches_known_values():
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_colour_pair_has_enough_contrast(scheme):
    colours = _schemes()[scheme]
    low = [
        f"{fg} on {bg}: {contrast(colours[fg], colours[bg]):.2f} < {minimum}"
        for fg, bg, minimum in PAIRS
        if contrast(colours[fg], colours[bg]) < minimum
    ]
    assert low == []


def test_both_schemes_define_the_same_colours():
    light_block = CSS[CSS.index(":root {") : CSS.index("}", CSS.index(":root {"))]
    dark_start = CSS.index("@media (prefers-color-scheme: dark)")
    dark_block = CSS[dark_start : CSS.index("}\n}", dark_start)]
    assert set(_scheme(dark_block)) == set(_scheme(light_block)), "a colour left out of dark"


# -- The stylesheet and the templates ---------------------------------------------------


def test_the_table_of_contents_matches_the_section_headings():
    contents = CSS[: CSS.index("*/")]
    listed = re.findall(r"^ \*\s+(\d+(?:\.\d+)?)\.? ", contents, re.MULTILINE)
    headings = re.findall(r"^/\* (\d+(?:\.\d+)?)\.? ", CSS[len(contents) :], re.MULTILINE)
    assert listed == headings
    assert listed == sorted(listed, key=lambda n: [int(part) for part in n.split(".")])


def test_the_stylesheet_has_dark_mode_reduced_motion_focus_and_print():
    for needle in (
        "@media (prefers-color-scheme: dark)",
        "@media (prefers-reduced-motion: no-preference)",
        ":focus-visible",
        "@media print",
    ):
        assert needle in CSS
    # Motion only for those who have not asked for less: no animation or transition
    # outside that block.
    motion = CSS.index("@media (prefers-reduced-motion: no-preference)")
    outside = CSS[:motion] + CSS[CSS.index("@media print") :]
    assert "transition" not in outside
    assert "animation" not in outside


def test_templates_use_no_inline_style_or_script():
    """The CSP refuses both, and public pages must be the same bytes for everyone."""
    problems = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if re.search(r"\sstyle=|<style", text):
            problems.append(f"{path.name}: inline style")
        for script in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in script and "ld+json" not in script:
                problems.append(f"{path.name}: inline script {script}")
        if "csp_nonce" in text:
            problems.append(f"{path.name}: a nonce makes every response different")
    assert problems == []


@pytest.mark.django_db
def test_public_pages_are_the_same_bytes_for_every_request(client):
    """What makes them cacheable: no nonce, no token, nothing from the session."""
    build_public_site()
    for _, url, status in PUBLIC_PAGES + OTHER_PAGES:
        first, second = client.get(url), client.get(url)
        assert first.status_code == status, url
        assert first.content == second.content, url
        assert "Cookie" not in first.get("Vary", ""), url


# -- In the browser ---------------------------------------------------------------------

in_browser = pytest.mark.browser
live = pytest.mark.django_db(transaction=True)


@pytest.fixture
def treatment_url(live_server):
    call_command("import_content", str(CONTENT_DIR), verbosity=0)
    return f"{live_server.url}/treatments/microneedling/"


# The number of characters on each full line of the page's paragraphs and list items,
# found by walking each text node character by character and grouping by line top.
LINE_LENGTHS = """() => {
  const lengths = [];
  for (const block of document.querySelectorAll("main p, main li")) {
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    const lines = new Map();
    const range = document.createRange();
    while (walker.nextNode()) {
      const node = walker.currentNode;
      for (let i = 0; i < node.length; i++) {
        range.setStart(node, i); range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (!rect) continue;
        const top = Math.round(rect.top);
        lines.set(top, (lines.get(top) || 0) + 1);
      }
    }
    lengths.push(...lines.values());
  }
  return lengths;
}"""


@in_browser
@live
@pytest.mark.parametrize("width", [375, 1280])
def test_lines_are_at_most_75_characters_and_text_at_least_16_px(browser, treatment_url, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(treatment_url)
    lengths = page.evaluate(LINE_LENGTHS)
    sizes = page.evaluate(
        """() => [...document.querySelectorAll("main p, main li, main dd, footer p")]
          .map(el => parseFloat(getComputedStyle(el).fontSize))"""
    )
    context.close()
    assert max(lengths) <= 75, f"a line of {max(lengths)} characters"
    if width == 1280:
        assert max(lengths) >= 55, "the measure is much narrower than intended"
    assert min(sizes) >= 16


@in_browser
@live
def test_focus_is_visible_on_links_buttons_and_fields(browser, treatment_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(treatment_url)
    outlines = []
    for _ in range(6):
        page.keyboard.press("Tab")
        outlines.append(
            page.evaluate(
                """() => { const s = getComputedStyle(document.activeElement);
                  return [document.activeElement.tagName, s.outlineStyle,
                          parseFloat(s.outlineWidth)]; }"""
            )
        )
    context.close()
    assert all(style == "solid" and width >= 2 for _, style, width in outlines), outlines


@in_browser
@live
@pytest.mark.parametrize(("motion", "scroll"), [("reduce", "auto"), ("no-preference", "smooth")])
def test_smooth_scrolling_and_transitions_only_without_reduced_motion(
    browser, treatment_url, motion, scroll
):
    context = browser.new_context(reduced_motion=motion)
    page = context.new_page()
    page.goto(treatment_url)
    assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == scroll
    box = page.locator("[data-checklist] label").first
    duration = box.evaluate("el => getComputedStyle(el).transitionDuration")
    context.close()
    assert (duration == "0s") == (motion == "reduce")


# -- Moving around a long page, and the frame of every page -------------------------------


def _tab_into_main(page) -> str:
    """Press Tab from the top until focus enters main; return where it landed."""
    for _ in range(12):
        page.keyboard.press("Tab")
        where = page.evaluate(
            """() => { const el = document.activeElement;
              return el.closest("main") ? (el.closest("nav.toc") ? "contents: " : "") +
                el.textContent.trim() : null; }"""
        )
        if where:
            return where
    raise AssertionError("Tab never reached the main content")


@in_browser
@live
def test_on_a_desktop_tab_reaches_the_contents_first(browser, treatment_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(treatment_url)
    assert _tab_into_main(page) == "contents: Overview"
    context.close()


@in_browser
@live
@pytest.mark.parametrize("javascript", [True, False])
def test_on_a_phone_each_section_leads_back_to_the_contents(browser, treatment_url, javascript):
    # Reduced motion: the jump is instant, so where it lands can be measured at once.
    context = browser.new_context(
        viewport={"width": 375, "height": 800},
        java_script_enabled=javascript,
        reduced_motion="reduce",
    )
    page = context.new_page()
    page.goto(treatment_url + "#risks")
    back = page.locator("#risks").locator("xpath=..").get_by_role("link", name="Back to contents")
    assert back.is_visible()
    back.click()
    page.wait_for_url("**/#contents", timeout=5000)
    contents = page.locator("#contents")
    box = contents.bounding_box()
    assert 0 <= box["y"] < 100, box
    assert page.get_by_role("link", name="Back to contents").count() >= 10
    context.close()


@in_browser
@live
def test_on_a_desktop_the_contents_stay_in_view_and_need_no_way_back(browser, treatment_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    page.goto(treatment_url + "#risks")
    assert page.evaluate("window.scrollY") > 2000
    box = page.locator("#contents").bounding_box()
    assert 0 <= box["y"] < 900, box
    assert not page.get_by_role("link", name="Back to contents").first.is_visible()
    context.close()


@in_browser
@live
@pytest.mark.parametrize("path", ["/", "/treatments/", "/treatments/microneedling/", "/about/"])
def test_the_header_and_the_main_column_share_a_left_edge(browser, treatment_url, path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(treatment_url.replace("/treatments/microneedling/", path))
    name = page.locator(".site-name").bounding_box()
    heading = page.locator("h1").bounding_box()
    footer = page.locator(".site-footer .wrap > *").first.bounding_box()
    context.close()
    assert abs(name["x"] - heading["x"]) <= 1, (name, heading)
    assert abs(footer["x"] - heading["x"]) <= 1, (footer, heading)


@in_browser
@live
@pytest.mark.parametrize("width", [375, 1280])
def test_a_short_page_fills_the_window_with_the_footer_at_the_bottom(browser, treatment_url, width):
    context = browser.new_context(viewport={"width": width, "height": 2000})
    page = context.new_page()
    page.goto(treatment_url.replace("/treatments/microneedling/", "/no-such-page/"))
    footer = page.locator(".site-footer").bounding_box()
    scroll_height = page.evaluate("document.documentElement.scrollHeight")
    context.close()
    assert scroll_height == 2000
    assert footer["y"] + footer["height"] == pytest.approx(2000, abs=1)
