"""Clinical sign-off, driven as staff drive it: patients see only approved copy.

An editor's save leaves the public page as it was, byte for byte; a clinical reviewer who
did not write the change approves it and only then does it go live, with the reviewer's
name, title and dates on the page and in its JSON-LD. Approvals are bound to the exact
text, nobody approves their own change, reviews fall due, and every step is logged.
"""

import csv
import datetime
import io
import json
import re

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core import mail
from django.core.checks import run_checks
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.admin_forms import form_data
from tests.conftest import make_treatment, sign_off
from treatments.models import (
    EDITORS_GROUP,
    REVIEWERS_GROUP,
    Page,
    Publication,
    ReviewEvent,
    ReviewRequest,
    StaffProfile,
    Treatment,
)
from treatments.models.document import ROW_LISTS, child_models
from treatments.models.workflow import (
    ReviewRefused,
    approve,
    publish_without_review,
    review_state,
    submit,
)

pytestmark = pytest.mark.django_db

ANSWER = "faqs-0-answer"


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _staff(username: str, group: str, *, name: str = "", title: str = "") -> User:
    user = User.objects.create_user(username, f"{username}@example.com", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if name:
        StaffProfile.objects.create(user=user, public_name=name, professional_title=title)
    return user


@pytest.fixture
def editor() -> User:
    return _staff("erin", EDITORS_GROUP)


@pytest.fixture
def reviewer() -> User:
    return _staff(
        "rita",
        REVIEWERS_GROUP,
        name="Dr Rita Example",
        title="Consultant dermatologist, GMC 1234567",
    )


@pytest.fixture
def peel() -> Treatment:
    return make_treatment(
        faqs=[("Do I need to avoid the sun?", "Yes, keep out of the sun for a week.")]
    )


def change_url(obj) -> str:
    return reverse(f"admin:treatments_{obj._meta.model_name}_change", args=[obj.pk])


def save(client: Client, obj, button: str = "_continue", **changes):
    data = form_data(client.get(change_url(obj)).content.decode(), f"{obj._meta.model_name}_form")
    data.update(changes)
    data[button] = "pressed"
    return client.post(change_url(obj), data, follow=True)


def decide(client: Client, request: ReviewRequest, button: str, note: str = ""):
    url = reverse("admin:treatments_reviewrequest_decide", args=[request.pk])
    return client.post(url, {button: "pressed", "note": note}, follow=True)


def public(path: str = "/treatments/peel/faq/"):
    return Client().get(path)


def test_an_editors_save_changes_nothing_patients_see(editor, peel):
    before = public()
    response = save(_login(editor), peel, **{ANSWER: "Use sunscreen every day for a week."})
    page = response.content.decode()
    assert "Saved as a draft: patients still see the published page." in page
    assert "Changes patients do not see yet (1)" in page
    assert "Question 1" in page
    after = public()
    assert after.content == before.content
    assert after["ETag"] == before["ETag"]
    assert b"Use sunscreen every day" not in after.content


def test_submitted_and_approved_the_change_goes_live_with_the_reviewers_stamp(
    editor, reviewer, peel
):
    page = save(
        _login(editor),
        peel,
        "_submit",
        **{ANSWER: "Use sunscreen every day for a week."},
        review_note="Sun advice from the new guidance.",
    ).content.decode()
    assert "Sent for clinical review." in page
    assert b"Use sunscreen every day" not in public().content

    queue = _login(reviewer).get(reverse("admin:treatments_reviewrequest_changelist"), follow=True)
    assert "Peel" in queue.content.decode()
    request = ReviewRequest.objects.get()
    review_page = _login(reviewer).get(change_url(request)).content.decode()
    assert "Sun advice from the new guidance." in review_page
    assert "<ins>Use</ins>" in review_page or "Use sunscreen" in review_page
    assert "Reading grade of each section" in review_page
    assert 'value="Approve and publish"' in review_page

    done = decide(_login(reviewer), request, "_approve", "Checked against the guidance.")
    assert "goes live now" in done.content.decode()
    html = public().content.decode()
    assert "Use sunscreen every day for a week." in html
    assert "<dd>Dr Rita Example, Consultant dermatologist, GMC 1234567</dd>" in html
    assert "not yet been checked by a clinician" not in html
    graph = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html).group(1))
    faq_page = next(node for node in graph["@graph"] if node["@type"] == "FAQPage")
    assert faq_page["reviewedBy"]["name"] == "Dr Rita Example"
    assert faq_page["lastReviewed"] == timezone.localdate().isoformat()


