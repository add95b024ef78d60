"""The reasons not to have a treatment that its "Who should not have it" section must name.

A page that leaves one out is unsafe: the first microneedling copy missed blood
thinners, diabetes and a weak immune system, which every clinical source lists. Each
topic is matched by any of several plain words, so the copy can say it in its own way.

``FOR_EVERY_TREATMENT`` holds what applies to any skin treatment the clinic offers;
``FOR_TREATMENT`` adds, by slug, what a treatment needs besides (needles are metal, so
microneedling asks about a nickel allergy). To require a new topic, add a ``Topic`` to
the right list: the check in ``content.checks`` and its test pick it up.

A topic must be named in the bold lead of a list item ("- **A bleeding disorder**,
..."), not only further on in the text, because those leads are what the "Is this
right for me?" checklist shows (``text.lead_phrases``).
"""

import re
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Topic:
    """A reason not to have a treatment, found by any of ``words``.

    A word matches at the start of a word, case aside: "pregnan" finds "pregnant" and
    "pregnancy"; "under 18" finds "under 18" only.
    """

    name: str
    words: tuple[str, ...]

    @cached_property
    def pattern(self) -> re.Pattern:
        return re.compile(r"\b(?:" + "|".join(map(re.escape, self.words)) + ")", re.IGNORECASE)

    def named_in(self, text: str) -> bool:
        return bool(self.pattern.search(text))


# From the content guide's two lists "Who should not have it now" (shared/content-guide.md).
FOR_EVERY_TREATMENT: tuple[Topic, ...] = (
    Topic(
        "a bleeding disorder",
        ("bleeding disorder", "bleed easily", "haemophilia", "hemophilia", "clotting disorder"),
    ),
    Topic("blood thinners", ("blood thinner", "anticoagulant", "antiplatelet", "warfarin")),
    Topic("diabetes", ("diabet",)),
    Topic("a weak immune system", ("immune", "immunosuppress", "chemotherapy")),
    Topic("an allergy to something used in the treatment", ("allerg",)),
    Topic("pregnancy", ("pregnan",)),
    Topic("breastfeeding", ("breastfeed", "breast-feed", "breastfed")),
    Topic("a recent chemical peel", ("peel",)),
    Topic("recent laser treatment", ("laser",)),
    Topic("recent fillers", ("filler",)),
    Topic("recent anti-wrinkle injections", ("anti-wrinkle", "wrinkle injection", "botulinum")),
    Topic("recent surgery on the area", ("surgery", "operation")),
    Topic("being under 18", ("under 18", "under-18", "under the age of 18", "younger than 18")),
    Topic("keloid scars", ("keloid",)),
    Topic("a skin infection", ("infection", "infected")),
    Topic("cold sores", ("cold sore", "herpes")),
    Topic("active acne", ("active acne", "inflamed acne", "acne flare")),
    Topic("rosacea", ("rosacea",)),
    Topic("isotretinoin", ("isotretinoin",)),
)

FOR_TREATMENT: dict[str, tuple[Topic, ...]] = {
    "microneedling": (
        Topic("an allergy to numbing cream", ("numbing", "anaesthetic", "anesthetic")),
        Topic("an allergy to metals such as nickel", ("nickel", "metal")),
        Topic("open cuts or wounds", ("open cut", "cuts", "wound", "broken skin")),
        Topic("sunburn", ("sunburn",)),
        Topic("inflamed, sore or tender skin", ("inflamed", "inflammation", "tender")),
        Topic(
            "eczema, psoriasis or another long-term skin condition",
            ("eczema", "psoriasis", "dermatitis", "long-term skin", "chronic skin"),
        ),
        Topic("skin cancer or a mole that has changed", ("skin cancer", "mole", "melanoma")),
        Topic("rough, scaly patches from sun damage", ("scaly", "keratos")),
        Topic("raised moles or warts", ("wart",)),
        Topic(
            "wounds that heal slowly or badly",
            ("heal slowly", "slow healing", "slow to heal", "poor healing", "heal badly"),
        ),
        Topic("recent radiotherapy", ("radiotherapy", "radiation")),
        Topic("other acne medicines", ("acne medicine", "acne medication")),
        Topic("medicines for an autoimmune condition", ("autoimmune",)),
    ),
}


def required_topics(slug: str) -> tuple[Topic, ...]:
    """Every topic the "Who should not have it" section of treatment ``slug`` must name."""
    return FOR_EVERY_TREATMENT + FOR_TREATMENT.get(slug, ())
