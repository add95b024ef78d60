"""The one HTML-to-text reader (treatments/text/plain_text.py) and the callers it serves.

Text comes back decoded, so what a page prints is escaped exactly once: "Q&A" reads
"Q&A", never "Q&amp;A".
"""

import ast
from pathlib import Path

import pytest
from django.utils.html import escape

from tests.conftest import make_treatment
from tests.public_site import parse_page
from treatments.seo.descriptions import summary_text
from treatments.text.lead_phrases import lead_phrases
from treatments.text.plain_text import read_html, sentences, text_content
from treatments.text.readability import plain_text

APP = Path(__file__).resolve().parents[1] / "treatments"


def test_entities_are_decoded_once_so_escaping_is_done_once():
    assert text_content("<p>Q&amp;A &lt;b&gt; &#39;x&#39;</p>") == "Q&A <b> 'x'"
    assert escape(text_content("<p>Q&amp;A</p>")) == "Q&amp;A"


def test_blocks_know_headings_lists_and_loose_text():
    html = "<h3>Before</h3><p>Intro:</p><ul><li>One<br>line</li><li><p>Two</p></li></ul>"
    blocks = read_html(html).blocks
    assert [(b.text, b.heading, b.in_list) for b in blocks] == [
        ("Before", True, False),
        ("Intro:", False, False),
        ("One line", False, True),
        ("Two", False, True),
    ]
    assert sentences(html) == "Before. Intro. One line. Two."
    # Code is not prose: left out of what readability scores, kept in what a reader sees.
    assert sentences("<pre><code>rm -rf</code></pre><p>Hi</p>") == "Hi."
    assert text_content("<pre><code>rm -rf</code></pre><p>Hi</p>") == "rm -rf Hi"


def test_only_text_is_read_never_attributes_or_hidden_parts():
    html = '<p><a href="https://x.example/long" id="a1">words</a><script>var s;</script></p>'
    read = read_html(html)
    assert read.text == "words"
    assert read.links == ("https://x.example/long",)
    assert read.ids == frozenset({"a1"})


def test_every_caller_reads_through_it():
    # Readability, summaries and the checklist give the same words for the same HTML.
    assert plain_text("- **Sunburn.** Wait\n- Q&A") == "Sunburn. Wait. Q&A."
    assert summary_text("<ul><li><strong>Sunburn.</strong> Wait</li><li>Q&amp;A</li></ul>") == (
        "Sunburn. Wait. Q&A."
    )
    assert lead_phrases("<ul><li><strong>Sunburn.</strong> Wait</li><li>No</li></ul>") == (
        "Sunburn",
    )


def test_no_other_module_of_the_app_parses_html_itself():
    parsers = []
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                getattr(base, "id", getattr(base, "attr", "")) == "HTMLParser"
                for base in node.bases
            ):
                parsers.append(f"{path.relative_to(APP)}:{node.name}")
    # content/markdown_problems.py reads rendered Markdown for mistakes (literal "**"
    # outside code, picture addresses, heading levels), not for its words: left for now.
    assert sorted(parsers) == ["content/markdown_problems.py:_Reader", "text/plain_text.py:_Reader"]


@pytest.mark.django_db
def test_an_ampersand_in_copy_is_shown_once_escaped_in_head_and_json_ld(client):
    make_treatment(
        description="Peel Q&A: what a chemical peel is, how to prepare, and its aftercare.",
        faqs=[("Is there a Q&A?", "Yes: Q&A sessions & more.")],
    )
    page = parse_page(client.get("/treatments/peel/faq/").content)
    answer = page.node("FAQPage")["mainEntity"][0]
    assert answer["name"] == "Is there a Q&A?"
    assert answer["acceptedAnswer"]["text"] == "Yes: Q&A sessions & more."
    treatment = parse_page(client.get("/treatments/peel/").content)
    assert treatment.meta["description"] == [
        "Peel Q&A: what a chemical peel is, how to prepare, and its aftercare."
    ]
    assert "&amp;amp;" not in client.get("/treatments/peel/").content.decode()
