"""The editorial checks behind check_content and the admin's guidance."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import CONTENT_DIR, make_treatment
from tests.test_content_copy import REPO
from tests.test_content_format import GOOD, PUBLISHABLE
from treatments.content.checks import check_document, check_page, locate
from treatments.content.claims import (
    SEED_CLAIMS,
    review_claims_in_template,
    review_claims_in_templates,
)
from treatments.content.contraindications import FOR_TREATMENT, required_topics
from treatments.content.file_format import parse_page_text, parse_text
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
    assert "Page: About this information (about)" in report
    assert "Templates" in report
    assert "Page: Privacy (privacy)" in report
    # The treatment, About, Privacy and the templates.
    assert report.count("Nothing to fix.") == 4
    assert "to fix:" not in report


def test_the_shipped_templates_print_a_review_only_from_the_signoff():
    """review_dates.html and the care sheet say "Reviewed by" inside {% if review %}: the
    rule lets them; the same words anywhere else would be reported."""
    folder = REPO / "templates"
    stamp = (folder / "includes" / "review_dates.html").read_text()
    assert "Reviewed by" in stamp
    assert review_claims_in_templates([folder]) == []
    unguarded = stamp.replace("{% if review %}", "{% if treatment %}")
    assert len(review_claims_in_template(unguarded)) == 1


@pytest.mark.django_db
def test_check_content_fails_with_a_readable_report(tmp_path):
    folder = tmp_path / "treatments"
    folder.mkdir()
    (folder / "chemical-peel.md").write_text(GOOD)
    call_command("import_content", str(tmp_path), allow_incomplete=True, verbosity=0)
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 1 treatments need attention"):
        call_command("check_content", "chemical-peel", stdout=out)
    assert "chemical-peel.md: [faqs] There are 2 questions" in out.getvalue()


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


# -- Reasons not to have it: every required topic, where the checklist shows it --------

CONTRAINDICATIONS_STUB = "Text about who should not have it."


def with_contraindications(body: str, slug: str = "chemical-peel") -> str:
    return PUBLISHABLE.replace(CONTRAINDICATIONS_STUB, body).replace(
        "slug: chemical-peel", f"slug: {slug}"
    )


def every_topic_in_bold(slug: str) -> str:
    return "\n".join(
        f"- **{topic.words[0].capitalize()}.** Talk to us first." for topic in required_topics(slug)
    )


def topic_findings(text: str) -> list[str]:
    """What the contraindications check says, leaving out the other checks' findings."""
    messages = findings(text).get("section:contraindications", [])
    return [m for m in messages if "does not name" in m or "checklist leaves it out" in m]


def test_a_required_reason_left_out_is_reported():
    body = every_topic_in_bold("chemical-peel").replace("- **Diabet.** Talk to us first.\n", "")
    found = topic_findings(with_contraindications(body))
    assert found == [
        "'Who should not have it' does not name diabetes. Add a list item that opens with it "
        "in bold ('- **...**') and says what to do, such as talk to us first."
    ]


def test_a_reason_only_in_running_text_is_reported_as_missing_from_the_checklist():
    body = every_topic_in_bold("chemical-peel").replace(
        "- **Diabet.** Talk to us first.", "People with diabetes heal more slowly."
    )
    found = topic_findings(with_contraindications(body))
    assert len(found) == 1
    assert "mentions diabetes, but not in the bold words that open a list item" in found[0]
    assert '"Is this right for me?" checklist leaves it out' in found[0]


def test_every_required_reason_in_bold_passes():
    assert topic_findings(with_contraindications(every_topic_in_bold("chemical-peel"))) == []


def test_a_loose_list_hides_the_reasons_from_the_checklist():
    """Blank lines between items make each a paragraph, which the checklist cannot read:
    the check catches that too."""
    body = every_topic_in_bold("chemical-peel").replace("\n", "\n\n")
    found = topic_findings(with_contraindications(body))
    assert len(found) == len(required_topics("chemical-peel"))
    assert all("checklist leaves it out" in message for message in found)


def test_a_treatment_can_require_more_reasons_than_every_treatment():
    body = every_topic_in_bold("chemical-peel")
    messages = topic_findings(with_contraindications(body, slug="microneedling"))
    assert any("does not name an allergy to metals such as nickel" in m for m in messages)
    extra = FOR_TREATMENT["microneedling"]
    assert len(messages) == len([t for t in extra if not t.named_in(body)])


