"""Aftercare reminders as an .ics file: valid iCalendar, the right days, private answers,
and a helpful page for a missing or unlikely date.

The file is read back with the ``icalendar`` package, not with our own code, and its
raw bytes are checked against RFC 5545's line rules as well.
"""

import datetime

import icalendar
import pytest
from django.utils import timezone

from tests.conftest import CLINIC_WEEK, make_treatment
from treatments.models import SiteSettings
from treatments.public.calendar import (
    OUT_OF_HOURS_FALLBACK,
    Event,
    build_calendar,
    escape_text,
    fold,
)

NOW = datetime.datetime(2027, 1, 20, 9, 30, tzinfo=datetime.UTC)

# -- The writer -------------------------------------------------------------------------


def test_text_values_are_escaped():
    assert escape_text("a, b; c\\d\ne") == "a\\, b\\; c\\\\d\\ne"
    assert escape_text("x\r\ny") == "x\\ny"


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    line = "SUMMARY:" + "é" * 100  # two octets each
    folded = fold(line)
    pieces = folded.split("\r\n")
    assert all(len(piece.encode()) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert "".join(piece.removeprefix(" ") if i else piece for i, piece in enumerate(pieces)) == (
        line
    )
    assert fold("SHORT:x") == "SHORT:x"


def test_the_raw_file_keeps_rfc_5545s_line_rules():
    event = Event(
        uid="u1@example.org",
        day=datetime.date(2027, 2, 1),
        summary="Aftercare: wait; then, gently \\ rinse\nagain " + "ü" * 60,
        description="Line one.\nLine two, with a comma.",
        url="https://clinic.example/treatments/peel/aftercare/",
    )
    data = build_calendar([event], name="Peel aftercare", now=NOW)
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(lines)
    assert b"\r" not in b"".join(lines)
    assert all(len(line) <= 75 for line in lines)
    assert lines[0] == b"BEGIN:VCALENDAR"
    assert lines[-1] == b"END:VCALENDAR"

    (parsed,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(parsed["SUMMARY"]) == event.summary
    assert str(parsed["DESCRIPTION"]) == event.description
    assert str(parsed["UID"]) == "u1@example.org"
    assert parsed.decoded("DTSTAMP") == NOW


# -- The download -----------------------------------------------------------------------


@pytest.fixture
def peel(db):
    return make_treatment(
        reminders=[
            (1, "Mineral makeup is fine again"),
            (3, "Active skin care, if calm"),
            (28, "Next session may be due"),
        ]
    )


@pytest.fixture
def today(monkeypatch):
    """Pin "today" so dates near month ends and leap days stay within a year of it."""
    day = datetime.date(2027, 12, 1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    return day


def _download(client, treatment_date: str):
    return client.get("/treatments/peel/aftercare/calendar/", {"date": treatment_date})


def _events(response) -> list:
    calendar = icalendar.Calendar.from_ical(response.content)
    return list(calendar.walk("VEVENT"))


def test_the_file_is_an_ics_download_that_no_cache_keeps(client, peel, today):
    response = _download(client, "2027-11-20")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="peel-aftercare-2027-11-20.ics"'
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_each_reminder_is_an_all_day_event_on_its_day(client, peel, today):
    events = _events(_download(client, "2027-11-20"))
    assert [event.decoded("DTSTART") for event in events] == [
        datetime.date(2027, 11, 21),
        datetime.date(2027, 11, 23),
        datetime.date(2027, 12, 18),
    ]
    for event in events:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is datetime.date  # all-day, not a time of day
        assert end - start == datetime.timedelta(days=1)
        assert event["DTSTART"].params["VALUE"] == "DATE"
        assert event.get("DTSTAMP")
        assert event.get("UID")
    assert str(events[0]["SUMMARY"]) == "Peel aftercare: mineral makeup is fine again"
    assert "http://127.0.0.1:8000/treatments/peel/aftercare/" in str(events[0]["DESCRIPTION"])
    assert len({str(event["UID"]) for event in events}) == 3


@pytest.mark.parametrize(
    ("treatment_date", "expected_starts"),
    [
        # Across a month end and a year end.
        ("2027-12-31", ["2028-01-01", "2028-01-03", "2028-01-28"]),
        # Into a leap day, and past it.
        ("2028-02-28", ["2028-02-29", "2028-03-02", "2028-03-27"]),
        ("2028-02-29", ["2028-03-01", "2028-03-03", "2028-03-28"]),
        # Across the end of February in a year without a leap day.
        ("2027-02-27", ["2027-02-28", "2027-03-02", "2027-03-27"]),
    ],
)
def test_dates_across_month_ends_and_leap_days(
    client, peel, today, treatment_date, expected_starts
):
    events = _events(_download(client, treatment_date))
    assert [event.decoded("DTSTART").isoformat() for event in events] == expected_starts
    # DTEND is the day after, even on 28 and 29 February.
    assert [event.decoded("DTEND") - event.decoded("DTSTART") for event in events] == [
        datetime.timedelta(days=1)
    ] * 3


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, None),
        ({"date": ""}, "Enter the date of your treatment."),
        ({"date": "2027-02-30"}, "Enter a real date"),
        ({"date": "next tuesday"}, "Enter a real date"),
        ({"date": "1999-01-01"}, "Enter a date within a year of today."),
        ({"date": "2029-12-02"}, "Enter a date within a year of today."),
        ({"date": "9" * 5000}, "Enter a real date"),
    ],
)
def test_a_missing_or_unlikely_date_gets_a_helpful_page(client, peel, today, query, message):
    response = client.get("/treatments/peel/aftercare/calendar/", query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert '<input type="date" id="treatment-date" name="date"' in html
    assert '<meta name="robots" content="noindex">' in html
    if message:
        assert message in html
        assert 'aria-invalid="true"' in html
    else:
        assert "Please check the date" not in html


@pytest.mark.parametrize(
    "typed",
    [
        "27 November 2027",
        "27 Nov 2027",
        "27 nov. 2027",
        "27th November, 2027",
        "November 27, 2027",
        "27/11/2027",
        "27/11/27",
        "27.11.2027",
        "27-11-2027",
        " 27  NOVEMBER  2027 ",
        # ISO, which is what the browser's date picker sends.
        "2027-11-27",
    ],
)
def test_dates_as_people_type_them(client, peel, today, typed):
    response = _download(client, typed)
    assert response["Content-Type"].startswith("text/calendar"), typed
    assert "peel-aftercare-2027-11-27.ics" in response["Content-Disposition"]


def test_numbers_are_read_day_first_as_the_clinics_language_says(client, peel, today, settings):
    assert settings.LANGUAGE_CODE == "en-gb"
    # 02/11/2027 is 2 November here, not 11 February (which is too far from today).
    assert "2027-11-02.ics" in _download(client, "02/11/2027")["Content-Disposition"]
    settings.LANGUAGE_CODE = "en-us"
    assert "2027-11-02.ics" in _download(client, "11/02/2027")["Content-Disposition"]


@pytest.mark.parametrize("typed", ["31/11/2027", "13/13/2027", "Smarch 3 2027", "32 Jan 2027"])
def test_a_day_that_does_not_exist_is_refused(client, peel, today, typed):
    assert "Enter a real date" in _download(client, typed).content.decode()


def test_the_message_gives_an_example_that_is_accepted(client, peel, today):
    html = _download(client, "the day after boxing day").content.decode()
    # Today (1 December 2027 here) in the two forms the message offers.
    assert "for example 1 December 2027 or 01/12/2027." in html
    for example in ("1 December 2027", "01/12/2027"):
        assert _download(client, example)["Content-Type"].startswith("text/calendar")


def test_a_typed_date_shows_again_as_the_date_picker_reads_it(client, peel, today):
    html = _download(client, "2 Jan 1999").content.decode()
    assert "Enter a date within a year of today." in html
    assert 'name="date" value="1999-01-02"' in html


def test_a_year_away_either_side_is_still_accepted(client, peel, today):
    for day in ("2026-12-01", "2028-11-30"):
        assert _download(client, day)["Content-Type"].startswith("text/calendar"), day


def test_no_reminders_or_no_such_treatment_is_not_found(client, db):
    make_treatment()
    assert _download(client, "2027-01-01").status_code == 404
    assert client.get("/treatments/nope/aftercare/calendar/").status_code == 404


def test_a_draft_has_no_calendar_for_the_public(client, db):
    make_treatment(status="draft", reminders=[(1, "x")])
    assert _download(client, "2027-01-01").status_code == 404


def test_the_aftercare_sheet_offers_the_reminders_form_and_the_other_sheet_does_not(client, peel):
    html = client.get("/treatments/peel/aftercare/").content.decode()
    assert 'action="/treatments/peel/aftercare/calendar/" method="get"' not in html
    assert 'method="get" action="/treatments/peel/aftercare/calendar/"' in html
    assert '<input type="date" id="treatment-date" name="date" required>' in html
    assert "<strong>Day 28:</strong> Next session may be due" in html
    assert 'class="reminders no-print"' in html
    assert "treatment-date" not in client.get("/treatments/peel/before/").content.decode()


# -- What each reminder says about reaching the clinic ------------------------------------


def test_each_reminder_says_how_to_reach_the_clinic(client, peel, today):
    SiteSettings.objects.create(
        clinic_name="Riverside Skin",
        phone="020 7946 0000",
        **CLINIC_WEEK,
        booking_url="https://booking.example/riverside",
        address="1 River Street\nLondon",
        out_of_hours="If we are closed, call your out-of-hours health service.",
    )
    events = _events(_download(client, "2027-11-20"))
    for event in events:
        lines = str(event["DESCRIPTION"]).split("\n")
        assert lines[2:] == [
            "If you are worried about your skin, call Riverside Skin on 020 7946 0000 "
            "(Monday to Friday 09:00 to 18:00; Saturday 10:00 to 14:00; Sunday closed).",
            "If we are closed, call your out-of-hours health service.",
            "Book a visit: https://booking.example/riverside",
            "Riverside Skin, 1 River Street, London",
            "Aftercare guide: http://127.0.0.1:8000/treatments/peel/aftercare/",
        ]


def test_without_the_clinics_details_a_reminder_still_says_what_to_do(client, peel, today):
    SiteSettings.objects.create(out_of_hours="")
    (event, *_) = _events(_download(client, "2027-11-20"))
    lines = str(event["DESCRIPTION"]).split("\n")
    assert lines[2:] == [
        "If you are worried about your skin, ask at your next visit, "
        "or call the clinic where you booked.",
        OUT_OF_HOURS_FALLBACK,
        "Aftercare guide: http://127.0.0.1:8000/treatments/peel/aftercare/",
    ]
