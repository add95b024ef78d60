"""Claims patient copy must not make: the seeds' unsafe claims, and clinical review.

**Seed claims.** The content guide's table "Seed claims not to repeat" lists what the
source pages say that is unsafe or unsupported. Each is a ``Claim``: a pattern for one
sentence and what to write instead. A sentence that says "not", "never", "no", "avoid",
"don't" or "without" is passed over, because warning against a claim ("Do not use
antioxidant serums straight after") is what the guide asks for.

**Review claims.** Copy must never say a page was reviewed by someone, or is reviewed on
a schedule: only the clinical sign-off the site records may say that, and templates
print it from the sign-off data. In a template, a claim is allowed when it sits inside an
``{% if %}`` branch whose condition is the sign-off stamp being there (``{% if review
%}``, ``{% if treatment.review %}``): that is how ``includes/review_dates.html`` and the
care sheets are built, and a template built so can only print it when the data shows it.
Its ``{% else %}`` branch, or text outside such a branch, may not make the claim.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.template.base import Lexer, TokenType

from treatments.text.sentences import sentences

_NEGATION = re.compile(r"\b(?:not|never|no|avoid|don't|doesn't|without|nothing)\b", re.I)


@dataclass(frozen=True)
class Claim:
    """A claim not to make: ``pattern`` finds it in one sentence; ``instead`` says what
    to write."""

    name: str
    pattern: str
    instead: str

    def found_in(self, sentence: str) -> bool:
        return bool(re.search(self.pattern, sentence, re.IGNORECASE))


# The content guide's "Seed claims not to repeat", one Claim a row.
SEED_CLAIMS: tuple[Claim, ...] = (
    Claim(
        "the channels close in about 10 minutes",
        r"\b(?:channels?|holes?|skin)\b.{0,60}\b(?:close|closes|seal|seals|heal|heals)\b"
        r".{0,30}\b(?:10|ten|few)\s+minutes\b",
        "care for it as healing skin for a few days",
    ),
    Claim(
        "an antioxidant or vitamin C serum straight after",
        r"\b(?:antioxidant|vitamin c)\b.{0,60}\b(?:straight|right|immediately|just)\s+after\b"
        r"|\b(?:straight|right|immediately|just)\s+after\b.{0,60}\b(?:antioxidant|vitamin c)\b",
        "put on only what the clinic gives or approves",
    ),
    Claim(
        "products soak in deeper, as a benefit",
        r"\bsoaks?\s+in\s+deeper\b|\b(?:better|improved|enhanced|increased|boosts?)\s+"
        r"(?:product\s+)?absorption\b|\babsorbs?\s+(?:better|more)\b",
        "say why only sterile products made for needled skin are used",
    ),
    Claim(
        "sunbeds are fine after 24 hours",
        r"\b(?:sunbeds?|tanning beds?|solari(?:um|a))\b.{0,60}\b(?:24|twenty-four)\s+hours\b"
        r"|\b(?:24|twenty-four)\s+hours\b.{0,60}\b(?:sunbeds?|tanning beds?|solari(?:um|a))\b",
        "no sunbeds for at least a week",
    ),
    Claim(
        "it suits thin or sensitive skin",
        r"\b(?:suits?|suitable|good|ideal|gentle|safe)\b.{0,40}\b(?:thin|sensitive)\s+skin\b",
        "leave it out: sensitive skin reacts more, not less",
    ),
    Claim(
        "it helps rosacea",
        r"\b(?:helps?|improves?|treats?|reduces?|calms?|eases?)\b.{0,40}\brosacea\b",
        'put rosacea under "Who should not have it": talk to the clinic first',
    ),
    Claim(
        "results last about a year",
        r"\bresults?\b.{0,40}\blasts?\b.{0,30}\b(?:a|one|1|12 months)\s*(?:full\s+)?year\b"
        r"|\blasts?\s+(?:about|around|up to|for)\s+(?:a|one|1)\s+year\b",
        "say how long results last varies, and some people choose top-ups",
    ),
)

# Saying the page, or pages, were reviewed by someone or are reviewed on a schedule.
REVIEW_CLAIMS: tuple[Claim, ...] = (
    Claim("reviewed by", r"\breviewed\s+by\b", ""),
    Claim(
        "checked or approved by a clinician",
        r"\b(?:checked|approved|verified|written)\s+by\s+(?:a|an|our|the)?\s*"
        r"(?:doctors?|clinicians?|dermatologists?|nurses?|medical|clinical|experts?|dr)\b",
        "",
    ),
    Claim(
        "medically reviewed",
        r"\b(?:medically|clinically|doctor|clinician|expert)[\s-]+"
        r"(?:reviewed|checked|approved|verified)\b",
        "",
    ),
    Claim(
        "reviewed on a schedule",
        r"\breview(?:ed|s)?\b.{0,50}\b(?:every|annually|yearly|once a year|twice a year)\b"
        r"|\b(?:annual|yearly|regular|periodic)\s+(?:clinical\s+)?reviews?\b",
        "",
    ),
)

REVIEW_ADVICE = (
    "only the recorded clinical sign-off may say who reviewed a page and when: "
    "remove the claim (the page prints the sign-off itself)"
)


@dataclass(frozen=True)
class ClaimFound:
    claim: Claim
    line: int
    sentence: str


def _claims_in(text: str, claims: tuple[Claim, ...]) -> list[ClaimFound]:
    found = []
    for sentence in sentences(text):
        if _NEGATION.search(sentence.text):
            continue
        found += [
            ClaimFound(claim, sentence.line, sentence.text)
            for claim in claims
            if claim.found_in(sentence.text)
        ]
    return found


def seed_claims(markdown_text: str) -> list[ClaimFound]:
    """The seed claims ``markdown_text`` repeats, with their lines."""
    return _claims_in(markdown_text, SEED_CLAIMS)


def review_claims(markdown_text: str) -> list[ClaimFound]:
    """The claims of clinical review ``markdown_text`` makes, with their lines."""
    return _claims_in(markdown_text, REVIEW_CLAIMS)


# -- Templates ---------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")
_STAMP = re.compile(r"^(?:\w+\.)*review$")


def _shows_stamp(condition: str) -> bool:
    """True for an ``{% if %}`` condition that holds only when a sign-off stamp is there:
    one term, ``review`` or ``<object>.review``, not negated."""
    return bool(_STAMP.match(condition.strip()))


def review_claims_in_template(source: str) -> list[ClaimFound]:
    """The claims of review in a template's text outside a sign-off branch (see above)."""
    found = []
    branches: list[bool] = []  # one entry per open {% if %}: does this branch show a stamp?
    in_comment = False
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name, _, rest = token.contents.partition(" ")
            if name in {"comment", "endcomment"}:
                in_comment = name == "comment"
            elif name == "if":
                branches.append(_shows_stamp(rest))
            elif name == "elif" and branches:
                branches[-1] = _shows_stamp(rest)
            elif name == "else" and branches:
                branches[-1] = False
            elif name == "endif" and branches:
                branches.pop()
        elif token.token_type == TokenType.TEXT and not in_comment and not any(branches):
            text = _TAG.sub(" ", token.contents)
            found += [
                ClaimFound(claim.claim, token.lineno + claim.line - 1, claim.sentence)
                for claim in _claims_in(text, REVIEW_CLAIMS)
            ]
    return found


def review_claims_in_templates(folders: list[Path]) -> list[tuple[Path, ClaimFound]]:
    """Every claim of review in the ``.html`` templates under ``folders``. Templates in an
    ``admin`` folder are left out: staff read them, not patients."""
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*.html")):
            if "admin" in path.relative_to(folder).parts:
                continue
            source = path.read_text(encoding="utf-8")
            found += [(path, claim) for claim in review_claims_in_template(source)]
    return found
