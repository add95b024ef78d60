"""No lost edits: a save based on an old version of a treatment is refused, never merged."""

import shutil

import pytest
import reversion
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from tests.admin_forms import form_data
from tests.conftest import CONTENT_DIR, make_treatment
from treatments.models import EditConflict, Section, Treatment

pytestmark = pytest.mark.django_db

FORM = "treatment_form"


def change_url(treatment: Treatment) -> str:
    return reverse("admin:treatments_treatment_change", args=[treatment.pk])


def staff_client(username: str, first_name: str) -> Client:
    client = Client()
    user = User.objects.create_superuser(username, f"{username}@example.com", "pw")
    user.first_name = first_name
    user.save()
    client.force_login(user)
    return client


@pytest.fixture
def sam():
    return staff_client("sam", "Sam")


@pytest.fixture
def alex():
    return staff_client("alex", "Alex")


@pytest.fixture
def peel(db) -> Treatment:
    # Made in a revision, as the admin and import_content do, so history holds its first version.
    with reversion.create_revision():
        return make_treatment(
            faqs=[("Does it hurt?", "It can sting a little."), ("How long?", "About an hour.")]
        )


def opened(client: Client, treatment: Treatment) -> dict:
    return form_data(client.get(change_url(treatment)).content.decode(), FORM)


def test_every_save_moves_the_version_on(peel):
    start = Treatment.objects.get(pk=peel.pk).version
    peel.title = "Chemical peel"
    peel.save()
    assert peel.version == start + 1
    assert Treatment.objects.get(pk=peel.pk).version == start + 1


def test_a_save_from_an_old_version_raises_and_writes_nothing(peel):
    opened_at = peel.version
    Treatment.objects.get(pk=peel.pk).save()  # someone else saves
    peel.title = "Overwritten?"
    with pytest.raises(EditConflict):
        peel.save(expected_version=opened_at)
    assert Treatment.objects.get(pk=peel.pk).title == "Peel"


def test_the_second_of_two_editors_is_refused_and_shown_what_changed(sam, alex, peel):
    # At a glance and reminders filled in: neither editor touches them, and the panel
    # must not say they did.
    with reversion.create_revision():
        peel.reminders.create(after_days=1, title="Makeup again")
        peel.duration, peel.numbing = "About an hour", "Cream first"
        peel.save()
    sams_copy = opened(sam, peel)
    alexs_copy = opened(alex, peel)

    sams_copy["faqs-0-answer"] = "It stings for a minute or two."
    assert sam.post(change_url(peel), sams_copy).status_code == 302

    alexs_copy["title"] = "Chemical peel"
    response = alex.post(change_url(peel), alexs_copy)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your changes have not been saved. Sam saved this treatment on" in html
    assert "Sam saved this treatment while you were editing it" in html
    assert "Open the latest version in a new tab" in html
    # What Sam changed, and what Alex changed, each against the version they both opened.
    panel = html.split('<section class="edit-conflict"', 1)[1].split("</section>", 1)[0]
    sam_part, alex_part = panel.split("What Sam changed", 1)[1].split("What you changed", 1)
    assert "<ins>minute or two.</ins>" in sam_part
    assert "Chemical" not in sam_part
    assert "<ins>Chemical peel</ins>" in alex_part
    assert "minute" not in alex_part
    # Named as the edit page names them, and nothing either of them left alone.
    assert "<dt>Question 1</dt>" in sam_part
    assert "<dt>The page: Title</dt>" in alex_part
    for untouched in ("At a glance", "Aftercare reminders", "duration", "reminders:"):
        assert untouched not in sam_part + alex_part
    # Alex's typing is still in the form, and nothing of it was saved.
    assert form_data(html, FORM)["title"] == "Chemical peel"
    peel.refresh_from_db()
    assert peel.title == "Peel"
    assert peel.faqs.get(position=1).answer == "It stings for a minute or two."


