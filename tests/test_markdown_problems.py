"""Markdown that would show patients broken text (content.markdown_problems): found with its
line in plain words, never where the text is right, and refused by import_content."""

import pytest
from django.core.management import CommandError, call_command

from tests.test_content_format import PUBLISHABLE as GOOD
from treatments.content.markdown_problems import (
    HEADING_SKIPPED,
    LINK_WITHOUT_HTTPS,
    PICTURE_FROM_ANOTHER_SITE,
    PICTURE_NOT_IN_LIBRARY,
    RAW_HTML,
    UNCLOSED_BOLD,
    UNCLOSED_EMPHASIS,
    PictureLibrary,
    find_problems,
)
from treatments.models import Image, Treatment

LIBRARY = PictureLibrary({"0123abcd"})


def found(text: str) -> list[tuple[str, int]]:
    return [(p.code, p.line) for p in find_problems(text, library=LIBRARY)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Keep it **cool for a day.", [(UNCLOSED_BOLD, 1)]),
        ("First line.\n\nKeep __it cool.", [(UNCLOSED_BOLD, 3)]),
        ("Keep it *cool.", [(UNCLOSED_EMPHASIS, 1)]),
        ("Keep it cool_ today.", [(UNCLOSED_EMPHASIS, 1)]),
        ("A line.\nA <b>bold</b> claim.", [(RAW_HTML, 2)]),
        ("One.<br>\n\n<!-- a note -->", [(RAW_HTML, 1), (RAW_HTML, 3)]),
        ("![Face](https://cdn.example.com/face.jpg)", [(PICTURE_FROM_ANOTHER_SITE, 1)]),
        ("Text.\n\n![Face](/media/images/ffff9999-480w.webp)", [(PICTURE_NOT_IN_LIBRARY, 3)]),
        ("![Drawing](/static/img/diagrams/no-such-drawing.svg)", [(PICTURE_NOT_IN_LIBRARY, 1)]),
        ("See [the NHS](http://www.nhs.uk/peels).", [(LINK_WITHOUT_HTTPS, 1)]),
        ("See [the NHS](www.nhs.uk).", [(LINK_WITHOUT_HTTPS, 1)]),
        ("[Click](javascript:alert(1))", [(LINK_WITHOUT_HTTPS, 1)]),
        ("## Part\n\nText.\n\n#### Detail\n\nMore.", [(HEADING_SKIPPED, 5)]),
        ("#### Too deep to start\n\nText.", [(HEADING_SKIPPED, 1)]),
    ],
)
def test_each_mistake_is_found_on_its_line(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Keep it **cool** and *calm*, or __cool__ and _calm_.",
        "Costs 5 * 3 pounds; a file_name; a star shown as \\*; a tag shown as \\<b>.",
        "Code is left alone: `<b>` and `**`.\n\n```\n<i>x</i> **\n```",
        "Links: [NHS](https://www.nhs.uk), [us](/treatments/peel/), [part](#aftercare), "
        "[mail](mailto:desk@example.com), [phone](tel:+442079460000), <https://www.nhs.uk>.",
        "![Face](/media/images/0123abcd-480w.webp) and a drawing: "
        "![Skin](/static/img/diagrams/microneedling-how-it-works.svg)",
        "### Part\n\n#### Detail\n\n### Next part\n\n- a list < with a sign\n- and 3 > 2",
        "",
    ],
)
def test_right_text_has_no_problems(text):
    assert found(text) == []


def test_tags_on_one_line_are_one_mistake_naming_each_once():
    (problem,) = find_problems("A <b>bold</b> and <b>loud</b> claim.", library=LIBRARY)
    assert problem.message.startswith('"<b>" and "</b>" are HTML, which this site does not use')


def test_messages_quote_the_mistake_in_plain_words():
    problem = find_problems("Aftercare: keep your skin **out of the sun", library=LIBRARY)[0]
    assert str(problem) == (
        'Line 1: Bold is not closed near "your skin **out of the": patients would see **. '
        "Put ** on both sides of the words, like **this**."
    )


@pytest.mark.django_db
def test_the_library_is_the_image_library_read_once(django_assert_num_queries):
    Image.objects.create(file="images/feedbeef.webp", alt_text="A face", width=10, height=10)
    library = PictureLibrary()
    with django_assert_num_queries(1):
        assert "/media/images/feedbeef-480w.webp" in library
        assert "/media/images/feedbeef.webp" in library
        assert "/media/images/deadbeef.webp" not in library
        assert "/media/other/feedbeef.webp" not in library


def _line_of(text: str, words: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), start=1) if words in line)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("Keep it cool.", "Keep it **cool.", "Aftercare: Bold is not closed"),
        ("A little, for a few minutes.", "A little.\n\nA <em>few</em> minutes.", "The answer to"),
    ],
)
def test_import_refuses_a_mistake_naming_the_file_and_line(tmp_path, old, new, words):
    folder = tmp_path / "content"
    (folder / "treatments").mkdir(parents=True)
    text = GOOD.replace(old, new)
    (folder / "treatments" / "chemical-peel.md").write_text(text)
    with pytest.raises(CommandError) as caught:
        call_command("import_content", str(folder), verbosity=0)
    line = _line_of(text, new.split("\n")[-1])
    assert f"chemical-peel.md, line {line}: {words}" in str(caught.value)
    assert not Treatment.objects.exists()


@pytest.mark.django_db
def test_import_refuses_a_page_with_a_mistake_naming_its_line(tmp_path):
    folder = tmp_path / "content"
    (folder / "treatments").mkdir(parents=True)
    (folder / "treatments" / "chemical-peel.md").write_text(GOOD)
    (folder / "pages").mkdir()
    text = "---\ntitle: About\nslug: about\ndescription: About us.\n---\n\n## Who we are\n\n"
    text += "A small clinic.\n\nSee [our rules](http://example.com/rules).\n"
    (folder / "pages" / "about.md").write_text(text)
    with pytest.raises(CommandError) as caught:
        call_command("import_content", str(folder), verbosity=0)
    assert 'about.md, line 11: The link "http://example.com/rules"' in str(caught.value)
    assert not Treatment.objects.exists()
