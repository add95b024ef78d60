"""Facts stated, not guessed (issue 14 part 2).

A treatment's other names, the parts of the body it is used on and whether it goes
through the skin become fields; they start empty, since nothing certain can fill them
(the old JSON-LD read them out of the copy, and got them wrong). The content files
carry them, so `import_content` fills the shipped pages.

The clinic's opening hours become a pair of times a day. The free-text field becomes
the note shown under them. A line of it in the exact form its help text asked for
("Monday-Friday 09:00-18:00", "Saturday 10:00-14:00", "Sunday closed") is moved into
the times; any other line stays in the note, word for word, and is never read.
"""

import datetime
import re

from django.db import migrations, models

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*"
EXACT_LINE = re.compile(
    rf"^(?P<first>{DAY})(?:\s*[-\u2013]\s*(?P<last>{DAY}))?:?\s+"
    r"(?:(?P<opens>\d\d:\d\d)\s*[-\u2013]\s*(?P<closes>\d\d:\d\d)|(?P<closed>closed))$",
    re.IGNORECASE,
)


def _day(word: str) -> int | None:
    """A day's index, only for its full name or its three-letter short form."""
    word = word.lower()
    for index, day in enumerate(WEEKDAYS):
        if word in (day, day[:3]):
            return index
    return None


def _time(text: str) -> datetime.time | None:
    try:
        return datetime.time.fromisoformat(text)
    except ValueError:
        return None


def _read_line(line: str) -> tuple[list[str], datetime.time | None, datetime.time | None] | None:
    """(days, opens, closes) for a line in the exact documented form, else None."""
    match = EXACT_LINE.match(line)
    if not match:
        return None
    first = _day(match["first"])
    last = _day(match["last"]) if match["last"] else first
    if first is None or last is None or last < first:
        return None
    if match["closed"]:
        return list(WEEKDAYS[first : last + 1]), None, None
    opens, closes = _time(match["opens"]), _time(match["closes"])
    if opens is None or closes is None or closes <= opens:
        return None
    return list(WEEKDAYS[first : last + 1]), opens, closes


def hours_to_times(apps, schema_editor):
    SiteSettings = apps.get_model("treatments", "SiteSettings")
    for site in SiteSettings.objects.all():
        times, kept, seen = {}, [], set()
        for line in site.opening_hours_note.splitlines():
            read = _read_line(line.strip()) if line.strip() else None
            if read is None or seen & set(read[0]):
                kept.append(line)
                continue
            days, opens, closes = read
            seen.update(days)
            for day in days:
                times[f"{day}_opens"], times[f"{day}_closes"] = opens, closes
        if times:
            for name, value in times.items():
                setattr(site, name, value)
            site.opening_hours_note = "\n".join(kept).strip()
            site.save(update_fields=[*times, "opening_hours_note"])


def times_to_hours(apps, schema_editor):
    """Back to one line per day, before the note: nothing is lost going back."""
    SiteSettings = apps.get_model("treatments", "SiteSettings")
    for site in SiteSettings.objects.all():
        lines = []
        for day in WEEKDAYS:
            opens, closes = getattr(site, f"{day}_opens"), getattr(site, f"{day}_closes")
            if opens and closes:
                lines.append(f"{day.capitalize()} {opens:%H:%M}-{closes:%H:%M}")
        if lines:
            site.opening_hours_note = "\n".join([*lines, site.opening_hours_note]).strip()
            site.save(update_fields=["opening_hours_note"])


def _hours_field(day: str, word: str) -> migrations.AddField:
    return migrations.AddField(
        model_name="sitesettings",
        name=f"{day}_{word}",
        field=models.TimeField(blank=True, null=True, verbose_name=f"{day.capitalize()} {word}"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0010_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="treatment",
            name="alternate_names",
            field=models.CharField(
                blank=True,
                help_text="Other names patients may know it by, separated by commas, e.g. 'skin needling, collagen induction therapy'. Leave empty if it has none.",
                max_length=200,
                verbose_name="other names",
            ),
        ),
        migrations.AddField(
            model_name="treatment",
            name="body_locations",
            field=models.CharField(
                blank=True,
                help_text="The parts of the body it is used on, separated by commas, e.g. 'face, neck, hands'. Leave empty rather than guess.",
                max_length=200,
                verbose_name="parts of the body",
            ),
        ),
        migrations.AddField(
            model_name="treatment",
            name="procedure_type",
            field=models.CharField(
                blank=True,
                choices=[
                    ("noninvasive", "No: nothing goes through the skin"),
                    ("percutaneous", "Yes: needles or injections go through the skin"),
                ],
                help_text="Whether needles or injections go through the skin. Leave empty if it is neither clearly one nor the other: then search engines are told nothing.",
                max_length=20,
                verbose_name="through the skin?",
            ),
        ),
        *(_hours_field(day, word) for day in WEEKDAYS for word in ("opens", "closes")),
        migrations.RenameField(
            model_name="sitesettings", old_name="opening_hours", new_name="opening_hours_note"
        ),
        migrations.AlterField(
            model_name="sitesettings",
            name="opening_hours_note",
            field=models.TextField(
                blank=True,
                help_text="Shown to patients under the hours, as written, e.g. 'Closed on bank holidays'. Put the hours themselves in the times above.",
                verbose_name="about opening hours",
            ),
        ),
        migrations.RunPython(hours_to_times, times_to_hours, elidable=True),
    ]
