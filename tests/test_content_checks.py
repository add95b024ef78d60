"""The editorial checks behind check_content and the admin's guidance."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import CONTENT_DIR, make_treatment
from tests.test_content_format import GOOD, PUBLISHABLE
from treatments.content.checks import check_document
from treatments.content.file_format import parse_text
from treatments.models.workflow import publish_without_review, refresh_working_hash, sign

TODAY = datetime.date(2026, 11, 22)
PLAIN_ANSWER = " ".join(["You can go back to work the next day."] * 6)


def findings(text: str, known_slugs=frozenset(), known_pages=frozenset({"about"})):
    """The findings for a document, by where they point, with no database needed."""
    by_where: dict[str, list[str]] = {}
    checked = check_document(
        parse_text(text), known_slugs=set(known_slugs), known_pages=set(known_pages)
    )
    for finding in checked:
        by_where.setdefault(finding.where, []).append(finding.message)
    return by_where


def test_missing_and_empty_sections_are_reported():
    found = findings(GOOD.replace("A peel uses a mild acid.", ""))
    assert "Missing sections: How it works, Benefits" in found["sections"][0]
    assert found["section:overview"] == ["'Overview' is empty."]


def test_a_long_description_is_reported_with_its_length():
    long = "word " * 40
    found = findings(GOOD.replace("description: What a chemical", f"description: {long}What a"))
    assert "has 271 characters; search engines show 50-160" in found["description"][0]


@pytest.mark.django_db
def test_an_overdue_clinical_review_is_reported_by_check_content():
    treatment = make_treatment("chemical-peel")
    digest = refresh_working_hash(treatment)
    sign(treatment, digest, None, "imported", on=TODAY.replace(year=2024), name="Dr A", title="GP")
    publish_without_review(treatment, None)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("check_content", "chemical-peel", stdout=out)
    assert "[review] The clinical review was due on 22 November 2025" in out.getvalue()


def test_hard_reading_is_reported_per_section():
    hard = (
        "Percutaneous collagen induction necessitates meticulous consideration of "
        "contraindications, particularly immunosuppressive pharmacological interventions "
        "and dermatological inflammatory conditions, alongside comprehensive evaluation."
    )
    found = findings(GOOD.replace("A peel uses a mild acid.", hard))
    assert any("Reading grade" in message for message in found["section:overview"])
    assert "section:aftercare" not in found


def test_short_faq_answers_and_few_questions_are_reported():
    found = findings(GOOD)
    assert "There are 2 questions; aim for 5 or more." in found["faqs"]
    assert "answer has 6 words" in found["faq:1"][0]
    assert "faq:2" in found


def test_a_well_sized_answer_passes():
    found = findings(GOOD.replace("A little, for a few minutes.", PLAIN_ANSWER))
    assert "faq:1" not in found


@pytest.mark.parametrize(
    ("link", "problem"),
    [
        ("[x](/nowhere/)", "points to no page on this site"),
        ("[x](/nowhere/deeper/)", "points to no page on this site"),
        ("[x](/treatments/unknown/)", "points to no treatment"),
        ("[x](#nothing-here)", "points to no part of this page"),
        ("[x](/treatments/chemical-peel/faq/#no-such-question)", "points to no question"),
    ],
)
def test_links_that_point_nowhere_are_reported(link, problem):
    found = findings(GOOD.replace("A peel uses a mild acid.", f"See {link}."))
    assert any(problem in message for message in found["links"])


@pytest.mark.parametrize(
    "link",
    [
        "[x](/treatments/)",
        "[x](#aftercare)",
        "[x](#aftercare-first-hours)",
        "[x](/treatments/chemical-peel/faq/#does-it-sting)",
        "[x](/treatments/other/)",
        "[x](/about/)",
        "[x](https://www.nhs.uk/)",
        "[x](tel:+441234567890)",
    ],
)
def test_links_that_lead_somewhere_pass(link):
    found = findings(
        GOOD.replace("A peel uses a mild acid.", f"See {link}."), known_slugs={"other"}
    )
    assert "links" not in found


@pytest.mark.django_db
def test_check_content_passes_on_the_shipped_copy():
    call_command("import_content", str(CONTENT_DIR), verbosity=0)
    out = StringIO()
    call_command("check_content", stdout=out)
    report = out.getvalue()
    assert "Sections with text: 10 of 10" in report
    assert "Nothing to fix." in report


@pytest.mark.django_db
def test_check_content_fails_with_a_readable_report(tmp_path):
    folder = tmp_path / "treatments"
    folder.mkdir()
    (folder / "chemical-peel.md").write_text(GOOD)
    call_command("import_content", str(tmp_path), allow_incomplete=True, verbosity=0)
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 1 treatments need attention"):
        call_command("check_content", "chemical-peel", stdout=out)
    assert "- [faqs] There are 2 questions" in out.getvalue()


@pytest.mark.django_db
def test_check_content_names_unknown_slugs():
    with pytest.raises(CommandError, match="No treatment with slug: nope"):
        call_command("check_content", "nope")


def test_citations_must_point_at_a_listed_source_and_each_source_be_cited():
    text = PUBLISHABLE.replace(
        "status: published\n",
        "status: published\nsources:\n  - key: fda\n    title: T\n    publisher: P\n"
        "    year: 2024\n    url: https://example.org/\n  - key: cdc\n    title: T\n"
        "    publisher: P\n    year: 2024\n    url: https://example.org/\n",
    ).replace(
        "A peel uses a mild acid.",
        "A peel uses a mild acid ([FDA](#source-fda), [x](#source-nih)).",
    )
    links = findings(text)["links"]
    assert "The source 'cdc' is never cited." in links
    assert "'#source-nih' points to no part of this page." in links
    assert not any("source-fda" in message for message in links)