def test_nobody_approves_their_own_change(reviewer, peel):
    # A nurse who writes copy and reviews it too: in both groups.
    reviewer.groups.add(Group.objects.get(name=EDITORS_GROUP))
    other = _staff("omar", REVIEWERS_GROUP, name="Dr Omar Example", title="GP")
    save(_login(reviewer), peel, "_submit", **{ANSWER: "Written by a reviewer."})
    request = ReviewRequest.objects.get()
    own = _login(reviewer).get(change_url(request)).content.decode()
    assert "another clinical reviewer must approve it" in own
    assert 'value="Approve and publish"' not in own
    refused = decide(_login(reviewer), request, "_approve")
    assert "nobody approves their own change" in refused.content.decode()
    assert b"Written by a reviewer." not in public().content

    decide(_login(other), request, "_approve")
    assert b"Written by a reviewer." in public().content


def test_a_superuser_is_a_reviewer_only_in_the_group(editor, peel):
    boss = User.objects.create_superuser("boss", "boss@example.com", "pw")
    StaffProfile.objects.create(user=boss, public_name="Dr Boss", professional_title="Owner")
    peel.faqs.update(answer="Changed.")
    request = submit(peel, editor)
    with pytest.raises(ReviewRefused, match="Only a member of Clinical reviewers"):
        approve(request, boss)
    boss.groups.add(Group.objects.get(name=REVIEWERS_GROUP))
    approve(request, boss)
    assert Publication.objects.public().get().signoff.reviewer_name == "Dr Boss"


def test_asking_for_changes_needs_a_comment_which_the_editor_then_sees(editor, reviewer, peel):
    save(_login(editor), peel, "_submit", **{ANSWER: "Sun is fine after a day."})
    request = ReviewRequest.objects.get()
    assert (
        "Say what needs to change"
        in decide(_login(reviewer), request, "_request_changes").content.decode()
    )
    decide(_login(reviewer), request, "_request_changes", "A week out of the sun, not a day.")
    edit_page = _login(editor).get(change_url(peel)).content.decode()
    assert "Dr Rita Example asked for changes" in edit_page
    assert "A week out of the sun, not a day." in edit_page
    assert b"Sun is fine after a day." not in public().content


def test_an_approval_publishes_the_text_submitted_not_later_edits(editor, reviewer, peel):
    save(_login(editor), peel, "_submit", **{ANSWER: "Submitted words."})
    save(_login(editor), peel, **{ANSWER: "Words typed after submitting."})
    decide(_login(reviewer), ReviewRequest.objects.get(), "_approve")
    html = public().content.decode()
    assert "Submitted words." in html
    assert "Words typed after submitting." not in html
    peel.refresh_from_db()
    state = review_state(peel)
    assert state.changed_since_live
    assert state.signoff.content_hash == state.live.content_hash != state.working_hash


def test_an_approved_change_with_a_go_live_time_waits_for_it(
    editor, reviewer, peel, monkeypatch, page_cache
):
    later = timezone.localtime() + datetime.timedelta(days=2)
    save(
        _login(editor),
        peel,
        "_submit",
        **{ANSWER: "New advice from Monday.", "publish_at_0": later.date().isoformat()},
        publish_at_1="09:00:00",
    )
    decide(_login(reviewer), ReviewRequest.objects.get(), "_approve")
    assert b"New advice from Monday." not in public().content
    assert b"keep out of the sun for a week" in public().content
    moment = timezone.now() + datetime.timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    page_cache.clear()  # the stored page would have expired at its go-live time
    assert b"New advice from Monday." in public().content


def test_approve_as_still_accurate_signs_the_same_text_again(reviewer, peel):
    sign_off(peel, on=datetime.date(2025, 1, 10))
    before = public().content.decode()
    assert "Next review due" in before
    client = _login(reviewer)
    edit_page = client.get(change_url(peel)).content.decode()
    assert "Approve the page on the site as still accurate" in edit_page
    url = reverse("admin:treatments_treatment_still_accurate", args=[peel.pk])
    page = client.post(url, {"review_note": "Checked in the yearly review."}, follow=True)
    page = page.content.decode()
    due = (timezone.localdate().replace(year=timezone.localdate().year + 1)).strftime("%d %B %Y")
    assert f"Approved as still accurate. Next review due {due}." in page
    after = public().content.decode()
    assert "Dr Rita Example" in after
    assert review_state(peel).signoff.kind == "still_accurate"
    assert not review_state(peel).overdue


