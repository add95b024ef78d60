"""``/treatments/<slug>/aftercare/calendar/?date=...``: aftercare reminders to keep.

A GET form on the aftercare sheet sends the treatment date here: the date picker's
YYYY-MM-DD, or a date as people type it where the browser shows a plain text box
("31 January 2027", "31/01/2027"). A sensible date gets an .ics file
(``public.calendar``); anything else gets a page that says what to fix and shows the
form again, never an error page. The date is not stored or logged
beyond the request line, and the answer is marked private and no-store, because it
depends on the query.
"""

import datetime
import re
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from treatments.public.calendar import aftercare_events, build_calendar
from treatments.public.views import live_treatment_at

# How far from today a treatment date may be: further is almost surely a typing slip.
MAX_DAYS_AWAY = 365
# Where 01/02/2027 is 2 January; elsewhere (LANGUAGE_CODE) it is 1 February.
MONTH_FIRST_LANGUAGES = {"en-us"}
# In English whatever the server's locale, as the pages are.
MONTH_NAMES = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)
# Full names and their first three letters ("Jan"), and "Sept".
MONTHS = {
    **{name.lower(): number for number, name in enumerate(MONTH_NAMES, start=1)},
    **{name[:3].lower(): number for number, name in enumerate(MONTH_NAMES, start=1)},
    "sept": 9,
}
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
NUMBERS = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})")
DAY_MONTH_YEAR = re.compile(r"(\d{1,2}) ?([a-z]+)\.? ?(\d{4})")
MONTH_DAY_YEAR = re.compile(r"([a-z]+)\.? ?(\d{1,2}) ?(\d{4})")
MAX_TYPED = 40


def _month_first() -> bool:
    return settings.LANGUAGE_CODE.lower() in MONTH_FIRST_LANGUAGES


def _year(text: str) -> int:
    """A two-digit year is this century's: "27" is 2027."""
    return int(text) + 2000 if len(text) == 2 else int(text)


def _parts(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) as written, without checking that such a day exists."""
    if match := ISO_DATE.fullmatch(text):
        return int(match[1]), int(match[2]), int(match[3])
    if match := NUMBERS.fullmatch(text):
        first, second = int(match[1]), int(match[2])
        day, month = (second, first) if _month_first() else (first, second)
        return _year(match[3]), month, day
    if (match := DAY_MONTH_YEAR.fullmatch(text)) and match[2] in MONTHS:
        return int(match[3]), MONTHS[match[2]], int(match[1])
    if (match := MONTH_DAY_YEAR.fullmatch(text)) and match[1] in MONTHS:
        return int(match[3]), MONTHS[match[1]], int(match[2])
    return None


def parse_date(typed: str) -> datetime.date | None:
    """A date as people type it, or None.

    "31 January 2027", "31 Jan 2027", "31st Jan, 2027", "January 31 2027", "31/01/2027"
    (day first, as the clinic's language says), "31-01-27", and ISO "2027-01-31", which
    is what a browser's date picker sends.
    """
    text = " ".join(typed.lower().replace(",", " ").split())[:MAX_TYPED]
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
    parts = _parts(text)
    if parts is None:
        return None
    try:
        return datetime.date(*parts)
    except ValueError:  # 30 February, month 13
        return None


def example_dates(day: datetime.date) -> str:
    """``day`` as the messages write it, in two forms ``parse_date`` reads:
    "31 January 2027 or 31/01/2027" (month first where the language says so)."""
    numbers = f"{day:%m/%d/%Y}" if _month_first() else f"{day:%d/%m/%Y}"
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year} or {numbers}"


class TreatmentDateField(forms.DateField):
    """A date typed in any of the ways ``parse_date`` reads, or picked from a calendar."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        day = parse_date(str(value))
        if day is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return day

    def bound_data(self, data, initial):
        """What the date box shows again: the date in the picker's own form when it can be
        read, so a browser's date picker keeps it; otherwise what was typed."""
        day = parse_date(data) if isinstance(data, str) else None
        return day.isoformat() if day else data


class TreatmentDateForm(forms.Form):
    date = TreatmentDateField(label="Date of your treatment")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The example is near today, so it is a date the form accepts.
        today = timezone.localdate()
        self.fields["date"].error_messages.update(
            {
                "required": "Enter the date of your treatment.",
                "invalid": (
                    f"Enter a real date, for example {example_dates(today)}. "
                    "Check the day and month."
                ),
            }
        )

    def clean_date(self) -> datetime.date:
        day = self.cleaned_data["date"]
        today = timezone.localdate()
        if abs((day - today).days) > MAX_DAYS_AWAY:
            raise forms.ValidationError(
                "Enter a date within a year of today. Check the year.", code="too_far"
            )
        return day


def _private(response: HttpResponse) -> HttpResponse:
    """Never kept by a browser or shared cache: the answer depends on the query."""
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def aftercare_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """The .ics file of the treatment's aftercare reminders, or help with the date."""
    treatment = live_treatment_at(request, slug)
    if treatment is None or not treatment.reminders.all():
        raise Http404("No aftercare reminders for this treatment")
    form = TreatmentDateForm(request.GET)
    if not form.is_valid():
        context = {"treatment": treatment, "form": form, "asked": "date" in request.GET}
        return _private(render(request, "treatments/aftercare_calendar.html", context))

    treatment_date = form.cleaned_data["date"]
    page_url = settings.SITE_BASE_URL + reverse("treatments:aftercare", args=[treatment.slug])
    events = aftercare_events(
        treatment,
        treatment_date,
        page_url=page_url,
        host=urlsplit(settings.SITE_BASE_URL).hostname or "localhost",
    )
    body = build_calendar(events, name=f"{treatment.title} aftercare", now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    filename = f"{treatment.slug}-aftercare-{treatment_date:%Y-%m-%d}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)
