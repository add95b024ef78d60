"""Pictures that explain: the figure syntax in staff Markdown and the drawings shipped with
the site (static/img/diagrams/).

``![what it shows](address "caption")`` alone in a paragraph becomes a figure with a
visible caption. A shipped SVG drawing is shown through <img>, where it cannot run
script, and gets its width and height so the page keeps its place for it.
"""

import re
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import CONTENT_DIR, REPO
from tests.ui_site import DIAGRAM_SRC
from treatments.text.markdown import render_markdown

DIAGRAMS = sorted((REPO / "static" / "img" / "diagrams").glob("*.svg"))
SVG = "{http://www.w3.org/2000/svg}"


def test_a_titled_picture_alone_in_a_paragraph_becomes_a_figure_with_its_caption():
    html = render_markdown('![A pen of fine needles](/media/pen.png "The pen we use")')
    assert html == (
        '<figure><img alt="A pen of fine needles" decoding="async" loading="lazy" '
        'src="/media/pen.png"><figcaption>The pen we use</figcaption></figure>'
    )


@pytest.mark.parametrize(
    "source",
    [
        "![A pen](/media/pen.png)",  # no caption
        'Before ![A pen](/media/pen.png "The pen") after',  # inside a sentence
        '![A pen](/media/pen.png "The pen") and more words',
    ],
)
def test_other_pictures_stay_as_they_were(source):
    html = render_markdown(source)
    assert "<figure>" not in html
    assert "<figcaption>" not in html
    assert html.startswith("<p>")


def test_the_caption_is_text_however_it_is_written():
    html = render_markdown('![x](/media/x.png "<script>alert(1)</script> & <b>bold</b>")')
    assert "<script" not in html
    assert "<b>" not in html
    assert "<figcaption>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html


def test_a_picture_from_another_site_loses_its_address_even_in_a_figure():
    html = render_markdown('![x](https://evil.example/x.png "Caption")')
    assert "evil.example" not in html
    assert "<figcaption>Caption</figcaption>" in html


def test_the_shipped_drawing_gets_its_size_from_its_view_box():
    copy = (CONTENT_DIR / "treatments" / "microneedling.md").read_text()
    (line,) = [line for line in copy.splitlines() if DIAGRAM_SRC in line]
    html = render_markdown(line)
    assert f'src="{DIAGRAM_SRC}"' in html
    assert 'width="720"' in html
    assert 'height="300"' in html
    assert 'alt="Three drawings of skin seen from the side.' in html
    assert "<figcaption>How microneedling works: fine needles make tiny channels" in html


@pytest.mark.parametrize(
    "src",
    [
        "/static/img/diagrams/no-such-drawing.svg",
        "/static/img/diagrams/../favicon.svg",
        "/static/img/favicon.svg",
    ],
)
def test_only_a_shipped_drawing_gets_a_size(src):
    html = render_markdown(f'![x]({src} "Caption")')
    assert "width=" not in html
    assert "height=" not in html


# -- The drawings themselves -------------------------------------------------------------


def test_there_is_a_drawing_of_how_microneedling_works():
    assert REPO / "static" / DIAGRAM_SRC.removeprefix("/static/") in DIAGRAMS


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda path: path.name)
def test_each_drawing_is_small_self_contained_and_wordless(path):
    source = path.read_text()
    assert len(source.encode()) < 10_000
    root = ET.fromstring(source)
    assert root.tag == f"{SVG}svg"
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox"))
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    # Words belong in the page, where they can be read aloud, translated and resized.
    assert not tags & {"text", "tspan", "textPath"}
    # Nothing that runs, embeds or fetches.
    assert not tags & {"script", "foreignObject", "image", "iframe", "a"}
    for element in root.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            if name.endswith("href"):
                assert value.startswith("#"), (element.tag, value)
    assert "url(http" not in source
    assert "@import" not in source
    # Its own colours for a dark page, so the needles and arrows show on either.
    assert "prefers-color-scheme:dark" in source.replace(" ", "")
