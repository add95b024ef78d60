"""Checks on the patient copy in content/treatments/microneedling.md.

The page must have every section, at least 28 FAQs that cover what patients
ask, read at grade 8 or below, make no overclaims, show no prices, and share no
sentences with the seed documents. Each check is parametrized so a failure
names the section, question, topic or phrase at fault.

No database is needed: the file is read with the content parser.
"""

import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from treatments.content.file_format import SECTION_KINDS, TreatmentDocument, parse_file
from treatments.text.readability import (
    MAX_AVG_SENTENCE_WORDS,
    MAX_FK_GRADE,
    MAX_SMOG,
    measure,
    plain_text,
    problems,
)

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "content" / "treatments" / "microneedling.md"
ORIGINALITY = Path(__file__).resolve().parents[2] / "shared" / "tools" / "originality"

MIN_FAQS = 28
FAQ_WORDS = (40, 120)

# Overclaims the content guide forbids, as case-insensitive patterns.
BANNED = {
    "guarantee(d)": r"\bguarantee",
    "scar free / scar-free": r"\bscar[\s-]+free\b",
    "no risk": r"\bno\s+risk\b",
    "risk-free": r"\brisk[\s-]+free\b",
    "painless": r"\bpainless\b",
    "proven to": r"\bproven\s+to\b",
    "permanent results": r"\bpermanent\s+results\b",
}

PRICES = {
    "pound sign": r"£",
    "dollar sign": r"\$",
    "euro sign": r"€",
    "the word price": r"\bprice",
    "cost £": r"\bcosts?\s*£",
}

# Topics the FAQ must cover: a question matching the pattern must exist.
FAQ_TOPICS = {
    "does it hurt": r"\b(hurt|pain|painful)\b",
    "how long it takes": r"\bhow long\b.*\btakes?\b",
    "downtime": r"\bdowntime\b",
    "how many sessions": r"\bhow many\b.*\b(sessions|treatments)\b",
    "when results show": r"\bwhen\b.*\bresults?\b",
    "how long results last": r"\bresults?\b.*\blast\b",
    "darker skin": r"\bdark(er)? skin\b",
    "at-home rollers": r"\broller",
    "makeup": r"\bmake-?up\b",
    "exercise or swimming": r"\b(exercise|swim|swimming|gym)\b",
    "sun": r"\bsun\b",
    "pregnancy": r"\bpregnan",
    "acne medicine": r"\b(acne medicine|acne medication|isotretinoin)\b",
    "which areas": r"\bwhich (areas|parts)\b",
    "hair loss": r"\bhair\b",
    "laser": r"\blaser\b",
    "blood thinners": r"\bblood thinn",
    "diabetes or a weak immune system": r"\b(diabetes|immune)\b",
    "what can go wrong": r"\bgo wrong\b",
    "choosing a safe clinic": r"\bchoos\w*\b.*\b(clinic|practitioner)\b",
    "PRP": r"\b(PRP|platelet)",
    "fillers, injections or peels": r"\b(fillers?|injections?|peels?)\b",
    "breastfeeding": r"\bbreast-?feed",
    "retinol or vitamin C": r"\b(retinol|vitamin c)\b",
    "ice-pick scars": r"\bice-?pick\b",
    "age": r"\b(age|how old)\b",
    "cost": r"\bcost",
}


@cache
def document() -> TreatmentDocument:
    return parse_file(PAGE)


def _faq_params() -> list:
    """One pytest param per FAQ, named after its question."""
    return [
        pytest.param(faq, id=re.sub(r"[^a-z0-9]+", "-", faq.question.lower()).strip("-"))
        for faq in document().faqs
    ]


def _section_body(kind: str) -> str:
    bodies = [section.body for section in document().sections if section.kind == kind]
    assert bodies, f"The section '{kind}' is missing from {PAGE.name}."
    return bodies[0]