# -- Words to explain -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "copy",
    [
        "Use a sunscreen with SPF 30 or higher.",
        "Your skin makes collagen. It keeps skin firm.",
        # Explained in another section does not count: this one still uses it bare.
        "Skin has collagen.\n\n### Later\n\nMore collagen forms.",
    ],
)
def test_a_word_to_explain_used_bare_is_reported_at_its_line(copy):
    found = findings(PUBLISHABLE.replace("Keep it cool.", copy))
    word = "SPF" if "SPF" in copy else "collagen"
    messages = found["section:aftercare"]
    assert any(f"uses '{word}' without explaining it" in m for m in messages), messages


@pytest.mark.parametrize(
    "copy",
    [
        "Use SPF (sun protection factor) 30 or higher.",
        "SPF means sun protection factor. Use SPF 30 or higher.",
        "Use a sun protection factor (SPF) of 30.",
        "Collagen is a protein that keeps skin firm.",
        "Your skin makes more collagen, the protein that keeps it firm.",
        "New collagen that firms the skin takes weeks to form.",
        "Isotretinoin, a strong acne medicine, slows healing.",
        "Some people get lumps called granulomas.",
        "Do not use antioxidant serums. These are serums with vitamin C.",
        "Numbing creams are local anaesthetics.",
        "Anticoagulants - medicines that slow clotting - raise the risk.",
    ],
)
def test_a_word_explained_in_the_same_section_passes(copy):
    found = findings(PUBLISHABLE.replace("Keep it cool.", copy))
    assert not any("without explaining" in m for m in found.get("section:aftercare", []))


def test_a_question_and_its_answer_are_one_part_for_explaining():
    answer = "PRP stands for platelet-rich plasma. " + PLAIN_ANSWER
    text = PUBLISHABLE.replace("### Does it sting?", "### Can I have PRP?").replace(
        "A little, for a few minutes.", answer
    )
    assert not any("without explaining" in m for m in findings(text).get("faq:1", []))
    bare = text.replace("PRP stands for platelet-rich plasma. ", "")
    assert any("uses 'PRP' without explaining" in m for m in findings(bare)["faq:1"])


# -- One word for the person who treats ---------------------------------------------------


def test_another_word_for_the_practitioner_is_reported():
    found = findings(
        PUBLISHABLE.replace("Text about on the day.", "Your therapist cleans the skin.")
    )
    assert any(
        "calls the person who treats you a 'therapist'. Use 'practitioner'" in m
        for m in found["section:on_the_day"]
    )
    fine = PUBLISHABLE.replace("Text about on the day.", "Your practitioner cleans the skin.")
    assert "section:on_the_day" not in findings(fine)


# -- Seed claims not to repeat ---------------------------------------------------------------

SEED_EXAMPLES = {
    "the channels close in about 10 minutes": "The tiny channels close within about 10 minutes.",
    "an antioxidant or vitamin C serum straight after": "Put on a vitamin C serum straight after.",
    "products soak in deeper, as a benefit": "A bonus: your products soak in deeper.",
    "sunbeds are fine after 24 hours": "Sunbeds are fine again after 24 hours.",
    "it suits thin or sensitive skin": "It is ideal for thin or sensitive skin.",
    "it helps rosacea": "It also helps rosacea and redness.",
    "results last about a year": "Results usually last about a year.",
}


def test_every_seed_claim_has_an_example():
    assert set(SEED_EXAMPLES) == {claim.name for claim in SEED_CLAIMS}


@pytest.mark.parametrize("name", SEED_EXAMPLES)
def test_a_seed_claim_is_reported_and_a_warning_against_it_is_not(name):
    claim = SEED_EXAMPLES[name]
    found = findings(PUBLISHABLE.replace("Text about benefits.", f"Good news.\n\n{claim}"))
    messages = found["section:benefits"]
    assert any(f"repeats a seed claim the content guide rules out ({name})" in m for m in messages)
    assert any("Instead, " in m for m in messages)
    warned = f"Do not believe anyone who says: {claim.lower()}"
    after = findings(PUBLISHABLE.replace("Text about benefits.", warned))
    assert not any("seed claim" in m for m in after.get("section:benefits", []))


def test_a_seed_claim_names_its_line_in_the_file(tmp_path):
    text = PUBLISHABLE.replace("Text about benefits.", "Intro.\n\nResults last about a year.")
    document = parse_text(text, "peel.md")
    [finding] = [
        f
        for f in check_document(document, known_slugs=set(), known_pages=set())
        if f.where == "section:benefits"
    ]
    line = locate(document, finding)
    assert text.split("\n")[line - 1] == "Results last about a year."


