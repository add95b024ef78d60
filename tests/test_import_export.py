"""import_content and export_content: every file checked before any is written, each file
written whole, admin edits kept, a byte-exact round trip."""

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models.signals import post_save

from tests.conftest import CONTENT_DIR
from tests.test_content_format import GOOD as INCOMPLETE
from tests.test_content_format import PUBLISHABLE as GOOD
from treatments.content.file_format import parse_text
from treatments.models import Page, Publication, ReviewEvent, Treatment
from treatments.models.document import clinical_hash

# GOOD is finished enough to publish at once; INCOMPLETE lacks most sections.

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(tmp_path):
    """A writable content folder holding one good file."""
    folder = tmp_path / "content"
    (folder / "treatments").mkdir(parents=True)
    (folder / "treatments" / "chemical-peel.md").write_text(GOOD)
    return folder


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_creates_treatments_with_sections_and_faqs(content):
    output = run("import_content", str(content))
    assert "chemical-peel: created" in output
    peel = Treatment.objects.get(slug="chemical-peel")
    assert peel.status == "published"
    assert [s.kind for s in peel.sections.all()][:2] == ["overview", "aftercare"]
    assert peel.faqs.count() == 2
    assert "<h3" in peel.sections.get(kind="aftercare").body_html


def test_a_second_import_changes_nothing(content):
    run("import_content", str(content))
    assert "1 unchanged" in run("import_content", str(content))


def test_an_edited_file_updates_the_treatment(content):
    run("import_content", str(content))
    path = content / "treatments" / "chemical-peel.md"
    path.write_text(GOOD.replace("About 30 minutes.", "About 40 minutes."))
    assert "chemical-peel: updated" in run("import_content", str(content))
    assert Treatment.objects.get().faqs.get(position=2).answer.startswith("About 40 minutes.")


def test_removing_a_front_matter_key_clears_the_field(content):
    run("import_content", str(content))
    path = content / "treatments" / "chemical-peel.md"
    path.write_text(GOOD.replace("duration: About 30 minutes\n", ""))
    run("import_content", str(content))
    assert Treatment.objects.get().duration == ""


def test_admin_edits_are_kept_unless_forced(content):
    run("import_content", str(content))
    peel = Treatment.objects.get()
    peel.title = "Edited by staff"
    peel.save()
    path = content / "treatments" / "chemical-peel.md"
    path.write_text(GOOD.replace("A peel uses a mild acid.", "A peel uses an acid."))

    output = run("import_content", str(content))
    assert "kept (edited in the admin" in output
    assert Treatment.objects.get().title == "Edited by staff"

    assert "updated" in run("import_content", str(content), "--force")
    assert Treatment.objects.get().title == "Chemical peel"


def test_dry_run_writes_nothing(content):
    output = run("import_content", str(content), "--dry-run")
    assert "chemical-peel: created" in output
    assert "Dry run, nothing written" in output
    assert not Treatment.objects.exists()


def test_one_bad_file_stops_the_whole_import(content):
    (content / "treatments" / "zz-broken.md").write_text(
        GOOD.replace("slug: chemical-peel", "slug: zz-broken").replace("## Overview", "## Intro")
    )
    with pytest.raises(CommandError) as caught:
        run("import_content", str(content))
    assert "zz-broken.md, line 11" in str(caught.value)
    assert "Unknown section '## Intro'" in str(caught.value)
    assert not Treatment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_each_file_is_committed_before_the_next_is_written(content):
    """A staff save during a long import waits for one file's write, not the import's."""
    (content / "treatments" / "zz-second.md").write_text(
        GOOD.replace("slug: chemical-peel", "slug: zz-second")
    )
    committed, committed_when_written = [], {}

    def on_save(sender, instance, **kwargs):
        if instance.slug not in committed_when_written:
            committed_when_written[instance.slug] = list(committed)
            transaction.on_commit(lambda: committed.append(instance.slug))

    post_save.connect(on_save, sender=Treatment)
    try:
        run("import_content", str(content))
    finally:
        post_save.disconnect(on_save, sender=Treatment)
    assert committed_when_written == {"chemical-peel": [], "zz-second": ["chemical-peel"]}
    assert committed == ["chemical-peel", "zz-second"]