def test_with_sign_off_required_unapproved_pages_are_not_public(settings, peel, page_cache):
    assert public("/treatments/peel/").status_code == 200
    settings.CLINICAL_SIGNOFF_REQUIRED = True
    page_cache.clear()  # a deploy with the new setting starts with no stored pages
    assert public("/treatments/peel/").status_code == 404
    assert b"/treatments/peel/" not in public("/sitemap.xml").content
    settings.CLINICAL_SIGNOFF_REQUIRED = False
    sign_off(peel)
    settings.CLINICAL_SIGNOFF_REQUIRED = True
    assert public("/treatments/peel/").status_code == 200


def test_pages_link_only_the_site_pages_patients_may_read(settings, peel, page_cache):
    privacy = Page.objects.create(title="Privacy", slug="privacy", description="d", body="b")
    publish_without_review(privacy, None)
    sign_off(peel)
    settings.CLINICAL_SIGNOFF_REQUIRED = True
    page_cache.clear()
    assert public("/privacy/").status_code == 404
    # Neither the footer nor "What we keep when you answer" leads to the 404.
    assert 'href="/privacy/"' not in public("/treatments/peel/").content.decode()
    settings.CLINICAL_SIGNOFF_REQUIRED = False
    sign_off(privacy)
    settings.CLINICAL_SIGNOFF_REQUIRED = True
    assert public("/privacy/").status_code == 200
    # The stored treatment page went stale with the privacy page's sign-off.
    assert public("/treatments/peel/").content.decode().count('href="/privacy/"') == 2


def test_taking_a_live_page_off_the_site_goes_through_review(editor, reviewer, peel, settings):
    sign_off(peel)
    settings.CLINICAL_SIGNOFF_REQUIRED = True
    editing = _login(editor)
    assert "without review" not in editing.get(change_url(peel)).content.decode()
    message = save(editing, peel, "_unpublish").content.decode()
    assert "Asked a clinical reviewer to take the page off the site" in message
    assert public("/treatments/peel/").status_code == 200
    request = ReviewRequest.objects.get()
    assert request.action == "unpublish"
    decide(_login(reviewer), request, "_approve")
    assert public("/treatments/peel/").status_code == 404


def test_a_live_page_cannot_be_deleted_until_it_is_off_the_site(peel):
    boss = _login(User.objects.create_superuser("boss", "boss@example.com", "pw"))
    delete = reverse("admin:treatments_treatment_delete", args=[peel.pk])
    assert boss.post(delete, {"post": "yes"}).status_code == 403
    listing = boss.get(reverse("admin:treatments_treatment_changelist")).content.decode()
    assert "delete_selected" not in listing
    save(boss, peel, "_unpublish")
    assert boss.post(delete, {"post": "yes"}).status_code == 302


def test_production_settings_warn_when_unsigned_pages_could_be_published(settings):
    def deploy_check_ids() -> set[str]:
        return {m.id for m in run_checks(include_deployment_checks=True, tags=["security"])}

    settings.CLINICAL_SIGNOFF_REQUIRED = False
    assert "treatments.W001" in deploy_check_ids()
    settings.CLINICAL_SIGNOFF_REQUIRED = True
    assert "treatments.W001" not in deploy_check_ids()


def test_review_reminders_email_each_reviewer_their_due_pages(reviewer, peel):
    other = _staff("omar", REVIEWERS_GROUP, name="Dr Omar Example", title="GP")
    overdue = make_treatment("old-peel", title="Old peel")
    sign_off(overdue, on=datetime.date(2024, 1, 1))
    overdue_signoff = review_state(overdue).signoff
    overdue_signoff.reviewer = reviewer
    overdue_signoff.save()
    fresh = make_treatment("fresh-peel", title="Fresh peel")
    sign_off(fresh, on=timezone.localdate())

    out = io.StringIO()
    call_command("review_reminders", "--dry-run", stdout=out)
    assert "Would send 2 reminder(s)." in out.getvalue()
    assert not mail.outbox

    call_command("review_reminders", stdout=io.StringIO())
    by_person = {message.to[0]: message.body for message in mail.outbox}
    assert set(by_person) == {"rita@example.com", "omar@example.com"}
    assert "Old peel: review overdue since" in by_person["rita@example.com"]
    assert "Old peel" not in by_person["omar@example.com"]
    # Never approved by anyone: every reviewer hears of it.
    assert "Peel: on the site, never approved by a clinician" in by_person[other.email]
    assert "Fresh peel" not in by_person["rita@example.com"]