def test_the_at_a_glance_facts_and_reminder_titles_are_held_to_the_same_wording(tmp_path):
    text = PUBLISHABLE.replace(
        "duration: About 30 minutes\n",
        "duration: About 30 minutes\nresults_show: Results usually last about a year\n"
        "reminders:\n  - after_days: 1\n    title: Sunbeds are fine again after 24 hours\n"
        "  - after_days: 7\n    title: Book your next session\n",
    )
    document = parse_text(text, "peel.md")
    found = check_document(document, known_slugs=set(), known_pages=set())
    [glance] = [f for f in found if f.where == "results_show"]
    # Only the reminder with the claim: "Book your next session" is fine.
    [reminder] = [f for f in found if f.where == "reminders"]
    assert glance.message.startswith("'When results show' repeats a seed claim")
    assert "(results last about a year)" in glance.message
    assert reminder.message.startswith("The reminder after 1 day repeats a seed claim")
    assert "(sunbeds are fine after 24 hours)" in reminder.message
    # Each points at its key in the front matter.
    lines = text.split("\n")
    assert lines[locate(document, glance) - 1].startswith("results_show:")
    assert lines[locate(document, reminder) - 1] == "reminders:"
    assert not [f for f in found if f.where == "duration"]


# -- Claims of clinical review -----------------------------------------------------------------


@pytest.mark.parametrize(
    "copy",
    [
        "This page was reviewed by Dr Jane Smith.",
        "All our pages are medically reviewed.",
        "Pages are checked by a doctor before they go live.",
        "We review every page every year.",
        "Each page has an annual review.",
    ],
)
def test_a_claim_of_review_in_copy_is_reported(copy):
    found = findings(PUBLISHABLE.replace("A peel uses a mild acid.", copy))
    assert any("claims clinical review" in m for m in found["section:overview"])


def test_saying_a_page_is_not_yet_checked_is_no_claim():
    copy = "This page has not yet been checked by a clinician. Ask us before you act on it."
    assert "section:overview" not in findings(PUBLISHABLE.replace("A peel uses a mild acid.", copy))


STAMPED = (
    "{% with review=treatment.review %}{% if review %}\n"
    "<dt>Reviewed by</dt><dd>{{ review.name }}</dd>\n"
    "{% endif %}{% endwith %}\n"
)


def test_a_template_may_print_a_review_only_from_the_signoff():
    assert review_claims_in_template(STAMPED) == []
    assert (
        review_claims_in_template(
            "{# Reviewed by a doctor #}{% comment %}reviewed by{% endcomment %}"
        )
        == []
    )


@pytest.mark.parametrize(
    "source",
    [
        "<p>Medically reviewed.</p>",
        "{% if page %}\n<p>Reviewed by our doctors.</p>{% endif %}",
        "{% if not treatment.review %}\n<p>Reviewed by our doctors.</p>{% endif %}",
        "{% if review %}ok{% else %}\n<p>Reviewed by our doctors.</p>{% endif %}",
        "{% if review %}ok{% endif %}\n<p>Pages are reviewed every year.</p>",
    ],
)
def test_a_template_claiming_review_outside_the_signoff_is_reported(source):
    [found] = review_claims_in_template(source)
    assert found.line == source.count("\n", 0, source.index("<p>")) + 1


@pytest.mark.django_db
def test_check_content_reports_a_template_claim_with_file_and_line(tmp_path, settings):
    folder = tmp_path / "templates"
    (folder / "includes").mkdir(parents=True)
    (folder / "includes" / "badge.html").write_text("<p>Hello.</p>\n<p>Medically reviewed.</p>\n")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [folder]}]
    settings.BASE_DIR = tmp_path
    out = StringIO()
    with pytest.raises(CommandError, match="need attention"):
        call_command("check_content", stdout=out)
    assert (
        "templates/includes/badge.html, line 2: [template] Claims clinical review" in out.getvalue()
    )


# -- FAQs that open the same way ------------------------------------------------------------


def with_faqs(pairs: list[tuple[str, str]]) -> str:
    head = PUBLISHABLE[: PUBLISHABLE.index("## Frequently asked questions")]
    faqs = "".join(f"### {question}\n\n{answer}\n\n" for question, answer in pairs)
    return head + "## Frequently asked questions\n\n" + faqs


