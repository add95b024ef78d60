"""Pictures of the site for a person to look at, saved under the git-ignored artifacts/.

- ``home-{375,1280}[-dark].png``, ``treatment-{375,1280}[-dark].png``: whole pages, phone
  and desktop, light and dark;
- ``aftercare-sheet-375.png``, ``search-375.png``, ``list-page-2-1280.png``;
- ``contents-375.png`` (a phone after "Back to contents"), ``contents-1280.png`` (the
  contents beside the Risks section on a desktop);
- ``picture-how-it-works-*.png`` and ``picture-timeline-*.png``: the drawing and the
  recovery timeline alone, phone light and desktop dark;
- ``printed-{before,aftercare}-{A4,Letter}.{pdf,png}``: the printed care sheets, the PNG
  drawn from the PDF by pdftoppm from Debian's poppler-utils when it is installed, else
  by chromium with the print styles; ``printed-treatment-from-dark.pdf``: the treatment
  page printed from a browser in the dark scheme.

The checks are what a glance at the pictures would catch: nothing wider than the
screen, body text of at least 16 px, pictures that loaded, and printed sheets one page
long.
"""

import re
import shutil
import subprocess

import pytest
from django.core.management import call_command

from tests.conftest import CONTENT_DIR, REPO
from tests.ui_site import DIAGRAM_SRC, add_treatments
from treatments.models import SiteSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = REPO / "artifacts"
WIDTHS = {"phone": 375, "desktop": 1280}


@pytest.fixture
def site_url(live_server):
    call_command("import_content", str(CONTENT_DIR), verbosity=0)
    SiteSettings.objects.create(
        clinic_name="Riverside Skin Clinic",
        phone="020 7946 0123",
        booking_url="https://booking.example/riverside",
        address="1 River Street\nLondon\nSE1 9AA",
        opening_hours="Monday-Friday 09:00-18:00\nSaturday 10:00-14:00\nSunday closed",
    )
    ARTIFACTS.mkdir(exist_ok=True)
    return live_server.url


def _context(browser, width: int, scheme: str = "light"):
    # Reduced motion: a jump to a section lands at once, so the picture shows where.
    return browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, reduced_motion="reduce"
    )


def _name(base: str, width: int, scheme: str) -> str:
    return f"{base}-{width}" + ("" if scheme == "light" else "-dark")


def _shoot(browser, url: str, name: str, width: int, scheme: str = "light") -> dict:
    context = _context(browser, width, scheme)
    page = context.new_page()
    assert page.goto(url).status == 200
    # Pictures in the copy load lazily: bring each into view so the full page shows it.
    for image in page.locator("main img").all():
        image.scroll_into_view_if_needed()
        image.evaluate("img => img.decode()")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    measures = page.evaluate(
        """() => ({
          scrollWidth: document.documentElement.scrollWidth,
          bodyFont: parseFloat(getComputedStyle(document.body).fontSize),
          paragraphFont: Math.min(...[...document.querySelectorAll("main p")]
            .map(p => parseFloat(getComputedStyle(p).fontSize))),
          brokenImages: [...document.images].filter(img => !img.naturalWidth).length,
        })"""
    )
    context.close()
    return measures


@pytest.mark.parametrize(
    ("name", "path", "width"),
    [
        ("aftercare-sheet", "/treatments/microneedling/aftercare/", 375),
        ("search", "/search/?q=sun", 375),
        ("list-page-2", "/treatments/?page=2", 1280),
    ],
)
def test_other_pages(browser, site_url, name, path, width):
    add_treatments(25)
    measures = _shoot(browser, site_url + path, f"{name}-{width}", width)
    assert measures["scrollWidth"] <= width
    assert measures["paragraphFont"] >= 16
    assert (ARTIFACTS / f"{name}-{width}.png").stat().st_size > 5000


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", WIDTHS)
@pytest.mark.parametrize(
    ("base", "path"), [("home", "/"), ("treatment", "/treatments/microneedling/")]
)
def test_home_and_treatment_page(browser, site_url, base, path, device, scheme):
    width = WIDTHS[device]
    measures = _shoot(browser, site_url + path, _name(base, width, scheme), width, scheme)
    assert measures["scrollWidth"] <= width
    assert measures["bodyFont"] >= 16
    assert measures["paragraphFont"] >= 16
    assert measures["brokenImages"] == 0


