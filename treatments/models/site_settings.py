"""The clinic's own details, one row."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models

# The days of the week, Monday first, as field name prefixes and as patients read them.
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class OpeningTimes:
    """Days in a row that keep the same hours; ``opens`` is None when they are closed."""

    days: tuple[str, ...]  # lower-case names from WEEKDAYS
    opens: datetime.time | None
    closes: datetime.time | None

    @property
    def is_open(self) -> bool:
        return self.opens is not None

    def __str__(self) -> str:
        first, last = self.days[0].capitalize(), self.days[-1].capitalize()
        joined = {1: first, 2: f"{first} and {last}"}
        days = joined.get(len(self.days), f"{first} to {last}")
        if not self.is_open:
            return f"{days} closed"
        return f"{days} {self.opens:%H:%M} to {self.closes:%H:%M}"


def _hours_field(day: str, word: str) -> models.TimeField:
    return models.TimeField(f"{day} {word}", null=True, blank=True)


class SiteSettings(models.Model):
    """The clinic's details, one row, edited in the admin and shown on every page."""

    clinic_name = models.CharField(max_length=120, default="Skin Clinic")
    phone = models.CharField(max_length=40, blank=True, help_text="As patients should dial it.")
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True, help_text="One line per part of the address.")
    # Opening hours, one pair of times a day: stated, so search engines are given them
    # exactly (never read out of free text). A day with neither time is closed.
    monday_opens = _hours_field("Monday", "opens")
    monday_closes = _hours_field("Monday", "closes")
    tuesday_opens = _hours_field("Tuesday", "opens")
    tuesday_closes = _hours_field("Tuesday", "closes")
    wednesday_opens = _hours_field("Wednesday", "opens")
    wednesday_closes = _hours_field("Wednesday", "closes")
    thursday_opens = _hours_field("Thursday", "opens")
    thursday_closes = _hours_field("Thursday", "closes")
    friday_opens = _hours_field("Friday", "opens")
    friday_closes = _hours_field("Friday", "closes")
    saturday_opens = _hours_field("Saturday", "opens")
    saturday_closes = _hours_field("Saturday", "closes")
    sunday_opens = _hours_field("Sunday", "opens")
    sunday_closes = _hours_field("Sunday", "closes")
    opening_hours_note = models.TextField(
        "about opening hours",
        blank=True,
        help_text="Shown to patients under the hours, as written, e.g. 'Closed on bank "
        "holidays'. Put the hours themselves in the times above.",
    )
    booking_url = models.URLField(blank=True, help_text="Where the 'Book' button goes.")
    out_of_hours = models.TextField(
        "out-of-hours advice",
        blank=True,
        default=(
            "If you are worried about your skin after treatment and we are closed, "
            "call your out-of-hours health service. In an emergency, call the emergency number."
        ),
    )
    disclaimer = models.TextField(
        blank=True,
        default=(
            "This information is for education. It does not replace a consultation with a "
            "clinician who knows your health."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self) -> str:
        return "Site settings"

    def save(self, *args, **kwargs) -> None:
        # One row only: whatever the form says, it is row 1.
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "SiteSettings":
        """The settings row, or the defaults while nobody has saved it: one read, no write,
        so serving a page never writes to the database."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]

    def clean(self) -> None:
        errors = {}
        for day in WEEKDAYS:
            opens, closes = getattr(self, f"{day}_opens"), getattr(self, f"{day}_closes")
            if (opens is None) != (closes is None):
                errors[f"{day}_closes" if closes is None else f"{day}_opens"] = (
                    "Give both times, or neither if the clinic is closed that day."
                )
            elif opens is not None and closes <= opens:
                errors[f"{day}_closes"] = "The closing time must be after the opening time."
        if errors:
            raise ValidationError(errors)

    @property
    def opening_times(self) -> list[OpeningTimes]:
        """The week, days in a row with the same hours together; [] when no hours are set
        (then nothing is said, rather than every day being called closed)."""
        week = [
            (day, getattr(self, f"{day}_opens"), getattr(self, f"{day}_closes")) for day in WEEKDAYS
        ]
        if all(opens is None or closes is None for _, opens, closes in week):
            return []
        groups: list[OpeningTimes] = []
        for day, opens, closes in week:
            if opens is None or closes is None:
                opens = closes = None
            last = groups[-1] if groups else None
            if last and (last.opens, last.closes) == (opens, closes):
                groups[-1] = OpeningTimes((*last.days, day), opens, closes)
            else:
                groups.append(OpeningTimes((day,), opens, closes))
        return groups

    @property
    def opening_hours_lines(self) -> list[str]:
        """The hours as patients read them ("Monday to Friday 09:00 to 18:00"), then the
        lines of the note."""
        note = [line.strip() for line in self.opening_hours_note.splitlines() if line.strip()]
        return [str(times) for times in self.opening_times] + note

    @property
    def phone_href(self) -> str:
        """The phone number as a ``tel:`` address, spaces and dashes dropped, or ''."""
        digits = "".join(c for c in self.phone if c.isdigit() or c == "+")
        return f"tel:{digits}" if digits else ""

    # The details patients need to reach the clinic, as the admin's "finish setting up"
    # panel names them: (field, what to call it).
    CONTACT_DETAILS = (
        ("phone", "phone number"),
        ("address", "address"),
        ("opening_hours_lines", "opening hours"),
        ("booking_url", "booking link"),
    )

    @property
    def missing_contact_details(self) -> list[str]:
        """What patients cannot yet be told, in words for staff: [] when all is set."""
        return [label for name, label in self.CONTACT_DETAILS if not _given(getattr(self, name))]


def _given(value: str | list[str]) -> bool:
    return bool(value.strip() if isinstance(value, str) else value)
