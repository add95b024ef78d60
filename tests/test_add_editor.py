""" "Add an editor" (issue 15, part 5): one form makes a staff login in the right group,
with a reviewer's public name and title; only those who may add users see it."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from tests.test_clinical_review import _staff as staff_in
from treatments.models import EDITORS_GROUP, REVIEWERS_GROUP, StaffProfile

pytestmark = pytest.mark.django_db

URL = "admin:auth_user_add_editor"
PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture
def boss(client):
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "pw"))
    return client


def details(**changes) -> dict:
    return {
        "first_name": "Nina",
        "last_name": "Nurse",
        "email": "nina@example.com",
        "username": "nina",
        "role": EDITORS_GROUP,
        "usable_password": "true",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **changes,
    }


def test_the_users_list_links_to_the_form(boss):
    html = boss.get(reverse("admin:auth_user_changelist")).content.decode()
    assert f'href="{reverse(URL)}"' in html
    assert boss.get(reverse(URL)).status_code == 200


def test_an_editor_is_a_staff_login_in_the_editors_group_who_can_sign_in(boss, client):
    response = boss.post(reverse(URL), details(), follow=True)
    nina = User.objects.get(username="nina")
    assert response.redirect_chain[-1][0] == reverse("admin:auth_user_change", args=[nina.pk])
    assert nina.is_staff
    assert not nina.is_superuser
    assert list(nina.groups.values_list("name", flat=True)) == [EDITORS_GROUP]
    assert not StaffProfile.objects.filter(user=nina).exists()
    assert "Nina Nurse is now an editor. They can sign in now" in response.content.decode()
    client.logout()
    assert client.login(username="nina", password=PASSWORD)
    assert client.get(reverse("admin:treatments_treatment_changelist")).status_code == 200


def test_a_reviewer_needs_the_name_and_title_patients_see(boss):
    response = boss.post(reverse(URL), details(role=REVIEWERS_GROUP))
    assert response.status_code == 200
    assert response.content.decode().count("approvals show this to patients") == 2
    assert not User.objects.filter(username="nina").exists()

    boss.post(
        reverse(URL),
        details(
            role=REVIEWERS_GROUP,
            public_name="Dr N. Nurse",
            professional_title="Nurse prescriber, NMC 12A3456B",
            usable_password="false",
        ),
    )
    nina = User.objects.get(username="nina")
    assert list(nina.groups.values_list("name", flat=True)) == [REVIEWERS_GROUP]
    assert str(nina.staff_profile) == "Dr N. Nurse, Nurse prescriber, NMC 12A3456B"
    # No password chosen: the user's page offers "Set password", as Django's own does.
    assert not nina.has_usable_password()


def test_a_weak_password_is_refused_as_djangos_own_form_refuses_it(boss):
    response = boss.post(reverse(URL), details(password1="nina", password2="nina"))
    assert response.status_code == 200
    assert not User.objects.filter(username="nina").exists()


def test_editors_cannot_make_logins(client):
    client.force_login(staff_in("erin", EDITORS_GROUP))
    assert client.get(reverse(URL)).status_code == 403
    assert client.post(reverse(URL), details()).status_code == 403
    assert not User.objects.filter(username="nina").exists()
