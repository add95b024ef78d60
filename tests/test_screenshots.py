"""Pictures of the site for a person to look at, saved under the git-ignored artifacts/.

The home page, an aftercare sheet and search results on a phone, the treatment page
at phone and desktop widths in both colour schemes, and the printed care sheets (the
PDF chromium prints and a PNG of its page, drawn from the PDF by pdftoppm from
Debian's poppler-utils when it is installed, else by chromium with the print styles).

The checks are what a glance at the pictures would catch: nothing wider than the
screen, body text of at least 16 px, and printed sheets one page long.
"""

import re
import shutil
import subprocess

import pytest
from django.core.management import call_command

from tests.conftest import CONTENT_DIR, REPO
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
    )
    ARTIFACTS.mkdir(exist_ok=True)
    return live_server.url


def _shoot(browser, url: str, name: str, width: int, scheme: str = "light") -> dict:
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    assert page.goto(url).status == 200
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    measures = page.evaluate(
        """() => ({
          scrollWidth: document.documentElement.scrollWidth,
          bodyFont: parseFloat(getComputedStyle(document.body).fontSize),
          paragraphFont: Math.min(...[...document.querySelectorAll("main p")]
            .map(p => parseFloat(getComputedStyle(p).fontSize))),
        })"""
    )
    context.close()
    return measures


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("home", "/"),
        ("aftercare-sheet", "/treatments/microneedling/aftercare/"),
        ("search", "/search/?q=sun"),
    ],
)
def test_other_pages_on_a_phone(browser, site_url, name, path):
    measures = _shoot(browser, site_url + path, f"{name}-375", WIDTHS["phone"])
    assert measures["scrollWidth"] <= WIDTHS["phone"]
    assert measures["paragraphFont"] >= 16
    assert (ARTIFACTS / f"{name}-375.png").stat().st_size > 5000


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", WIDTHS)
def test_treatment_page(browser, site_url, device, scheme):
    width = WIDTHS[device]
    name = f"treatment-{width}" + ("" if scheme == "light" else "-dark")
    measures = _shoot(browser, f"{site_url}/treatments/microneedling/", name, width, scheme)
    assert measures["scrollWidth"] <= width
    assert measures["bodyFont"] >= 16
    assert measures["paragraphFont"] >= 16


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.mark.parametrize("sheet", ["before", "aftercare"])
def test_printed_care_sheet(browser, site_url, sheet):
    """The sheet as printed on A4: the PDF, and a PNG of its page."""
    context = browser.new_context(viewport={"width": 794, "height": 1123})
    page = context.new_page()
    page.goto(f"{site_url}/treatments/microneedling/{sheet}/")
    pdf_path = ARTIFACTS / f"printed-{sheet}-A4.pdf"
    pdf_path.write_bytes(page.pdf(format="A4", print_background=True))
    png_path = ARTIFACTS / f"printed-{sheet}-A4.png"
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