def test_too_many_answers_starting_with_the_treatments_name_are_reported():
    pairs = [(f"Question {n}?", f"Chemical peel answer {n}. {PLAIN_ANSWER}") for n in range(1, 5)]
    pairs[0] = ("Question 1?", f"Yes. {PLAIN_ANSWER}")
    messages = findings(with_faqs(pairs))["faqs"]
    assert any("3 of 4 answers start with 'Chemical peel'" in m for m in messages), messages
    pairs[1] = pairs[2] = ("Question 2?", f"Most people. {PLAIN_ANSWER}")
    assert not any("start with 'Chemical peel'" in m for m in findings(with_faqs(pairs))["faqs"])


def test_many_questions_with_the_same_first_three_words_are_reported():
    pairs = [(f"Can I have it if {n}?", f"Answer {n}. {PLAIN_ANSWER}") for n in "abcde"]
    pairs += [(f"What about {n}?", f"Reply {n}. {PLAIN_ANSWER}") for n in "fghijk"]
    messages = findings(with_faqs(pairs)).get("faqs", [])
    assert any("5 of 11 questions start with 'Can I have'" in m for m in messages), messages
    fewer = pairs[2:]  # 3 of 9: a third
    assert any("3 of 9 questions" in m for m in findings(with_faqs(fewer))["faqs"])
    fewest = pairs[3:]  # 2 of 8 is never flagged
    assert not any("questions start with" in m for m in findings(with_faqs(fewest)).get("faqs", []))


def test_many_answers_with_the_same_first_three_words_are_reported():
    pairs = [(f"Question {n}?", f"Wait at least {n} days. {PLAIN_ANSWER}") for n in range(4)]
    pairs += [(f"Other {n}?", f"Answer {n}. {PLAIN_ANSWER}") for n in range(4)]
    messages = findings(with_faqs(pairs))["faqs"]
    assert any("4 of 8 answers start with 'Wait at least'" in m for m in messages)


# -- Site pages ------------------------------------------------------------------------------

PAGE = """---
title: About this information
slug: about
description: How our pages are written, how to use them, and when to get help from us.
---

## What these pages are for

Our pages help you learn about a treatment before you book.

## How a page is checked

A clinician approves each page before it goes live.
"""


def page_findings(text: str) -> list:
    return check_page(parse_page_text(text, "about.md"), known_slugs=set(), known_pages={"about"})


def test_a_plain_page_passes():
    assert page_findings(PAGE) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("Pages are reviewed every year by our doctors.", "claims clinical review"),
        ("Your technician will help.", "a 'technician'. Use 'practitioner'"),
        ("Use SPF 30 every day.", "uses 'SPF' without explaining it"),
        ("Results last about a year.", "repeats a seed claim"),
        (
            "Percutaneous collagen induction necessitates meticulous consideration of "
            "contraindications, particularly immunosuppressive pharmacological interventions.",
            "Reading grade",
        ),
        ("See [the FAQ](/treatments/nowhere/).", "points to no treatment"),
    ],
)
def test_a_page_is_held_to_the_checks_that_apply(change, expected):
    text = PAGE.replace("A clinician approves each page before it goes live.", change)
    body = parse_page_text(text, "about.md").body.split("\n")
    [finding] = [f for f in page_findings(text) if expected in f.message]
    if finding.where == "body":
        # The line counts from the body: the changed line, or the heading of its part.
        assert body[finding.line - 1] in {change, "## How a page is checked"}


@pytest.mark.django_db
def test_check_content_scores_pages_and_names_the_line(tmp_path, settings):
    (tmp_path / "pages").mkdir()
    (tmp_path / "treatments").mkdir()
    bad = PAGE.replace("A clinician approves each page before it goes live.", "Medically reviewed.")
    (tmp_path / "pages" / "about.md").write_text(bad)
    call_command("import_content", str(tmp_path), verbosity=0)
    settings.CONTENT_DIR = tmp_path
    out = StringIO()
    with pytest.raises(CommandError, match="need attention"):
        call_command("check_content", stdout=out)
    report = out.getvalue()
    assert "Page: About this information (about)" in report
    assert "How a page is checked" in report  # its reading grade
    line = bad.split("\n").index("Medically reviewed.") + 1
    assert f"pages/about.md, line {line}: [body] 'How a page is checked' claims" in report
