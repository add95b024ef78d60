"""Printable care sheets: the right section, the clinic's phone, a QR code, one printed page."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import CONTENT_DIR, REPO, make_treatment, sign_off
from treatments.models import SiteSettings

ARTIFACTS = REPO / "artifacts"


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
    assert '<svg role="img"' in html
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


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sheet", ["before", "aftercare"])
def test_each_sheet_prints_on_one_page_of_a4_and_letter(browser, live_server, sheet):
    call_command("import_content", str(CONTENT_DIR), verbosity=0)
    SiteSettings.objects.create(
        clinic_name="Riverside Skin Clinic",
        phone="020 7946 0123",
        out_of_hours="If we are closed, call your out-of-hours health service. "
        "In an emergency, call the emergency number.",
    )
    page = browser.new_page()
    page.goto(f"{live_server.url}/treatments/microneedling/{sheet}/")
    assert page.locator("h1").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper, print_background=True)
        Path(ARTIFACTS / f"care-sheet-{sheet}-{paper}.pdf").write_bytes(pdf)
        assert _pdf_pages(pdf) == 1, f"the {sheet} sheet takes {_pdf_pages(pdf)} {paper} pages"
    page.close()