def test_a_model_validation_error_names_the_line_and_rolls_back(content):
    (content / "treatments" / "zz-long.md").write_text(
        GOOD.replace("slug: chemical-peel", "slug: zz-long").replace(
            "title: Chemical peel", "title: " + "Very long title " * 10
        )
    )
    with pytest.raises(CommandError) as caught:
        run("import_content", str(content))
    assert "zz-long.md, line 2: 'title'" in str(caught.value)
    assert not Treatment.objects.exists()


def test_a_file_must_be_named_after_its_slug(content):
    (content / "treatments" / "chemical-peel.md").rename(content / "treatments" / "peel.md")
    with pytest.raises(CommandError, match=r"rename it to chemical-peel\.md"):
        run("import_content", str(content))


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such folder"):
        run("import_content", str(tmp_path / "nowhere"))


def test_import_export_import_is_a_fixed_point_byte_for_byte(tmp_path):
    """The shipped content survives a round trip through the database unchanged."""
    source = tmp_path / "source"
    shutil.copytree(CONTENT_DIR, source)
    run("import_content", str(source))
    first = tmp_path / "first"
    run("export_content", str(first))
    run("import_content", str(first))
    second = tmp_path / "second"
    run("export_content", str(second))

    shipped = sorted(CONTENT_DIR.glob("*/*.md"))
    assert {path.parent.name for path in shipped} == {"treatments", "pages"}
    for path in shipped:
        relative = path.relative_to(CONTENT_DIR)
        exported = (first / relative).read_bytes()
        assert exported == path.read_bytes(), f"{relative} is not in canonical form"
        assert (second / relative).read_bytes() == exported
    assert sorted(p.relative_to(second) for p in second.glob("*/*.md")) == [
        p.relative_to(CONTENT_DIR) for p in shipped
    ]


def live(slug: str = "chemical-peel"):
    return Publication.objects.live().filter(slug=slug).first()


def test_an_unfinished_page_marked_published_stops_the_import(content):
    (content / "treatments" / "chemical-peel.md").write_text(INCOMPLETE)
    with pytest.raises(CommandError) as caught:
        run("import_content", str(content))
    message = str(caught.value)
    assert "chemical-peel.md, line 8: This page is not ready to publish" in message
    assert "Missing sections: How it works" in message
    assert not Treatment.objects.exists()


def test_a_front_matter_only_file_is_refused_or_loaded_as_a_draft(content):
    front_matter_only = GOOD.split("\n## ", 1)[0] + "\n"
    (content / "treatments" / "chemical-peel.md").write_text(front_matter_only)
    with pytest.raises(CommandError, match="not ready to publish"):
        run("import_content", str(content))

    output = run("import_content", str(content), "--allow-incomplete")
    assert "not ready to publish, loaded as a draft: Missing sections: Overview" in output
    assert Treatment.objects.get().status == "draft"
    assert live() is None


def test_without_a_sign_off_a_page_goes_live_with_the_notice_only_where_allowed(
    content, settings, client
):
    output = run("import_content", str(content))
    assert "chemical-peel: created; published without clinical review" in output
    assert live().signoff is None
    assert (
        "has not yet been checked by a clinician"
        in client.get("/treatments/chemical-peel/").content.decode()
    )

    settings.CLINICAL_SIGNOFF_REQUIRED = True
    (content / "treatments" / "chemical-peel.md").write_text(
        GOOD.replace("Keep it cool.", "Keep it cool and clean.")
    )
    output = run("import_content", str(content))
    assert "not on the site: no clinician has approved this text" in output
    assert "patients still see the approved version" in output
    assert (
        "Keep it cool and clean." not in client.get("/treatments/chemical-peel/").content.decode()
    )


def _signed(text: str, *, for_text: str | None = None) -> str:
    """``text`` with a sign-off of ``for_text`` (by default, of ``text`` itself)."""
    digest = clinical_hash(parse_text(for_text or text))
    signoff = (
        "signoff:\n  reviewer: Dr A. Example\n  title: Consultant dermatologist, GMC 1234567\n"
        f"  date: 2026-11-20\n  content_hash: {digest}\n---"
    )
    front_matter_end = text.index("\n---\n", 4)
    return text[:front_matter_end] + "\n" + signoff + text[front_matter_end + 4 :]


