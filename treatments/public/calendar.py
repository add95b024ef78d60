"""Aftercare reminders as an iCalendar file (RFC 5545), written by hand.

The file is small and always the same shape (all-day events with a summary, a
description and a link), so a few dozen lines that follow the RFC closely are
easier to check than a dependency: CRLF line endings, lines folded at 75 octets
without splitting a UTF-8 character, TEXT values escaped, and every event with a
UID and a DTSTAMP. tests/test_calendar.py reads the output with the ``icalendar``
package, independently of this module.

Nothing is stored: the events are computed from the treatment's reminders and the
date the patient typed, on each request.
"""

import datetime
from dataclasses import dataclass

from django.utils.text import normalize_newlines

from treatments.models import SiteSettings

CRLF = "\r\n"
# RFC 5545 3.1: a content line SHOULD NOT be longer than 75 octets, excluding the line break.
MAX_LINE_OCTETS = 75
PRODID = "-//Clinic patient information//Aftercare reminders//EN"
# Shown at 09:00 on the day (an all-day event starts at midnight), where calendars
# support alarms; the ones that do not still show the event.
ALARM_TRIGGER = "PT9H"


@dataclass(frozen=True)
class Event:
    """One all-day event."""

    uid: str
    day: datetime.date
    summary: str
    description: str = ""
    url: str = ""


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return normalize_newlines(value).replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets (RFC 5545 3.1).

    Each continuation starts with one space, which counts towards its 75 octets.
    A multi-byte UTF-8 character is never split between two pieces.
    """
    pieces, current, size = [], [], 0
    limit = MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            # The continuation's leading space takes one of its 75 octets.
            current, size, limit = [], 0, MAX_LINE_OCTETS - 1
        current.append(char)
        size += width
    pieces.append("".join(current))
    return (CRLF + " ").join(pieces)


def _date(day: datetime.date) -> str:
    return day.strftime("%Y%m%d")


def _utc_timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _event_lines(event: Event, stamp: str) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{_date(event.day)}",
        # DTEND is exclusive: an all-day event on one day ends at the start of the next.
        f"DTEND;VALUE=DATE:{_date(event.day + datetime.timedelta(days=1))}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.url:
        lines.append(f"URL;VALUE=URI:{event.url}")
    lines += [
        # A reminder, not an appointment: it should not make the day look busy.
        "TRANSP:TRANSPARENT",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{escape_text(event.summary)}",
        f"TRIGGER;RELATED=START:{ALARM_TRIGGER}",
        "END:VALARM",
        "END:VEVENT",
    ]
    return lines


def build_calendar(events: list[Event], *, name: str, now: datetime.datetime) -> bytes:
    """A complete VCALENDAR holding ``events``, as UTF-8 bytes ready to send.

    ``now`` (timezone-aware) becomes every event's DTSTAMP, the time the file was made.
    """
    stamp = _utc_timestamp(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        # The calendar's name in Apple's and Google's calendars.
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines += _event_lines(event, stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines).encode("utf-8")


def _sentence_case_after_colon(text: str) -> str:
    """Lower-case the first letter, to read on after "Microneedling aftercare: ".

    An acronym such as "FDA" keeps its capitals.
    """
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


# Said when the clinic has not given its own advice for when it is closed.
OUT_OF_HOURS_FALLBACK = (
    "If you feel unwell and we are closed, call your out-of-hours health service. "
    "In an emergency, call the emergency number."
)


def clinic_advice(clinic: SiteSettings) -> str:
    """Who to call and when, for the end of each event's description.

    A calendar entry is read days later, away from the site, so it carries the clinic's
    own details; whatever is missing, it still tells the patient what to do.
    """
    hours = "; ".join(clinic.opening_hours_lines)
    if clinic.phone:
        call = f"call {clinic.clinic_name} on {clinic.phone}" + (f" ({hours})" if hours else "")
    else:
        call = "ask at your next visit, or call the clinic where you booked"
    lines = [
        f"If you are worried about your skin, {call}.",
        clinic.out_of_hours.strip() or OUT_OF_HOURS_FALLBACK,
    ]
    if clinic.booking_url:
        lines.append(f"Book a visit: {clinic.booking_url}")
    if clinic.address_lines:
        lines.append(", ".join([clinic.clinic_name, *clinic.address_lines]))
    return "\n".join(lines)


def aftercare_events(
    treatment,
    treatment_date: datetime.date,
    *,
    page_url: str,
    host: str,
    clinic: SiteSettings | None = None,
) -> list[Event]:
    """An all-day event for each of ``treatment.reminders``, counted from ``treatment_date``.

    The UID is made from the treatment, the date and the reminder, so downloading the
    file again for the same date updates the events instead of adding copies. Each
    description ends with the clinic's details (``clinic``, else the site settings).
    """
    advice = clinic_advice(clinic or SiteSettings.load())
    events = []
    for index, reminder in enumerate(treatment.reminders.all(), start=1):
        day = treatment_date + datetime.timedelta(days=reminder.after_days)
        what = _sentence_case_after_colon(reminder.title)
        day_word = "day" if reminder.after_days == 1 else "days"
        events.append(
            Event(
                uid=f"{treatment.slug}-{_date(treatment_date)}-{index}@{host}",
                day=day,
                summary=f"{treatment.title} aftercare: {what}",
                description=(
                    f"{reminder.after_days} {day_word} after your {treatment.title.lower()} "
                    f"treatment on {treatment_date.day} {treatment_date:%B %Y}.\n"
                    f"{reminder.title.rstrip('.')}.\n"
                    f"{advice}\n"
                    f"Aftercare guide: {page_url}"
                ),
                url=page_url,
            )
        )
    return events