def _readability_failure(label: str, text: str) -> str | None:
    r = measure(text)
    too_hard = (
        r.fk_grade > MAX_FK_GRADE
        or r.smog > MAX_SMOG
        or r.avg_sentence_words > MAX_AVG_SENTENCE_WORDS
    )
    if not too_hard:
        return None
    return (
        f"{label}: FK grade {r.fk_grade} (max {MAX_FK_GRADE}), SMOG {r.smog} (max {MAX_SMOG}), "
        f"{r.avg_sentence_words} words a sentence (max {MAX_AVG_SENTENCE_WORDS}). "
        + " ".join(problems(r))
    )


@pytest.mark.parametrize("kind", SECTION_KINDS)
def test_section_present_and_not_empty(kind):
    body = _section_body(kind)
    assert measure(body).words > 0, f"The section '{kind}' has no text."


@pytest.mark.parametrize("kind", SECTION_KINDS)
def test_section_is_easy_to_read(kind):
    failure = _readability_failure(f"Section '{kind}'", _section_body(kind))
    assert failure is None, failure


def test_has_enough_faqs():
    count = len(document().faqs)
    assert count >= MIN_FAQS, f"{count} FAQs; the page needs at least {MIN_FAQS}."


@pytest.mark.parametrize("faq", _faq_params())
def test_faq_answer_length(faq):
    words = measure(faq.answer).words
    low, high = FAQ_WORDS
    assert low <= words <= high, (
        f"The answer to '{faq.question}' has {words} words; keep it between {low} and {high}."
    )


@pytest.mark.parametrize("faq", _faq_params())
def test_faq_answer_is_easy_to_read(faq):
    failure = _readability_failure(f"Answer to '{faq.question}'", faq.answer)
    assert failure is None, failure


@pytest.mark.parametrize("topic", FAQ_TOPICS)
def test_faq_covers_topic(topic):
    pattern = re.compile(FAQ_TOPICS[topic], re.IGNORECASE)
    questions = [faq.question for faq in document().faqs]
    assert any(pattern.search(q) for q in questions), (
        f"No FAQ question is about '{topic}' (pattern {pattern.pattern!r}). Questions: {questions}"
    )


@pytest.mark.parametrize("phrase", BANNED)
def test_no_overclaims(phrase):
    text = PAGE.read_text(encoding="utf-8")
    found = re.findall(rf".{{0,40}}{BANNED[phrase]}.{{0,40}}", text, re.IGNORECASE)
    assert not found, f"'{phrase}' must not appear in {PAGE.name}: {found}"


@pytest.mark.parametrize("sign", PRICES)
def test_no_prices(sign):
    text = PAGE.read_text(encoding="utf-8")
    found = re.findall(rf".{{0,40}}{PRICES[sign]}.{{0,40}}", text, re.IGNORECASE)
    assert not found, f"No prices on treatment pages ({sign}): {found}"


def test_readability_flags_hard_text():
    """The measure must be able to fail, or the checks above prove nothing."""
    hard = (
        "Microneedling, characterised as a minimally invasive dermatological intervention, "
        "precipitates controlled microtrauma, consequently stimulating neocollagenesis, "
        "neovascularisation and considerable epidermal remodelling in appropriately "
        "selected individuals presenting with atrophic cicatrices."
    )
    r = measure(hard)
    assert r.fk_grade > MAX_FK_GRADE, r
    assert r.smog > MAX_SMOG, r
    assert len(problems(r)) >= 2, problems(r)


def test_plain_text_makes_blocks_into_sentences():
    text = plain_text(
        "## Aftercare\n\nSee [our guide](https://example.com/x) today\n\n- Keep it clean:\n"
    )
    assert text == "Aftercare. See our guide today. Keep it clean."


def test_no_text_shared_with_seeds():
    if not ORIGINALITY.is_file():
        pytest.skip(
            "../shared/tools/originality not found; it lives beside the repo in the workplace"
        )
    result = subprocess.run(
        [sys.executable, str(ORIGINALITY), "content", "templates"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "0 shared runs" in output, output
