"""Printable care sheets: the right section, the clinic's details, a QR code that scans on
paper, one printed page.

The printed sheets are checked as paper would show them: chromium prints each to PDF on
A4 and Letter, poppler's pdftoppm draws the page as pixels, and zxing-cpp, a barcode
reader independent of the segno library that wrote the code, must read the sheet's own
address from the picture. The code's printed size is measured on the same picture.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.conftest import CONTENT_DIR, REPO, make_treatment, sign_off
from tests.tools import require
from treatments.models import SiteSettings
from treatments.public.qr import qr_svg

ARTIFACTS = REPO / "artifacts"
# Dots per inch of the picture of the printed page: a modest phone camera sees about as much.
SCAN_DPI = 150
MM_PER_INCH = 25.4


@pytest.fixture
def clinic(db):
    return SiteSettings.objects.create(
        clinic_name="Riverside Skin Clinic",
        phone="020 7946 0123",
        out_of_hours="If we are closed, call your out-of-hours health service.",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sheet", "kind", "heading"),
    [("before", "before", "Before your peel visit"), ("aftercare", "aftercare", "After your peel")],
)
def test_a_sheet_shows_its_section_phone_review_date_and_qr(client, clinic, sheet, kind, heading):
    peel = make_treatment(
        sections={"before": "Arrive with a clean face.", "aftercare": "Keep it cool."}
    )
    assert (
        "not yet been checked by a clinician"
        in client.get(f"/treatments/peel/{sheet}/").content.decode()
    )
    sign_off(peel)
    response = client.get(f"/treatments/peel/{sheet}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert heading in html
    assert ("Arrive with a clean face." in html) == (kind == "before")
    assert ("Keep it cool." in html) == (kind == "aftercare")
    assert '<a href="tel:02079460123">020 7946 0123</a>' in html
    assert "Reviewed by Dr Test, Consultant dermatologist, on 1 November 2026" in html
    assert "Next review due 1 November 2027" in html
    assert '<svg role="img" viewBox=' in html
    assert "scan it to open this page" in html
    assert f"http://127.0.0.1:8000/treatments/peel/{sheet}/" in html


@pytest.mark.django_db
def test_treatment_page_links_to_both_sheets(client, clinic):
    make_treatment()
    html = client.get("/treatments/peel/").content.decode()
    assert 'href="/treatments/peel/before/"' in html
    assert 'href="/treatments/peel/aftercare/"' in html


@pytest.mark.django_db
def test_sheets_of_drafts_are_hidden(client, clinic):
    make_treatment(status="draft")
    assert client.get("/treatments/peel/aftercare/").status_code == 404


def test_the_qr_code_scales_with_its_quiet_zone_and_a_light_ground():
    """A viewBox and no fixed size, so print CSS sizes it in millimetres."""
    svg = qr_svg("https://clinic.example/treatments/peel/aftercare/", "Scan me")
    opening = svg[: svg.index(">") + 1]
    assert re.fullmatch(r'<svg role="img" viewBox="0 0 (\d+) \1" class="qr-code">', opening)
    assert " width=" not in opening
    assert " height=" not in opening
    size = int(re.search(r'viewBox="0 0 (\d+)', opening)[1])
    # Version 1-40 codes are 21-177 modules; the quiet zone adds 4 on each side.
    assert (size - 8 - 21) % 4 == 0
    assert '<path fill="#fff" d="M0 0h' in svg
    assert "<title>Scan me</title>" in svg


@pytest.mark.django_db
def test_sheets_without_a_phone_number_still_say_what_to_do(client, db):
    SiteSettings.objects.create(clinic_name="Riverside Skin Clinic", out_of_hours="")
    make_treatment(sections={"before": "Arrive with a clean face.", "aftercare": ""})
    before = client.get("/treatments/peel/before/").content.decode()
    assert "Questions? Ask at your next visit, or call the clinic where you booked." in before
    # The default advice for when the clinic is closed, though staff emptied theirs.
    assert "call your out-of-hours health service" in before
    aftercare = client.get("/treatments/peel/aftercare/").content.decode()
    assert "Please ask at your next visit, or call the clinic where you booked." in aftercare
    assert "tel:" not in aftercare.split('<footer class="site-footer">')[0]


@pytest.mark.django_db
def test_sheets_give_the_clinics_address_and_opening_hours(client, clinic):
    clinic.address = "1 River Street\nLondon"
    clinic.opening_hours = "Monday-Friday 09:00-18:00\nSaturday 10:00-14:00"
    clinic.save()
    make_treatment()
    html = client.get("/treatments/peel/aftercare/").content.decode()
    sheet = html[html.index('<footer class="sheet-foot">') :]
    assert (
        "Riverside Skin Clinic, 1 River Street, London. "
        "Open Monday-Friday 09:00-18:00; Saturday 10:00-14:00." in sheet
    )
    assert "If we are closed, call your out-of-hours health service." in sheet


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.fixture
def pdftoppm() -> str:
    tool = shutil.which("pdftoppm")
    require(tool, "pdftoppm not found: install Debian's poppler-utils")
    return tool


@pytest.fixture
def zxingcpp():
    try:
        import zxingcpp
    except ImportError:
        require(False, "zxing-cpp not installed: make install-dev installs it")
    return zxingcpp


def _scan(pdftoppm: str, zxingcpp, pdf_path: Path) -> list:
    """The QR codes a reader finds on the printed page, drawn at SCAN_DPI."""
    from PIL import Image

    png_stem = pdf_path.with_suffix("")
    subprocess.run(
        [pdftoppm, "-png", "-r", str(SCAN_DPI), "-singlefile", pdf_path, png_stem],
        check=True,
        timeout=60,
    )
    with Image.open(png_stem.with_suffix(".png")) as picture:
        return zxingcpp.read_barcodes(picture.convert("L"))


def _millimetres(pixels: float) -> float:
    return pixels / SCAN_DPI * MM_PER_INCH


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sheet", ["before", "aftercare"])
def test_each_sheet_prints_on_one_page_with_a_qr_code_that_scans(
    browser, live_server, pdftoppm, zxingcpp, sheet
):
    call_command("import_content", str(CONTENT_DIR), verbosity=0)
    # Every detail filled in: the longest the sheet's foot can be.
    SiteSettings.objects.create(
        clinic_name="Riverside Skin Clinic",
        phone="020 7946 0123",
        address="1 River Street\nLondon\nSE1 9AA",
        opening_hours="Monday-Friday 09:00-18:00\nSaturday 10:00-14:00\nSunday closed",
        booking_url="https://booking.example/riverside",
        out_of_hours="If we are closed, call your out-of-hours health service. "
        "In an emergency, call the emergency number.",
    )
    page = browser.new_page()
    page.goto(f"{live_server.url}/treatments/microneedling/{sheet}/")
    assert page.locator("h1").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    address = f"{settings.SITE_BASE_URL}/treatments/microneedling/{sheet}/"
    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper, print_background=True)
        pdf_path = ARTIFACTS / f"care-sheet-{sheet}-{paper}.pdf"
        pdf_path.write_bytes(pdf)
        assert _pdf_pages(pdf) == 1, f"the {sheet} sheet takes {_pdf_pages(pdf)} {paper} pages"

        codes = _scan(pdftoppm, zxingcpp, pdf_path)
        assert [code.text for code in codes] == [address], paper
        corners = codes[0].position
        width = _millimetres(corners.top_right.x - corners.top_left.x)
        height = _millimetres(corners.bottom_left.y - corners.top_left.y)
        # The code itself, inside its quiet zone: big enough for a phone at arm's length,
        # small enough to leave the page to the words.
        assert 24 <= width <= 30, f"{paper}: {width:.1f} mm wide"
        assert 24 <= height <= 30, f"{paper}: {height:.1f} mm high"
    page.close()