def test_the_audit_trail_is_in_the_history_and_exports_as_csv(editor, reviewer, peel):
    save(_login(editor), peel, "_submit", **{ANSWER: "New."}, review_note="Please check.")
    decide(_login(reviewer), ReviewRequest.objects.get(), "_approve", "Fine.")
    history = _login(reviewer).get(reverse("admin:treatments_treatment_history", args=[peel.pk]))
    html = history.content.decode()
    assert "Submitted for review" in html
    assert "Please check." in html
    assert "Dr Rita Example" in html

    out = io.StringIO()
    call_command("review_log", "--csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    actions = [(row["page"], row["action"], row["by"], row["note"]) for row in rows]
    assert ("Peel", "Submitted for review", "erin", "Please check.") in actions
    assert ("Peel", "Approved", "Dr Rita Example", "Fine.") in actions
    approved = next(row for row in rows if row["action"] == "Approved")
    assert approved["content_hash"] == Publication.objects.public().get().content_hash


def test_the_admin_index_counts_what_needs_review(editor, reviewer, peel):
    peel.faqs.update(answer="Changed.")
    submit(peel, editor)
    old = make_treatment("old-peel")
    sign_off(old, on=datetime.date(2024, 1, 1))
    html = _login(reviewer).get(reverse("admin:index")).content.decode()
    rows = dict(re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th><td>(\d+)</td>', html))
    assert rows["Waiting for clinical review"] == "1"
    assert rows["Review overdue"] == "1"
    assert rows["Never reviewed by a clinician"] == "1"


def test_editors_may_edit_every_kind_of_row_a_treatment_has():
    """A content model added without Editors' permissions fails here (issue 15, part 6)."""
    editors = Group.objects.get(name=EDITORS_GROUP)
    granted = set(editors.permissions.values_list("codename", flat=True))
    for model in [Treatment, *child_models().values()]:
        name = model._meta.model_name
        for action in ("add", "change", "delete", "view"):
            assert f"{action}_{name}" in granted, f"Editors cannot {action} {name}"
    assert {rows.model for rows in ROW_LISTS} <= set(child_models().values())


def test_clinical_reviewers_read_everything_and_decide_submissions():
    reviewers = Group.objects.get(name=REVIEWERS_GROUP)
    granted = set(reviewers.permissions.values_list("codename", flat=True))
    assert {"view_treatment", "view_faq", "view_reviewevent", "change_reviewrequest"} <= granted
    assert "change_treatment" not in granted
    assert not Permission.objects.filter(group=reviewers, codename__startswith="delete_").exists()


def test_a_reviewers_name_and_title_are_set_on_their_user_page():
    boss = _login(User.objects.create_superuser("boss", "boss@example.com", "pw"))
    rita = _staff("rita", REVIEWERS_GROUP)
    html = boss.get(reverse("admin:auth_user_change", args=[rita.pk])).content.decode()
    assert "Name shown to patients" in html
    assert "Professional title and registration" in html


def test_events_name_who_did_what():
    peel = make_treatment()
    assert ReviewEvent.objects.of(peel).get().get_action_display() == (
        "Published without clinical review"
    )


def test_details_a_sign_off_does_not_cover_need_no_new_review(editor, peel, settings):
    sign_off(peel)
    settings.CLINICAL_SIGNOFF_REQUIRED = True
    client = _login(editor)
    assert "the text is already approved" in client.get(change_url(peel)).content.decode()
    save(client, peel, "_publish", review_interval_months="24")
    live = Publication.objects.public().get()
    assert live.fields["review_interval_months"] == 24
    assert live.signoff.reviewer_name == "Dr Test"

    page = save(client, peel, **{ANSWER: "New advice."}).content.decode()
    assert "the text is already approved" not in page
    refused = save(client, peel, "_publish").content.decode()
    assert "publishes only what a clinician has approved" in refused
    assert b"New advice." not in public().content
