"""Parsing content files: every malformed file is refused with its file and line."""

import datetime

import pytest
from django.utils import timezone

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
duration: About 30 minutes
review_interval_months: 24
status: published
publish_at: 2027-01-31 09:00:00
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


def complete(text: str) -> str:
    """``text`` with every section it lacks, each with a line of copy, before the questions:
    a page finished enough to publish."""
    from treatments.models.section_kinds import SectionKind

    missing = [kind for kind in SectionKind if f"\n## {kind.label}\n" not in text]
    added = "".join(f"## {kind.label}\n\nText about {kind.label.lower()}.\n\n" for kind in missing)
    return text.replace("## Frequently asked questions", added + "## Frequently asked questions")


# Every section and no go-live time: a file an import puts live at once.
PUBLISHABLE = complete(GOOD).replace("publish_at: 2027-01-31 09:00:00\n", "")


def test_a_good_file_parses():
    doc = parse_text(GOOD, "peel.md")
    assert doc.meta["title"] == "Chemical peel"
    assert doc.meta["summary"] == "A peel: an acid that lifts the top layer of skin."
    assert doc.meta["publish_at"] == timezone.make_aware(datetime.datetime(2027, 1, 31, 9, 0))
    assert doc.meta["review_interval_months"] == 24
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
        (GOOD.replace("status: published", "status: live"), 8, "'status' must be one of"),
        (GOOD.replace("publish_at: 2027-01-31 09:00:00", "publish_at: soon"), 9, "date and time"),
        (GOOD.replace("review_interval_months: 24", "review_interval_months: 48"), 7, "1 to 36"),
        (GOOD.replace("status: published\n", ""), 1, "needs a 'status'"),
        (GOOD.replace("status: published", "status: published\ncolour: blue"), 9, "Unknown"),
        (GOOD.replace("## Aftercare", "## Afterwards"), 16, "Unknown section '## Afterwards'"),
        (GOOD.replace("## Aftercare", "## Overview"), 16, "appears twice"),
        (GOOD.replace("## Overview", "# Overview"), 12, "Use '## '"),
        (GOOD.replace("\n## Overview\n", "\nStray words\n\n## Overview\n"), 12, "under a '## '"),
        (GOOD.replace("A little, for a few minutes.", ""), 28, "has no answer"),
        (GOOD + "\n## Overview2\n", 39, "must be the last section"),
        (GOOD.replace("---\ntitle", "title", 1), 1, "must start with front matter"),
        (GOOD.replace("09:00:00\n---", "09:00:00"), 1, "no closing"),
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
    doc.meta["duration"] = "#1 longest"
    text = dump_document(doc)
    assert 'title: "Yes: no"' in text
    assert 'duration: "#1 longest"' in text
    assert parse_text(text).meta["duration"] == "#1 longest"


ROWS = GOOD.replace(
    "publish_at: 2027-01-31 09:00:00\n",
    """publish_at: 2027-01-31 09:00:00
reminders:
  - after_days: 1
    title: Makeup is fine again
sources:
  - key: fda
    title: Microneedling Devices
    publisher: US Food and Drug Administration
    year: 2024
    url: https://www.fda.gov/medical-devices/aesthetic-cosmetic-devices/microneedling-devices
  - key: jama
    title: A granuloma report
    publisher: JAMA Dermatology 150(1):68-72
    year: 2014
    url: https://doi.org/10.1001/jamadermatol.2013.6955
signoff:
  reviewer: Dr A. Example
  title: Consultant dermatologist, GMC 1234567
  date: 2026-11-20
  content_hash: """
    + "a" * 64
    + "\n",
)


def test_rows_and_a_signoff_parse_and_dump_back_unchanged():
    doc = parse_text(ROWS)
    assert doc.rows["reminders"] == [{"after_days": 1, "title": "Makeup is fine again"}]
    assert [source["key"] for source in doc.rows["sources"]] == ["fda", "jama"]
    assert doc.rows["sources"][1]["year"] == 2014
    assert doc.signoff.reviewer == "Dr A. Example"
    assert doc.signoff.date == datetime.date(2026, 11, 20)
    assert dump_document(doc) == ROWS


@pytest.mark.parametrize(
    ("broken", "line", "words"),
    [
        (ROWS.replace("    year: 2014", "    year: recent"), 19, "'year' must be a whole number"),
        (ROWS.replace("  - key: jama\n", "  - kee: jama\n"), 19, "needs exactly 'key'"),
        (ROWS.replace("    title: Makeup is fine again\n", ""), 11, "needs exactly 'after_days'"),
        (ROWS.replace("  date: 2026-11-20", "  date: last week"), 24, "YYYY-MM-DD"),
        (ROWS.replace("a" * 64, "abc"), 24, "64 hex digits"),
    ],
)
def test_row_and_signoff_errors_name_their_line(broken, line, words):
    error = _error(broken)
    assert error.line == line, str(error)
    assert words in error.message
