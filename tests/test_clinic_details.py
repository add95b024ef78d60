"""The clinic's details wherever patients are told to call, book or visit, from the site
settings; copy that still says what to do when a detail is missing; and the admin's
"Finish setting up" panel until the details are in."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from tests.conftest import CLINIC_WEEK, hours, make_treatment
from tests.public_site import OTHER_PAGES, PUBLIC_PAGES, build_public_site
from treatments.models import Page, SiteSettings
from treatments.models.workflow import publish_without_review

pytestmark = pytest.mark.django_db

FULL = {
    "clinic_name": "Riverside Skin Clinic",
    "phone": "020 7946 0000",
    "email": "hello@clinic.example",
    "address": "1 River Street\nLondon\nSE1 9AA",
    **CLINIC_WEEK,
    "booking_url": "https://booking.example/riverside",
    "out_of_hours": "If we are closed, call your out-of-hours health service.",
}


def _footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">') :]


def test_every_public_page_gives_the_clinics_details(client):
    build_public_site()
    SiteSettings.objects.filter(pk=1).update(**FULL)
    for name, url, status in PUBLIC_PAGES + OTHER_PAGES:
        response = client.get(url)
        assert response.status_code == status, url
        html = response.content.decode()
        # The home page shows them in its main part instead of the footer.
        where = html[html.index("<main") :] if name == "home" else _footer(html)
        for detail in (
            '<h2 id="clinic-contact">Contact Riverside Skin Clinic</h2>',
            'Call <a href="tel:02079460000">020 7946 0000</a>',
            '<a href="https://booking.example/riverside">Book a visit online</a>',
            "<address>1 River Street<br>London<br>SE1 9AA</address>",
            "<li>Monday to Friday 09:00 to 18:00</li><li>Saturday 10:00 to 14:00</li>"
            "<li>Sunday closed</li>",
            "If we are closed, call your out-of-hours health service.",
        ):
            assert detail in where, (name, detail)


def test_with_no_details_set_pages_still_say_what_to_do(client):
    make_treatment()
    SiteSettings.objects.create(clinic_name="Riverside Skin Clinic", out_of_hours="")
    html = client.get("/treatments/peel/").content.decode()
    footer = _footer(html)
    assert "Our phone number is not on this website yet." in footer
    assert "ask at your next visit" in footer
    assert "call your out-of-hours health service" in footer
    assert "<address>" not in footer
    assert "Opening hours" not in footer
    assert "Please contact" not in html


def test_the_booking_box_gives_the_opening_hours_and_an_address_when_there_is_no_phone(client):
    make_treatment(sections={"contraindications": "- **Sunburn.** Wait."})
    SiteSettings.objects.create(
        clinic_name="Riverside Skin Clinic",
        address="1 River Street\nLondon",
        **hours("monday-friday", "09:00", "18:00"),
    )
    html = client.get("/treatments/peel/").content.decode()
    box = html[
        html.index('<section class="right-for-me"') : html.index(
            "</section>", html.index("data-talk-first")
        )
    ]
    assert "To book, come and see us at 1 River Street, London." in box
    assert "Come and talk to us at 1 River Street, London before you book." in box
    assert (
        box.count("We are open Monday to Friday 09:00 to 18:00; Saturday and Sunday closed.") == 2
    )


def test_talk_to_us_first_offers_the_booking_link_when_there_is_no_phone(client):
    make_treatment(sections={"contraindications": "- **Sunburn.** Wait."})
    SiteSettings.objects.create(booking_url="https://booking.example/x")
    html = client.get("/treatments/peel/").content.decode()
    talk = html[
        html.index("data-talk-first") : html.index("</section>", html.index("data-talk-first"))
    ]
    assert "tell us what you ticked" in talk
    assert '<a class="button" href="https://booking.example/x">' in talk


def test_the_gone_page_says_how_to_ask_without_a_phone(client):
    make_treatment("retired-peel").delete()
    SiteSettings.objects.create()
    html = client.get("/treatments/retired-peel/").content.decode()
    assert "ask us about it at your next visit, or call the clinic where you booked." in html


def test_the_phone_link_dials_digits_only():
    assert SiteSettings(phone="+44 (0)20 7946-0000").phone_href == "tel:+440207946000" + "0"
    assert SiteSettings(phone="").phone_href == ""


def test_missing_contact_details_name_what_staff_must_add():
    settings = SiteSettings(phone="020", address="  ", opening_hours_note="", booking_url="")
    assert settings.missing_contact_details == ["address", "opening hours", "booking link"]
    assert SiteSettings(**FULL).missing_contact_details == []


# -- The admin ---------------------------------------------------------------------------


def _index(client) -> str:
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("sam", "sam@example.com", "pw"))
    return client


def test_the_admin_asks_to_finish_setting_up_until_the_details_are_in(admin_client):
    SiteSettings.objects.create(phone="020 7946 0000")
    html = _index(admin_client)
    assert '<h2 id="finish-setting-up">Finish setting up</h2>' in html
    assert "cannot see the clinic's address, opening hours and booking link yet" in html
    settings_url = reverse("admin:treatments_sitesettings_changelist")
    assert f'<a href="{settings_url}">Add the address, opening hours and booking link' in html
    # The panel sits above the list of what staff edit.
    assert html.index("Finish setting up") < html.index('id="content-main"')

    SiteSettings.objects.filter(pk=1).update(**FULL)
    assert "Finish setting up" not in _index(admin_client)


def test_before_anyone_saves_the_settings_all_four_are_missing(admin_client):
    assert "phone number, address, opening hours and booking link" in _index(admin_client)


def test_editors_are_told_who_can_add_the_details(client):
    user = User.objects.create_user("erin", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    html = _index(client)
    assert "Finish setting up" in html
    assert "Ask an administrator to add them in Site settings." in html
    assert reverse("admin:treatments_sitesettings_changelist") not in html


def test_the_admin_names_the_site_pages_patients_cannot_read_yet(admin_client, settings):
    SiteSettings.objects.create(**FULL)
    about = Page.objects.create(title="About us", slug="about", description="d", body="b")
    privacy = Page.objects.create(title="Privacy", slug="privacy", description="d", body="b")
    settings.CLINICAL_SIGNOFF_REQUIRED = True
    html = _index(admin_client)
    about_url = reverse("admin:treatments_page_change", args=[about.pk])
    privacy_url = reverse("admin:treatments_page_change", args=[privacy.pk])
    assert (
        f'Patients cannot read <a href="{about_url}">About us</a> or '
        f'<a href="{privacy_url}">Privacy</a> yet, so no page links to them. A page goes on '
        "the site once it is published with a clinician's approval."
    ) in html

    settings.CLINICAL_SIGNOFF_REQUIRED = False
    publish_without_review(about, None)
    html = _index(admin_client)
    assert (
        f'Patients cannot read <a href="{privacy_url}">Privacy</a> yet, so no page links to it.'
        in html
    )
    assert about_url not in html.split('id="content-main"')[0]
    publish_without_review(privacy, None)
    assert "Finish setting up" not in _index(admin_client)
