"""Facts staff state, not ones read out of copy: opening hours as times, the treatment's
facts for search engines in the admin, and the migration that moved the old free-text
hours across only where they were certain."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.admin_forms import form_data
from tests.conftest import CLINIC_WEEK, hours, make_treatment
from treatments.models import SiteSettings

pytestmark = pytest.mark.django_db

facts_migration = importlib.import_module("treatments.migrations.0011_facts")


@pytest.fixture
def staff(client):
    client.force_login(User.objects.create_superuser("sam", "sam@example.com", "pw"))
    return client


def test_the_week_reads_as_days_in_a_row_with_closed_days_named():
    site = SiteSettings(**CLINIC_WEEK, opening_hours_note="Closed on bank holidays")
    assert site.opening_hours_lines == [
        "Monday to Friday 09:00 to 18:00",
        "Saturday 10:00 to 14:00",
        "Sunday closed",
        "Closed on bank holidays",
    ]
    assert SiteSettings().opening_hours_lines == []
    assert "opening hours" in SiteSettings().missing_contact_details
    assert "opening hours" not in SiteSettings(**CLINIC_WEEK).missing_contact_details


@pytest.mark.parametrize(
    ("times", "field"),
    [
        ({"monday_opens": datetime.time(9)}, "monday_closes"),
        ({"friday_closes": datetime.time(9)}, "friday_opens"),
        (hours("sunday", "18:00", "09:00"), "sunday_closes"),
    ],
)
def test_a_day_needs_both_times_in_order(times, field):
    with pytest.raises(ValidationError) as error:
        SiteSettings(**times).full_clean()
    assert set(error.value.message_dict) == {field}


def test_staff_set_the_hours_in_the_admin_as_times(staff, client):
    url = reverse("admin:treatments_sitesettings_add")
    html = staff.get(url).content.decode()
    assert 'type="time" name="monday_opens"' in html
    data = form_data(html, "sitesettings_form")
    data.update(
        {"wednesday_opens": "08:00", "wednesday_closes": "12:30", "opening_hours_note": "Ask"}
    )
    assert staff.post(url, data).status_code == 302
    site = SiteSettings.load()
    assert (site.wednesday_opens, site.wednesday_closes) == (
        datetime.time(8),
        datetime.time(12, 30),
    )
    assert site.opening_hours_lines[1:] == [
        "Wednesday 08:00 to 12:30",
        "Thursday to Sunday closed",
        "Ask",
    ]


def test_the_edit_page_asks_for_the_facts_for_search_engines(staff):
    peel = make_treatment()
    url = reverse("admin:treatments_treatment_change", args=[peel.pk])
    html = staff.get(url).content.decode()
    assert "Facts for search engines" in html
    data = form_data(html, "treatment_form")
    data.update(alternate_names="chemical peel", body_locations="face, hands")
    data["procedure_type"] = "noninvasive"
    assert staff.post(url, data).status_code == 302
    peel.refresh_from_db()
    assert (peel.alternate_names, peel.body_locations, peel.procedure_type) == (
        "chemical peel",
        "face, hands",
        "noninvasive",
    )


def test_the_migration_moves_only_lines_in_the_exact_documented_form():
    note = "\n".join(
        [
            "Monday-Friday 09:00-18:00",
            "Sat 10:00-14:00",
            "Sunday closed",
            "Thursday 9am till late",  # not the documented form: kept, never read
            "Friday 10:00-12:00",  # Friday already given above: kept rather than choose
            "Bank holidays: closed",
        ]
    )
    SiteSettings.objects.create(opening_hours_note=note)
    facts_migration.hours_to_times(apps, None)
    site = SiteSettings.load()
    assert site.opening_hours_lines == [
        "Monday to Friday 09:00 to 18:00",
        "Saturday 10:00 to 14:00",
        "Sunday closed",
        "Thursday 9am till late",
        "Friday 10:00-12:00",
        "Bank holidays: closed",
    ]

    facts_migration.times_to_hours(apps, None)
    back = SiteSettings.load().opening_hours_note.splitlines()
    assert back[:6] == [
        f"{day} 09:00-18:00" for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
    ] + ["Saturday 10:00-14:00"]
    assert back[-1] == "Bank holidays: closed"
