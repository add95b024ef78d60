"""The treatment edit page and its neighbours: list, checks, preview, publish, export, roles."""

import datetime
import re

import pytest
import reversion
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from tests.admin_forms import form_data
from tests.conftest import make_treatment, sign_off
from treatments.content.sync import export_text
from treatments.models import FormerSlug, Section, SiteSettings, Treatment
from treatments.models.workflow import refresh_working_hash

pytestmark = pytest.mark.django_db

FORM = "treatment_form"


def change_url(treatment: Treatment) -> str:
    return reverse("admin:treatments_treatment_change", args=[treatment.pk])


@pytest.fixture
def staff(client):
    user = User.objects.create_superuser("sam", "sam@example.com", "pw", first_name="Sam")
    client.force_login(user)
    return client


@pytest.fixture
def peel(db) -> Treatment:
    return make_treatment(
        description="Too short.",
        faqs=[("Does it hurt?", "It can sting a little."), ("How long?", "About an hour.")],
    )


def opened(client, treatment: Treatment) -> dict:
    response = client.get(change_url(treatment))
    assert response.status_code == 200
    return form_data(response.content.decode(), FORM)


def test_the_edit_page_has_fields_sections_questions_and_help(staff, peel):
    html = staff.get(change_url(peel)).content.decode()
    assert 'name="title"' in html
    assert 'name="summary"' in html
    assert 'name="sections-0-body"' in html
    assert 'name="faqs-1-answer"' in html
    assert 'name="sections-0-position"' in html  # ordered by number (and by drag in editing.js)
    assert "**bold**; - for a bullet list" in html  # Markdown help beside each text box
    assert "treatments/admin/editing.js" in html
    data = form_data(html, FORM)
    assert data["based_on_version"] == str(peel.version)


def test_the_checks_panel_and_each_part_show_the_content_checks(staff, peel):
    html = staff.get(change_url(peel)).content.decode()
    assert "What to fix" in html
    assert "<strong>Meta description:</strong> The meta description has 10 characters" in html
    assert "There are 2 questions; aim for 5 or more." in html
    # Beside a section: its length and reading grade; beside a question: its own findings.
    assert re.search(r"3 words; reading grade [\d.]+ \(aim for 8 or below\)\.", html)
    assert "the answer has 5 words; answers of 40-120 words stand on their own." in html