def test_a_sign_off_counts_only_for_the_text_it_was_given_for(content, settings, client):
    settings.CLINICAL_SIGNOFF_REQUIRED = True
    signed = _signed(
        GOOD.replace("status: published\n", "status: published\npublish_at: 2027-01-31 09:00:00\n")
    )
    (content / "treatments" / "chemical-peel.md").write_text(signed)
    output = run("import_content", str(content))
    assert "published, approved by Dr A. Example on 20 Nov 2026" in output
    publication = Publication.objects.filter(slug="chemical-peel").get()
    assert publication.signoff.reviewer_name == "Dr A. Example"
    assert publication.live_from.year == 2027  # waits for its publish_at
    assert "unchanged" in run("import_content", str(content))
    assert Publication.objects.count() == 1

    changed = _signed(GOOD.replace("Keep it cool.", "Keep it warm."), for_text=GOOD)
    (content / "treatments" / "chemical-peel.md").write_text(changed)
    output = run("import_content", str(content))
    assert "imported as not reviewed: its sign-off is for other text" in output
    assert "not on the site" in output
    assert ReviewEvent.objects.filter(action="imported_unreviewed").count() == 1


def test_export_writes_the_sign_off_back_only_while_the_text_is_unchanged(content, tmp_path):
    signed = _signed(GOOD)
    (content / "treatments" / "chemical-peel.md").write_text(signed)
    run("import_content", str(content))
    run("export_content", str(tmp_path / "out"))
    assert (tmp_path / "out" / "treatments" / "chemical-peel.md").read_text() == signed

    peel = Treatment.objects.get()
    peel.title = "Chemical peels"
    peel.save()
    run("export_content", str(tmp_path / "again"))
    assert "signoff:" not in (tmp_path / "again" / "treatments" / "chemical-peel.md").read_text()


def test_files_removed_from_the_folder_are_reported_and_pruned_only_when_asked(content):
    (content / "treatments" / "other-peel.md").write_text(
        GOOD.replace("slug: chemical-peel", "slug: other-peel")
    )
    run("import_content", str(content))
    (content / "treatments" / "other-peel.md").unlink()
    output = run("import_content", str(content))
    assert "treatments/other-peel: not in the content folder; still on the site" in output
    assert live("other-peel") is not None

    output = run("import_content", str(content), "--prune")
    assert "taken off the site (--prune); its history is kept" in output
    assert live("other-peel") is None
    assert Treatment.objects.filter(slug="other-peel").exists()


def test_status_draft_in_a_file_takes_a_live_page_off(content):
    run("import_content", str(content))
    (content / "treatments" / "chemical-peel.md").write_text(
        GOOD.replace("status: published", "status: draft")
    )
    assert "taken off the site (status: draft)" in run("import_content", str(content))
    assert live() is None


PAGE = """---
title: About this information
slug: about
description: How these pages are written and checked, and when to ask a clinician instead.
---

## Who checks these pages

Our clinical team.
"""


def test_pages_are_imported_and_kept_when_edited(content):
    (content / "pages").mkdir()
    (content / "pages" / "about.md").write_text(PAGE)
    assert "pages/about: created" in run("import_content", str(content))
    page = Page.objects.get()
    assert '<h2 id="who-checks-these-pages">' in page.body_html

    page.body = "Changed by staff."
    page.save()
    (content / "pages" / "about.md").write_text(PAGE.replace("Our clinical team.", "Us."))
    assert "pages/about: kept" in run("import_content", str(content))
    assert Page.objects.get().body == "Changed by staff."


def test_a_page_may_not_take_a_reserved_address(content):
    (content / "pages").mkdir()
    (content / "pages" / "treatments.md").write_text(
        PAGE.replace("slug: about", "slug: treatments")
    )
    with pytest.raises(CommandError, match=r"treatments\.md, line 3: 'slug'"):
        run("import_content", str(content))
