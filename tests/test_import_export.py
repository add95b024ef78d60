"""import_content and export_content: all or nothing, admin edits kept, a byte-exact round trip."""

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import CONTENT_DIR
from tests.test_content_format import GOOD
from treatments.models import Page, Treatment

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
    assert [s.kind for s in peel.sections.all()] == ["overview", "aftercare"]
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
    path.write_text(GOOD.replace("reviewed_by: Dr Test\n", ""))
    run("import_content", str(content))
    assert Treatment.objects.get().reviewed_by == ""


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
    assert "zz-broken.md, line 12" in str(caught.value)
    assert "Unknown section '## Intro'" in str(caught.value)
    assert not Treatment.objects.exists()


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