def test_checks_follow_the_copy_on_the_page_when_it_has_errors(staff, peel):
    data = opened(staff, peel)
    data["title"] = ""  # an error, so the page comes back with the typed copy
    data["description"] = "A description long enough for search engines to show it in full."
    response = staff.post(change_url(peel), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert "The meta description has" not in html


def test_the_list_shows_where_each_page_stands_with_review_filters(staff):
    today = timezone.localdate()
    sign_off(
        make_treatment("overdue-peel", title="Overdue peel"), on=today.replace(year=today.year - 2)
    )
    sign_off(make_treatment("fresh-peel", title="Fresh peel"), on=today)
    changed = make_treatment("changed-peel", title="Changed peel")
    changed.sections.filter(kind="overview").update(body="Changed since it went live.")
    refresh_working_hash(changed)
    make_treatment("draft-peel", title="Draft peel", status=Treatment.Status.DRAFT)
    listing = reverse("admin:treatments_treatment_changelist")

    html = staff.get(listing).content.decode()
    for heading in ("On the site", "Last edited", "Last edited by", "Clinical review due"):
        assert f">{heading}</a>" in html or f">{heading}</span>" in html
    assert "(overdue)" in html
    assert "Yes (changes waiting)" in html
    assert "Content import" in html  # made outside the admin, so no editor yet

    def titles(**query) -> set[str]:
        page = staff.get(listing, query).content.decode()
        return {t for t in ("Overdue", "Fresh", "Changed", "Draft") if f"{t} peel" in page}

    assert titles(review="overdue") == {"Overdue"}
    assert titles(review="changed") == {"Changed"}
    assert titles(review="never") == {"Changed", "Draft"}
    assert titles(q="fresh") == {"Fresh"}


def test_a_save_records_who_and_moves_the_version_on(staff, peel):
    data = opened(staff, peel)
    data["faqs-0-answer"] = "It can sting, like a mild sunburn."
    response = staff.post(change_url(peel), data)
    assert response.status_code == 302
    peel.refresh_from_db()
    assert peel.updated_by.username == "sam"
    assert peel.version == int(data["based_on_version"]) + 1
    assert peel.faqs.get(position=1).answer_html == "<p>It can sting, like a mild sunburn.</p>"
    listing = staff.get(reverse("admin:treatments_treatment_changelist")).content.decode()
    assert "Sam" in listing


def test_line_breaks_from_a_browser_neither_look_like_changes_nor_reach_the_copy(staff, db):
    with reversion.create_revision():
        peel = make_treatment(sections={"overview": "One line.\n\n- two\n- three"})
    data = opened(staff, peel)
    # Browsers send every line break in a text box as CRLF.
    data = {name: value.replace("\n", "\r\n") for name, value in data.items()}
    data["summary"] = "A new summary."
    assert staff.post(change_url(peel), data).status_code == 302
    assert Section.objects.get().body == "One line.\n\n- two\n- three"
    latest = Version.objects.get_for_object(peel).first()
    assert latest.revision.get_comment() == "Changed Summary."


def test_publish_without_review_puts_a_draft_live_with_the_notice(staff, draft):
    data = opened(staff, draft)
    data["_publish"] = "Save and publish now, without review"
    response = staff.post(change_url(draft), data, follow=True)
    draft.refresh_from_db()
    assert draft.status == Treatment.Status.PUBLISHED
    assert "Live now: patients see it at" in response.content.decode()
    staff.logout()
    page = staff.get("/treatments/secret-draft/")
    assert page.status_code == 200
    assert "has not yet been checked by a clinician" in page.content.decode()


def test_publish_with_a_later_time_waits_for_it(staff, draft):
    data = opened(staff, draft)
    data["publish_at_0"] = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    data["publish_at_1"] = "09:00:00"
    data["_publish"] = "Save and publish now, without review"
    response = staff.post(change_url(draft), data, follow=True)
    assert "Goes live on" in response.content.decode()
    staff.logout()
    assert staff.get("/treatments/secret-draft/").status_code == 404


def test_without_sign_off_required_there_is_no_way_round_review_in_production(
    staff, draft, settings
):
    settings.CLINICAL_SIGNOFF_REQUIRED = True
    html = staff.get(change_url(draft)).content.decode()
    assert 'name="_submit"' in html
    assert 'name="_publish"' not in html
    data = opened(staff, draft)
    data["_publish"] = "forged"
    response = staff.post(change_url(draft), data, follow=True)
    assert "publishes only what a clinician has approved" in response.content.decode()
    staff.logout()
    assert staff.get("/treatments/secret-draft/").status_code == 404


def preview(client, treatment: Treatment, data: dict):
    response = client.post(reverse("admin:treatments_treatment_preview", args=[treatment.pk]), data)
    assert response.status_code == 302
    return response["Location"]


def test_preview_shows_the_unsaved_copy_through_the_public_templates(staff, peel):
    before = export_text(peel)
    data = opened(staff, peel)
    data["title"] = "Chemical peel"
    data["faqs-0-answer"] = "Only a **little**. <script>alert(1)</script>"
    detail_url = preview(staff, peel, data)

    detail = staff.get(detail_url)
    html = detail.content.decode()
    assert "<h1>Chemical peel</h1>" in html
    assert "<strong>Preview</strong>" in html
    assert "no-cache" in detail["Cache-Control"]
    assert detail["X-Robots-Tag"] == "noindex, nofollow"
    # The questions link leads to the preview of the questions page, not the saved one.
    faq_url = detail_url + "faq/"
    assert f'href="{faq_url}#does-it-hurt"' in html

    faq = staff.get(faq_url).content.decode()
    assert "<p>Only a <strong>little</strong>. &lt;script&gt;alert(1)&lt;/script&gt;</p>" in faq
    assert "<script>alert" not in faq
    # Nothing was saved.
    assert export_text(Treatment.objects.with_content().get(pk=peel.pk)) == before


def test_preview_leaves_out_deleted_questions_and_orders_by_number(staff, peel):
    data = opened(staff, peel)
    data["faqs-0-DELETE"] = "on"
    data["sections-0-position"] = "99"
    html = staff.get(preview(staff, peel, data) + "faq/").content.decode()
    assert "Does it hurt?" not in html
    assert "How long?" in html
    detail = staff.get(preview(staff, peel, data)).content.decode()
    assert detail.index('id="how-it-works"') < detail.index('id="overview"')


def test_preview_is_only_for_staff_who_may_edit(client, peel):
    url = reverse("admin:treatments_treatment_preview", args=[peel.pk])
    assert client.post(url, {}).status_code == 302  # to the login page
    viewer = User.objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(viewer)
    assert client.post(url, {}).status_code == 403


def test_an_expired_preview_says_so(staff, peel):
    url = reverse("admin:treatments_treatment_preview_page", args=[peel.pk, "nope"])
    response = staff.get(url)
    assert response.status_code == 404


def test_export_downloads_the_file_export_content_writes(staff, peel, tmp_path):
    response = staff.get(reverse("admin:treatments_treatment_export", args=[peel.pk]))
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="peel.md"'
    call_command("export_content", str(tmp_path), verbosity=0)
    assert response.content == (tmp_path / "treatments" / "peel.md").read_bytes()
    assert response.content.decode() == export_text(peel)
    assert "Download as Markdown" in staff.get(change_url(peel)).content.decode()


def test_site_settings_open_straight_on_the_one_row(staff):
    listing = reverse("admin:treatments_sitesettings_changelist")
    add = reverse("admin:treatments_sitesettings_add")
    # Before anyone has saved them, the list leads to the form with the defaults.
    response = staff.get(listing)
    assert response.status_code == 302
    assert response["Location"] == add
    data = form_data(staff.get(add).content.decode(), "sitesettings_form")
    assert data["clinic_name"] == "Skin Clinic"
    data["clinic_name"] = "Riverside Skin"
    assert staff.post(add, data).status_code == 302
    row = SiteSettings.objects.get()

    # From then on, straight to that row; no second row, no delete.
    change = reverse("admin:treatments_sitesettings_change", args=[row.pk])
    assert staff.get(listing)["Location"] == change
    assert staff.get(add).status_code == 403
    delete = reverse("admin:treatments_sitesettings_delete", args=[row.pk])
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    assert "Riverside Skin" in staff.get("/").content.decode()


def test_former_addresses_are_shown_and_cannot_be_edited(staff, peel):
    peel.slug = "chemical-peel"
    peel.save()
    assert "/treatments/peel/" in staff.get(change_url(peel)).content.decode()
    listing = staff.get(reverse("admin:treatments_formerslug_changelist")).content.decode()
    assert "Sends visitors to /treatments/chemical-peel/" in listing
    former = FormerSlug.objects.get()
    assert staff.get(reverse("admin:treatments_formerslug_add")).status_code == 403
    change = reverse("admin:treatments_formerslug_change", args=[former.pk])
    assert staff.post(change, {"slug": "other"}).status_code == 403
    assert FormerSlug.objects.get().slug == "peel"


@pytest.fixture
def editor(client):
    user = User.objects.create_user("erin", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return client


def test_editors_edit_content_but_not_staff_or_site_settings(editor, peel):
    allowed = [
        change_url(peel),
        reverse("admin:treatments_treatment_add"),
        reverse("admin:treatments_treatment_history", args=[peel.pk]),
        reverse("admin:treatments_treatment_recoverlist"),
        reverse("admin:treatments_image_add"),
        reverse("admin:treatments_page_add"),
        reverse("admin:treatments_formerslug_changelist"),
    ]
    for url in allowed:
        assert editor.get(url).status_code == 200, url
    refused = [
        reverse("admin:treatments_sitesettings_changelist"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_add"),
        reverse("admin:auth_group_changelist"),
        reverse("admin:treatments_formerslug_add"),
    ]
    for url in refused:
        assert editor.get(url).status_code == 403, url

    data = form_data(editor.get(change_url(peel)).content.decode(), FORM)
    data["summary"] = "Changed by an editor."
    assert editor.post(change_url(peel), data).status_code == 302
    assert Treatment.objects.get().summary == "Changed by an editor."
