"""Short text for search engines: meta descriptions, titles and section summaries.

The head (``includes/head_meta.html``) and the JSON-LD use the same functions, so what
the page calls itself is the same everywhere. Text comes from
``text.plain_text``, decoded once: escaping is the template's job.
"""

from __future__ import annotations

import re

from treatments.text.plain_text import as_sentence, read_html

# howPerformed, preparation and followup are a summary of a section, not the section.
SUMMARY_MAX_CHARS = 300
# Search engines cut a meta description at about this length.
DESCRIPTION_MAX_CHARS = 160


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a sentence end where there is one."""
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > limit:
            break
        kept = candidate
    if kept:
        return kept
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def meta_description(text: str) -> str:
    """At most 160 characters of plain text, cut at a sentence or word, not mid-word."""
    return shorten(" ".join(str(text).split()), DESCRIPTION_MAX_CHARS)


def summary_text(html: str, limit: int = SUMMARY_MAX_CHARS) -> str:
    """A section as a few plain sentences: headings dropped, each block ended as a sentence.

    When the section has lists, only their items are read: in "On the day" or
    "Before your visit" the steps are the substance, and the paragraphs around them
    ("Use this checklist.") make no sense on their own. Whole sentences are kept up
    to ``limit`` characters; a first sentence longer than that is cut at a word.
    """
    blocks = [block for block in read_html(html).blocks if not block.heading]
    chosen = [block for block in blocks if block.in_list] or blocks
    return shorten(" ".join(as_sentence(block.text) for block in chosen), limit)


def faq_page_title(treatment) -> str:
    """The FAQ page's own title, for its ``<title>``, Open Graph and JSON-LD alike."""
    return f"{treatment.title}: common questions"


def faq_page_description(treatment) -> str:
    """A meta description for the FAQ page: what it answers, in at most 160 characters.

    The questions themselves say best what the page covers, so as many as fit
    follow the opening.
    """
    questions = [faq.question for faq in treatment.faqs.all()]
    if not questions:
        return f"Common questions about {treatment.title.lower()}, answered in plain words."
    count = len(questions)
    text = (
        f"Answers to {count} common question{'' if count == 1 else 's'} "
        f"about {treatment.title.lower()}, such as: {questions[0]}"
    )
    for question in questions[1:]:
        if len(f"{text} {question}") > DESCRIPTION_MAX_CHARS:
            break
        text = f"{text} {question}"
    return shorten(text, DESCRIPTION_MAX_CHARS)
