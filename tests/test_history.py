"""History: every save kept with who and when; compare two, restore one, recover a deleted one."""

import shutil

import pytest
import reversion
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from reversion.models import Version

from tests.admin_forms import form_data
from tests.conftest import CONTENT_DIR, make_treatment
from treatments.editorial import history
from treatments.models import FormerSlug, Treatment

pytestmark = pytest.mark.django_db

FORM = "treatment_form"


def url(name: str, *args) -> str:
    return reverse(f"admin:treatments_treatment_{name}", args=args)


@pytest.fixture
def staff(client):
    client.force_login(User.objects.create_superuser("sam", "sam@example.com", "pw"))
    return client


@pytest.fixture
def peel(db) -> Treatment:
    with reversion.create_revision():
        return make_treatment(
            faqs=[("Does it hurt?", "It can sting a little."), ("How long?", "About an hour.")]
        )


def edit(client, treatment: Treatment, **changes) -> None:
    data = form_data(client.get(url("change", treatment.pk)).content.decode(), FORM)
    data.update(changes)
    response = client.post(url("change", treatment.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_each_admin_save_is_kept_with_who_and_what(staff, peel):
    edit(staff, peel, **{"faqs-0-answer": "It stings for a minute."})
    latest = history.versions_of(peel).first()
    assert latest.revision.user.username == "sam"
    assert "Changed Answer" in latest.revision.get_comment()
    assert "It stings for a minute." in history.version_text(latest)
    assert len(history.versions_of(peel)) == 2


def test_imports_are_kept_too_with_the_file_they_came_from(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    call_command("import_content", str(content), verbosity=0)
    treatment = Treatment.objects.get(slug="microneedling")
    version = history.versions_of(treatment).get()
    assert version.revision.comment == "Imported from content/treatments/microneedling.md"
    assert version.revision.user is None
    assert (
        history.version_text(version) == (content / "treatments" / "microneedling.md").read_text()
    )
    # An unchanged file makes no new entry.
    call_command("import_content", str(content), verbosity=0)
    assert history.versions_of(treatment).count() == 1


def test_the_history_page_lists_versions_to_compare_or_restore(staff, peel):
    edit(staff, peel, title="Chemical peel")
    html = staff.get(url("history", peel.pk)).content.decode()
    first, latest = history.versions_of(peel).order_by("pk")
    assert 'name="from"' in html
    assert 'name="to" value="current" checked' in html
    assert url("restore", peel.pk, first.pk) in html
    assert url("restore", peel.pk, latest.pk) not in html  # that one is the page as it is
    assert "Content import" in html
    assert "sam" in html


def test_compare_shows_the_words_that_changed(staff, peel):
    edit(staff, peel, **{"faqs-0-answer": "It can sting quite a lot."})
    first = history.versions_of(peel).order_by("pk").first()
    html = staff.get(url("compare", peel.pk), {"from": first.pk, "to": "current"}).content.decode()
    assert "From: saved" in html
    assert "To: the page as it is now." in html
    assert '<li class="diff-removed">' in html
    assert "<del>little.</del>" in html
    assert "It can sting <ins>quite </ins>a <ins>lot.</ins>" in html


def test_compare_refuses_versions_of_other_treatments(staff, peel):
    with reversion.create_revision():
        other = make_treatment("other")
    others = history.versions_of(other).first()
    assert staff.get(url("compare", peel.pk), {"from": others.pk}).status_code == 404


def test_restore_puts_text_questions_and_address_back_and_keeps_the_old_address(
    staff, client, peel
):
    first = history.versions_of(peel).first()
    edit(
        staff,
        peel,
        slug="chemical-peel",
        **{"faqs-0-answer": "Changed answer.", "faqs-1-DELETE": "on"},
    )
    peel.refresh_from_db()
    before_restore = peel.version
    assert peel.faqs.count() == 1

    page = staff.get(url("restore", peel.pk, first.pk)).content.decode()
    assert "This is what would change" in page
    # Each part named as the edit page names it, compared word by word.
    assert "<dt>Question 1</dt>" in page
    assert "<ins>can sting a little.</ins>" in page
    assert "<dt>The page: Slug</dt>" in page
    expected = form_data(page.replace("<form method", '<form id="restore" method'), "restore")
    response = staff.post(url("restore", peel.pk, first.pk), expected, follow=True)
    assert "Restored the version saved" in response.content.decode()

    peel.refresh_from_db()
    assert peel.slug == "peel"
    assert [f.answer for f in peel.faqs.all()] == ["It can sting a little.", "About an hour."]
    assert peel.faqs.first().answer_html == "<p>It can sting a little.</p>"
    assert peel.version == before_restore + 1  # moves on; never back to an old number
    # The address it had just before the restore still leads to it.
    assert FormerSlug.objects.get(slug="chemical-peel").treatment == peel
    assert not FormerSlug.objects.filter(slug="peel").exists()
    assert client.get("/treatments/chemical-peel/").status_code == 301
    # And the restore is itself in the history, so it can be undone.
    assert history.versions_of(peel).first().revision.comment.startswith("Restored the version")


def test_a_restore_is_refused_if_the_page_changed_while_deciding(staff, peel):
    first = history.versions_of(peel).first()
    edit(staff, peel, title="Chemical peel")
    page = staff.get(url("restore", peel.pk, first.pk)).content.decode()
    stale = form_data(page.replace("<form method", '<form id="restore" method'), "restore")
    edit(staff, peel, title="Chemical peel, again")  # someone saves meanwhile
    response = staff.post(url("restore", peel.pk, first.pk), stale, follow=True)
    assert "Nothing was restored: someone saved this treatment" in response.content.decode()
    assert Treatment.objects.get(pk=peel.pk).title == "Chemical peel, again"


def test_a_restore_that_would_take_another_pages_address_is_refused(staff, peel):
    first = history.versions_of(peel).first()
    edit(staff, peel, slug="chemical-peel")
    make_treatment("peel", title="A new peel")
    page = staff.get(url("restore", peel.pk, first.pk)).content.decode()
    data = form_data(page.replace("<form method", '<form id="restore" method'), "restore")
    response = staff.post(url("restore", peel.pk, first.pk), data, follow=True)
    assert "now belongs to “A new peel”" in response.content.decode()
    assert Treatment.objects.get(pk=peel.pk).slug == "chemical-peel"


def test_the_revert_form_of_the_revision_package_leads_to_the_restore_page(staff, peel):
    first = history.versions_of(peel).first()
    response = staff.get(url("revision", peel.pk, first.pk))
    assert response.status_code == 302
    assert response["Location"] == url("restore", peel.pk, first.pk)


def test_a_deleted_treatment_is_recovered_with_its_questions_and_old_addresses(staff, client, peel):
    edit(staff, peel, slug="chemical-peel", _publish="Publish")
    # A page patients can see is taken off the site before it may be deleted.
    assert staff.post(url("delete", peel.pk), {"post": "yes"}).status_code == 403
    edit(staff, peel, _unpublish="Take off the site")
    response = staff.post(url("delete", peel.pk), {"post": "yes"})
    assert response.status_code == 302
    assert client.get("/treatments/chemical-peel/").status_code == 410
    assert client.get("/treatments/peel/").status_code == 410

    listing = staff.get(url("recoverlist")).content.decode()
    deleted = Version.objects.get_deleted(Treatment).get()
    recover = url("recover", deleted.pk)
    assert recover in listing
    data = form_data(staff.get(recover).content.decode(), FORM)
    assert data["slug"] == "chemical-peel"
    assert staff.post(recover, data).status_code == 302

    treatment = Treatment.objects.get(slug="chemical-peel")
    assert treatment.pk == peel.pk
    assert treatment.faqs.count() == 2
    # Recovered as the working copy: a draft until it is published again.
    assert "<strong>Draft</strong>" in client.get("/treatments/chemical-peel/").content.decode()
    edit(staff, treatment, _publish="Publish")
    assert client.get("/treatments/chemical-peel/").status_code == 200
    # Its earlier address redirects to it again.
    response = client.get("/treatments/peel/")
    assert response.status_code == 301
    assert response["Location"] == "/treatments/chemical-peel/"


def test_diff_lines():
    assert history.diff_lines("same\n", "same\n") == []
    lines = history.diff_lines("a\nb\nc\nd\ne\nf\ng\n", "a\nb\nc\nD\ne\nf\ng\n", context=1)
    assert [line.kind for line in lines] == ["gap", "same", "removed", "added", "same", "gap"]
    removed, added = lines[2], lines[3]
    assert removed.parts == ((True, "d"),)
    assert added.parts == ((True, "D"),)
    words = history.diff_lines("It can sting.", "It can hurt.")
    assert [(line.kind, line.parts) for line in words] == [
        ("removed", ((False, "It can "), (True, "sting."))),
        ("added", ((False, "It can "), (True, "hurt."))),
    ]