def test_saving_the_refused_page_again_is_refused_again(sam, alex, peel):
    sams_copy, alexs_copy = opened(sam, peel), opened(alex, peel)
    sam.post(change_url(peel), sams_copy)
    alexs_copy["title"] = "Chemical peel"
    refused = form_data(alex.post(change_url(peel), alexs_copy).content.decode(), FORM)
    assert alex.post(change_url(peel), refused).status_code == 200
    assert Treatment.objects.get(pk=peel.pk).title == "Peel"


def test_changes_to_sections_and_questions_alone_are_covered_too(sam, alex, peel):
    sams_copy, alexs_copy = opened(sam, peel), opened(alex, peel)
    sams_copy["sections-0-body"] = "Sam's new overview."
    assert sam.post(change_url(peel), sams_copy).status_code == 302
    alexs_copy["faqs-1-answer"] = "Alex's new answer."
    assert alex.post(change_url(peel), alexs_copy).status_code == 200
    assert not peel.faqs.filter(answer="Alex's new answer.").exists()
    assert peel.sections.get(kind="overview").body == "Sam's new overview."


def test_an_editor_who_reloads_after_the_other_save_can_save(sam, alex, peel):
    sams_copy = opened(sam, peel)
    sam.post(change_url(peel), sams_copy)
    fresh = opened(alex, peel)
    fresh["title"] = "Chemical peel"
    assert alex.post(change_url(peel), fresh).status_code == 302
    assert Treatment.objects.get(pk=peel.pk).title == "Chemical peel"


def test_a_save_refused_by_the_update_itself_is_undone_whole_and_answered_afresh(sam, peel):
    """The last line of defence: the form's check passed, but the UPDATE that moves the
    version on finds the row has moved (on SQLite, which cannot lock the row). Nothing of
    that attempt may stay, not even a history entry; the request is answered afresh."""
    copy = opened(sam, peel)
    copy["title"] = "Chemical peel"
    copy["sections-0-body"] = "A new overview."
    refused = []

    def row_moved_on(execute, sql, params, many, context):
        if not refused and sql.startswith('UPDATE "treatments_treatment" SET "version"'):
            refused.append(sql)
            params = [*params[:-1], params[-1] + 1000]  # WHERE version = a number it is not
        return execute(sql, params, many, context)

    revisions = Version.objects.get_for_object(peel).count()
    with connection.execute_wrapper(row_moved_on):
        response = sam.post(change_url(peel), copy)
    assert refused
    # The second run saw no conflict (the other save was imaginary) and saved once.
    assert response.status_code == 302
    assert Version.objects.get_for_object(peel).count() == revisions + 1
    peel.refresh_from_db()
    assert peel.title == "Chemical peel"
    assert peel.version == int(copy["based_on_version"]) + 1


def test_an_import_moves_the_version_so_an_open_editor_cannot_overwrite_it(sam, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    call_command("import_content", str(content), verbosity=0)
    treatment = Treatment.objects.get(slug="microneedling")
    copy = opened(sam, treatment)

    path = content / "treatments" / "microneedling.md"
    path.write_text(path.read_text().replace("title: Microneedling", "title: Microneedling (new)"))
    call_command("import_content", str(content), "--force", verbosity=0)
    assert Treatment.objects.get(pk=treatment.pk).version > int(copy["based_on_version"])

    copy["summary"] = "An editor's summary."
    response = sam.post(change_url(treatment), copy)
    assert response.status_code == 200
    assert "someone (or the content import) saved this treatment" in response.content.decode()
    assert Treatment.objects.get(pk=treatment.pk).title == "Microneedling (new)"


def test_sections_saved_on_their_own_still_render(peel):
    section = Section.objects.get(treatment=peel, kind="overview")
    section.body = "New *words*"
    section.save()
    assert Section.objects.get(pk=section.pk).body_html == "<p>New <em>words</em></p>"
