"""``/treatments/<slug>/aftercare/calendar/?date=YYYY-MM-DD``: aftercare reminders to keep.

A GET form on the aftercare sheet sends the treatment date here. A sensible date gets
an .ics file (``public.calendar``); anything else gets a page that says what to
fix and shows the form again, never an error page. The date is not stored or logged
beyond the request line, and the answer is marked private and no-store, because it
depends on the query.
"""

import datetime
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


class TreatmentDateForm(forms.Form):
    date = forms.DateField(
        label="Date of your treatment",
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": "Enter the date of your treatment.",
            "invalid": "Enter a real date, for example 31 January. Check the day and month.",
        },
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
