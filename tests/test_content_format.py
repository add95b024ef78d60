"""Parsing content files: every malformed file is refused with its file and line."""

import datetime

import pytest

from treatments.content.file_format import (
    SECTION_KINDS,
    ContentError,
    dump_document,
    parse_file,
    parse_text,
)

GOOD = """---
title: Chemical peel
slug: chemical-peel
summary: "A peel: an acid that lifts the top layer of skin."
description: What a chemical peel is, how to prepare, aftercare, risks and results explained.
reviewed_by: Dr Test
last_reviewed: 2026-11-01
next_review: 2027-11-01
status: published
---

## Overview

A peel uses a mild acid.

## Aftercare

### First hours

Keep it cool.

```
## not a heading inside code
```

## Frequently asked questions

### Does it sting?

A little, for a few minutes.

### How long does it take?

About 30 minutes.

- one
- two
"""


def test_a_good_file_parses():
    doc = parse_text(GOOD, "peel.md")
    assert doc.meta["title"] == "Chemical peel"
    assert doc.meta["summary"] == "A peel: an acid that lifts the top layer of skin."
    assert doc.meta["last_reviewed"] == datetime.date(2026, 11, 1)
    assert [s.kind for s in doc.sections] == ["overview", "aftercare"]
    assert doc.sections[1].body.startswith("### First hours")
    assert "## not a heading inside code" in doc.sections[1].body
    assert [f.question for f in doc.faqs] == ["Does it sting?", "How long does it take?"]
    assert doc.faqs[1].answer == "About 30 minutes.\n\n- one\n- two"


def test_canonical_text_dumps_back_unchanged():
    assert dump_document(parse_text(GOOD)) == GOOD


def test_windows_line_endings_are_accepted():
    doc = parse_text(GOOD.replace("\n", "\r\n"))
    assert dump_document(doc) == GOOD


def test_section_kinds_are_the_ten_known_kinds():
    assert SECTION_KINDS[0] == "overview"
    assert len(SECTION_KINDS) == 10


def _error(text: str) -> ContentError:
    with pytest.raises(ContentError) as caught:
        parse_text(text, "content/treatments/x.md")
    return caught.value


@pytest.mark.parametrize(
    ("broken", "line", "words"),
    [
        (GOOD.replace("title: Chemical peel\n", ""), 1, "needs a 'title'"),
        (GOOD.replace("slug: chemical-peel", "slug: Chemical Peel!"), 3, "slug"),
        (GOOD.replace('summary: "A peel:', "summary: A peel: :"), 4, "not valid YAML"),
        (GOOD.replace("status: published", "status: live"), 9, "'status' must be one of"),
        (GOOD.replace("last_reviewed: 2026-11-01", "last_reviewed: soon"), 7, "YYYY-MM-DD"),
        (GOOD.replace("status: published", "status: published\ncolour: blue"), 10, "Unknown"),
        (GOOD.replace("## Aftercare", "## Afterwards"), 16, "Unknown section '## Afterwards'"),
        (GOOD.replace("## Aftercare", "## Overview"), 16, "appears twice"),
        (GOOD.replace("## Overview", "# Overview"), 12, "Use '## '"),
        (GOOD.replace("\n## Overview\n", "\nStray words\n\n## Overview\n"), 12, "under a '## '"),
        (GOOD.replace("A little, for a few minutes.", ""), 28, "has no answer"),
        (GOOD + "\n## Overview2\n", 39, "must be the last section"),
        (GOOD.replace("---\ntitle", "title", 1), 1, "must start with front matter"),
        (GOOD.replace("status: published\n---", "status: published"), 1, "no closing"),
        (GOOD.replace("```\n\n## Freq", "\n\n## Freq"), 22, "never closed"),
    ],
)
def test_errors_name_the_file_and_line(broken, line, words):
    error = _error(broken)
    assert error.path == "content/treatments/x.md"
    assert error.line == line, str(error)
    assert words in error.message
    assert str(error).startswith(f"content/treatments/x.md, line {line}: ")


def test_text_between_the_faq_heading_and_the_first_question_is_refused():
    error = _error(GOOD.replace("### Does it sting?", "Intro text.\n\n### Does it sting?"))
    assert error.line == 26
    assert "'### '" in error.message


def test_parse_file_refuses_non_utf8_with_its_line(tmp_path):
    path = tmp_path / "bad.md"
    path.write_bytes(GOOD.encode() + b"\nbad byte \xff here\n")
    with pytest.raises(ContentError) as caught:
        parse_file(path)
    assert caught.value.line == 39
    assert "UTF-8" in caught.value.message


def test_values_that_need_quotes_are_quoted_when_dumped():
    doc = parse_text(GOOD)
    doc.meta["title"] = "Yes: no"
    doc.meta["reviewed_by"] = "#1 nurse"
    text = dump_document(doc)
    assert 'title: "Yes: no"' in text
    assert 'reviewed_by: "#1 nurse"' in text
    assert parse_text(text).meta["reviewed_by"] == "#1 nurse"