def test_the_contents_navigation(browser, site_url):
    """On a phone, "Back to contents" from the end of a section; on a desktop, the contents
    beside the text far down the page."""
    context = _context(browser, 375)
    page = context.new_page()
    page.goto(f"{site_url}/treatments/microneedling/#aftercare")
    page.locator("#aftercare").locator("xpath=..").get_by_role(
        "link", name="Back to contents"
    ).click()
    page.wait_for_url("**/#contents", timeout=5000)
    page.screenshot(path=str(ARTIFACTS / "contents-375.png"))
    context.close()

    context = _context(browser, 1280)
    page = context.new_page()
    page.goto(f"{site_url}/treatments/microneedling/#risks")
    assert page.locator("#contents").is_visible()
    page.screenshot(path=str(ARTIFACTS / "contents-1280.png"))
    context.close()
    for width in (375, 1280):
        assert (ARTIFACTS / f"contents-{width}.png").stat().st_size > 5000


@pytest.mark.parametrize(("width", "scheme"), [(375, "light"), (1280, "dark")])
def test_the_pictures(browser, site_url, width, scheme):
    context = _context(browser, width, scheme)
    page = context.new_page()
    page.goto(f"{site_url}/treatments/microneedling/")
    drawing = page.locator("figure").filter(has=page.locator(f"img[src='{DIAGRAM_SRC}']"))
    timeline = page.locator("figure.timeline")
    for name, figure in (("how-it-works", drawing), ("timeline", timeline)):
        figure.scroll_into_view_if_needed()
        if name == "how-it-works":
            assert figure.locator("img").evaluate(
                "img => img.decode().then(() => img.naturalWidth)"
            )
        path = ARTIFACTS / f"picture-{_name(name, width, scheme)}.png"
        figure.screenshot(path=str(path))
        assert path.stat().st_size > 3000
    context.close()


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("sheet", ["before", "aftercare"])
def test_printed_care_sheet(browser, site_url, sheet, paper):
    """The sheet as printed: the PDF, and a PNG of its page."""
    context = browser.new_context(viewport={"width": 794, "height": 1123})
    page = context.new_page()
    page.goto(f"{site_url}/treatments/microneedling/{sheet}/")
    pdf_path = ARTIFACTS / f"printed-{sheet}-{paper}.pdf"
    pdf_path.write_bytes(page.pdf(format=paper, print_background=True))
    png_path = pdf_path.with_suffix(".png")
    if pdftoppm := shutil.which("pdftoppm"):
        # Poppler draws the PDF itself: the picture is exactly what prints.
        subprocess.run(
            [pdftoppm, "-png", "-r", "96", "-singlefile", pdf_path, png_path.with_suffix("")],
            check=True,
            timeout=60,
        )
    else:
        # The same print styles drawn by chromium on a page-wide screen.
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 704, "height": 1050})
        page.screenshot(path=str(png_path), full_page=True)
    context.close()
    assert _pdf_pages(pdf_path.read_bytes()) == 1
    assert png_path.stat().st_size > 5000


def test_the_treatment_page_printed_from_a_dark_screen(browser, site_url):
    """Paper is white: the page prints dark ink on white, the drawing in its light colours."""
    context = _context(browser, 1280, "dark")
    page = context.new_page()
    page.goto(f"{site_url}/treatments/microneedling/")
    page.locator("main img").first.scroll_into_view_if_needed()
    page.locator("main img").first.evaluate("img => img.decode()")
    path = ARTIFACTS / "printed-treatment-from-dark.pdf"
    path.write_bytes(page.pdf(format="A4", print_background=True))
    page.emulate_media(media="print")
    colours = page.evaluate(
        """() => [document.body, document.querySelector(".lead"),
                  document.querySelector("figure figcaption"), document.querySelector(".glance")]
          .map(el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor])"""
    )
    context.close()
    body, lead, caption, glance = colours
    assert body == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]
    assert lead[0] == caption[0] == "rgb(51, 51, 51)"
    assert glance[1] == "rgb(241, 241, 241)"
    assert _pdf_pages(path.read_bytes()) > 5
