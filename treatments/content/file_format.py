"""The Markdown file format of ``content/``: parse and write.

A treatment file (``content/treatments/<slug>.md``) is YAML front matter between
``---`` lines, then one ``## `` heading per section (named as in ``SectionKind``), then
``## Frequently asked questions`` with a ``### `` heading per question. A page file
(``content/pages/<slug>.md``) is front matter and a Markdown body.
``content/README.md`` documents both for people.

The front-matter keys are not listed here: they are the fields and row lists that
``models.document`` declares, checked against the model fields' types, plus the
``signoff`` a clinician's approval leaves. ``dump_document(parse_text(text))`` returns
``text`` for a file in canonical form, which is what makes import, export, import a
fixed point. Every error names the file and line.
"""

import datetime
import json
import re
from pathlib import Path
from typing import Any

import yaml
from django.db import models
from django.utils import timezone

from treatments.models import Page
from treatments.models.document import (
    PAGE_FIELDS,
    ROW_LISTS,
    TREATMENT_FIELDS,
    FaqDocument,
    PageDocument,
    RowList,
    SectionDocument,
    SignoffDocument,
    TreatmentDocument,
)
from treatments.models.section_kinds import SectionKind

# libyaml's loader when PyYAML was built with it: the same results, several times faster
# for an import of many files.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FAQ_HEADING = "Frequently asked questions"
SECTION_KINDS = SectionKind.values
SIGNOFF_KEY = "signoff"
SIGNOFF_KEYS = ("reviewer", "title", "date", "content_hash")
META_KEYS = tuple(f.name for f in TREATMENT_FIELDS)
REQUIRED_META = tuple(f.name for f in TREATMENT_FIELDS if f.required)
TREATMENT_KEYS = (*META_KEYS, *(rows.name for rows in ROW_LISTS), SIGNOFF_KEY)
PAGE_KEYS = (*PAGE_FIELDS, SIGNOFF_KEY)
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HASH_RE = re.compile(r"^[0-9a-f]{64}$")
FENCE_RE = re.compile(r"^(```|~~~)")
_KIND_BY_HEADING = {kind.label.lower(): kind.value for kind in SectionKind}


class ContentError(Exception):
    """A content file that cannot be used, with the file and line to look at."""

    def __init__(self, path: Path | str, line: int, message: str):
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(f"{self.path}, line {line}: {message}")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ContentError(path, line, "The file is not UTF-8 text.") from exc


def parse_file(path: Path | str) -> TreatmentDocument:
    """Read and parse one treatment file."""
    return parse_text(_read(Path(path)), path)


def parse_page_file(path: Path | str) -> PageDocument:
    """Read and parse one page file."""
    return parse_page_text(_read(Path(path)), path)


def parse_text(text: str, path: Path | str = "<text>") -> TreatmentDocument:
    """Parse the text of a treatment file; raises ContentError naming the line."""
    lines = text.replace("\r\n", "\n").split("\n")
    front = _FrontMatter.read(lines, path, TREATMENT_KEYS)
    meta = {}
    for f in TREATMENT_FIELDS:
        if f.name in front.values:
            meta[f.name] = front.check_field(f.name, f.model_field, required=f.required)
        elif f.required:
            raise ContentError(path, 1, f"The front matter needs a '{f.name}'.")
    front.check_slug(meta["slug"])
    document = TreatmentDocument(
        meta=meta,
        rows={rows.name: front.check_rows(rows) for rows in ROW_LISTS},
        signoff=front.check_signoff(),
        path=str(path),
        meta_lines=front.lines_of,
    )
    _parse_body(lines, front.body_start, document)
    return document


def parse_page_text(text: str, path: Path | str = "<text>") -> PageDocument:
    """Parse the text of a page file; raises ContentError naming the line."""
    lines = text.replace("\r\n", "\n").split("\n")
    front = _FrontMatter.read(lines, path, PAGE_KEYS)
    meta = {}
    for name in PAGE_FIELDS:
        if name not in front.values and name in ("title", "slug"):
            raise ContentError(path, 1, f"The front matter needs a '{name}'.")
        meta[name] = front.check_field(name, Page._meta.get_field(name), required=False)
    front.check_slug(meta["slug"])
    for number, raw in enumerate(lines[front.body_start :], start=front.body_start + 1):
        if re.match(r"^#\s", raw):
            raise ContentError(
                path, number, "Use '## ' for headings; the page title comes from 'title'."
            )
    body = "\n".join(lines[front.body_start :]).strip()
    return PageDocument(
        meta=meta,
        body=body,
        signoff=front.check_signoff(),
        path=str(path),
        meta_lines=front.lines_of,
    )


class _FrontMatter:
    """The YAML between the ``---`` lines, with the line of each key and item, so every
    error can point at the line to fix."""

    def __init__(self, lines, path, values: dict, lines_of: dict[str, int], body_start: int):
        self.lines, self.path, self.values = lines, path, values
        self.lines_of, self.body_start = lines_of, body_start

    @classmethod
    def read(cls, lines: list[str], path, known_keys: tuple[str, ...]) -> "_FrontMatter":
        if not lines or lines[0].strip() != "---":
            raise ContentError(path, 1, "The file must start with front matter: a line '---'.")
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        except StopIteration:
            raise ContentError(path, 1, "The front matter has no closing '---' line.") from None
        try:
            values = yaml.load("\n".join(lines[1:end]), Loader=_YAML_LOADER)  # noqa: S506 - safe
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            line = mark.line + 2 if mark else 2
            raise ContentError(
                path, line, f"The front matter is not valid YAML: {problem}."
            ) from exc
        values = {} if values is None else values
        if not isinstance(values, dict):
            raise ContentError(path, 2, "The front matter must be 'key: value' lines.")
        lines_of: dict[str, int] = {}
        for number, raw in enumerate(lines[1:end], start=2):
            match = re.match(r"^([A-Za-z_][\w-]*)\s*:", raw)
            if match:
                lines_of.setdefault(match.group(1), number)
        for key in values:
            if key not in known_keys:
                raise ContentError(
                    path,
                    lines_of.get(str(key), 2),
                    f"Unknown front-matter key '{key}'. Known keys: {', '.join(known_keys)}.",
                )
        return cls(lines, path, values, lines_of, end + 1)

    def error(self, key: str, message: str, line: int = 0) -> ContentError:
        return ContentError(self.path, line or self.lines_of.get(key, 2), message)

    def check_field(self, key: str, model_field: models.Field, *, required: bool) -> Any:
        """The value of ``key``, of the type its model field holds."""
        value = self.values.get(key)
        if value is None or value == "":
            if required:
                raise self.error(key, f"The front matter needs a '{key}'.")
            return None
        return _typed(value, model_field, lambda message: self.error(key, message), key)

    def check_slug(self, slug: str) -> None:
        if not SLUG_RE.match(slug or ""):
            raise self.error(
                "slug",
                f"'slug' {slug!r} may hold only lower-case letters, digits and single hyphens.",
            )

    def _item_lines(self, key: str) -> list[int]:
        """The lines that open each ``- `` item of the list under ``key``."""
        start = self.lines_of[key]
        found = []
        for number in range(start + 1, self.body_start):
            raw = self.lines[number - 1]
            if raw and not raw[0].isspace() and not raw.startswith("-"):
                break  # the next top-level key
            if raw.lstrip().startswith("- "):
                found.append(number)
        return found

    def check_rows(self, rows: RowList) -> list[dict[str, Any]]:
        items = self.values.get(rows.name)
        if items is None:
            return []
        fields = ", ".join(f"'{name}'" for name in rows.fields)
        if not isinstance(items, list):
            raise self.error(rows.name, f"'{rows.name}' must be a list of items with {fields}.")
        item_lines = self._item_lines(rows.name)
        checked = []
        for index, item in enumerate(items):
            line = item_lines[index] if index < len(item_lines) else self.lines_of[rows.name]
            if not isinstance(item, dict) or set(item) != set(rows.fields):
                raise self.error(
                    rows.name, f"Each item of '{rows.name}' needs exactly {fields}.", line
                )
            checked.append(
                {
                    name: _typed(
                        item[name],
                        rows.model._meta.get_field(name),
                        lambda message, line=line: self.error(rows.name, message, line),
                        name,
                    )
                    for name in rows.fields
                }
            )
        return checked

    def check_signoff(self) -> SignoffDocument | None:
        value = self.values.get(SIGNOFF_KEY)
        if value is None:
            return None
        keys = ", ".join(f"'{k}'" for k in SIGNOFF_KEYS)
        if not isinstance(value, dict) or set(value) != set(SIGNOFF_KEYS):
            raise self.error(SIGNOFF_KEY, f"'{SIGNOFF_KEY}' needs exactly {keys}.")
        if not isinstance(value["date"], datetime.date) or isinstance(
            value["date"], datetime.datetime
        ):
            raise self.error(SIGNOFF_KEY, "The sign-off 'date' must be written as YYYY-MM-DD.")
        if not all(isinstance(value[k], str) and value[k].strip() for k in ("reviewer", "title")):
            raise self.error(SIGNOFF_KEY, "The sign-off needs the reviewer's name and title.")
        if not HASH_RE.match(str(value["content_hash"])):
            raise self.error(SIGNOFF_KEY, "The sign-off 'content_hash' must be 64 hex digits.")
        return SignoffDocument(
            reviewer=value["reviewer"].strip(),
            title=value["title"].strip(),
            date=value["date"],
            content_hash=value["content_hash"],
        )


def _typed(value: Any, model_field: models.Field, error, key: str) -> Any:
    """``value`` checked against what ``model_field`` holds; ``error(message)`` makes the
    exception to raise."""
    if isinstance(model_field, models.DateTimeField):
        if not isinstance(value, datetime.datetime):
            raise error(f"'{key}' must be a date and time, e.g. 2027-01-31 09:00:00.")
        # Files give the clinic's local time, as staff read it in the admin.
        return timezone.make_aware(value) if timezone.is_naive(value) else value
    if isinstance(model_field, models.DateField):
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            raise error(f"'{key}' must be a date written as YYYY-MM-DD.")
        return value
    if isinstance(model_field, models.IntegerField):
        low, high = _bounds(model_field)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise error(f"'{key}' must be a whole number from {low} to {high}.")
        return value
    if not isinstance(value, str):
        raise error(f"'{key}' must be text.")
    if model_field.choices and value not in [choice for choice, _ in model_field.choices]:
        allowed = ", ".join(choice for choice, _ in model_field.choices)
        raise error(f"'{key}' must be one of: {allowed}.")
    return value


def _bounds(model_field: models.Field) -> tuple[int, int]:
    low, high = 0, 32767
    for validator in model_field.validators:
        if validator.code == "min_value":
            low = max(low, validator.limit_value)
        elif validator.code == "max_value":
            high = min(high, validator.limit_value)
    return low, high


def _parse_body(lines: list[str], start: int, document: TreatmentDocument) -> None:
    path = document.path
    current: list[str] | None = None  # lines of the open section or answer
    faq_line = 0  # line of the FAQ heading once met
    fence_line = 0  # line of an open ``` fence, whose contents are never headings
    seen_kinds: set[str] = set()

    def close_current() -> None:
        if current is None:
            return
        text = "\n".join(current).strip()
        if not faq_line:
            document.sections[-1].body = text
        elif document.faqs:
            faq = document.faqs[-1]
            if not text:
                raise ContentError(path, faq.line, f"The question '{faq.question}' has no answer.")
            faq.answer = text
        elif text:
            raise ContentError(
                path, faq_line, "Put each question on a '### ' line before its answer."
            )

    for number, raw in enumerate(lines[start:], start=start + 1):
        if FENCE_RE.match(raw.lstrip()):
            fence_line = 0 if fence_line else number
        heading = None if fence_line else re.match(r"^(#{1,3})\s+(.*?)\s*#*\s*$", raw)
        level = len(heading.group(1)) if heading else 0

        if level == 1:
            raise ContentError(
                path, number, "Use '## ' for section headings; the page title comes from 'title'."
            )
        if level == 2:
            close_current()
            current = []
            name = heading.group(2)
            if faq_line:
                raise ContentError(path, number, f"'## {FAQ_HEADING}' must be the last section.")
            if name.lower() == FAQ_HEADING.lower():
                faq_line = number
                continue
            kind = _KIND_BY_HEADING.get(name.lower())
            if kind is None:
                known = ", ".join([kind.label for kind in SectionKind] + [FAQ_HEADING])
                raise ContentError(
                    path, number, f"Unknown section '## {name}'. The sections are: {known}."
                )
            if kind in seen_kinds:
                raise ContentError(path, number, f"The section '## {name}' appears twice.")
            seen_kinds.add(kind)
            document.sections.append(SectionDocument(kind=kind, body="", line=number))
            continue
        if level == 3 and faq_line:
            close_current()
            current = []
            document.faqs.append(FaqDocument(question=heading.group(2), answer="", line=number))
            continue
        if current is None:
            if raw.strip():
                raise ContentError(path, number, "Text must come under a '## ' section heading.")
            continue
        current.append(raw)
    if fence_line:
        raise ContentError(path, fence_line, "This code block (```) is never closed.")
    close_current()


def _scalar(value) -> str:
    """Write one front-matter value: plain where YAML reads it back unchanged, else quoted."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text and text == text.strip() and "\n" not in text:
        try:
            if yaml.load(f"k: {text}", Loader=_YAML_LOADER) == {"k": text}:  # noqa: S506
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


def _front_matter_lines(values: dict[str, Any], keys: tuple[str, ...]) -> list[str]:
    out = []
    for key in keys:
        value = values.get(key)
        if value is None or value == "":
            continue
        out.append(f"{key}: {_scalar(value)}")
    return out


def _row_lines(rows: RowList, items: list[dict[str, Any]]) -> list[str]:
    if not items:
        return []
    out = [f"{rows.name}:"]
    for item in items:
        for number, name in enumerate(rows.fields):
            lead = "  - " if number == 0 else "    "
            out.append(f"{lead}{name}: {_scalar(item[name])}")
    return out


def _signoff_lines(signoff: SignoffDocument | None) -> list[str]:
    if signoff is None:
        return []
    return [
        f"{SIGNOFF_KEY}:",
        f"  reviewer: {_scalar(signoff.reviewer)}",
        f"  title: {_scalar(signoff.title)}",
        f"  date: {signoff.date.isoformat()}",
        f"  content_hash: {signoff.content_hash}",
    ]


def _without_defaults(meta: dict[str, Any]) -> dict[str, Any]:
    """Leave out a field at its default (the review interval), so files stay short and a
    file without the key reads back the same."""
    return {
        f.name: meta.get(f.name)
        for f in TREATMENT_FIELDS
        if not (
            f.model_field.has_default()
            and meta.get(f.name) == f.model_field.get_default()
            and f.name != "status"
        )
    }


def dump_page(document: PageDocument) -> str:
    """Write a page in canonical form."""
    out = ["---", *_front_matter_lines(document.meta, PAGE_FIELDS)]
    out += [*_signoff_lines(document.signoff), "---", "", document.body]
    return "\n".join(out) + "\n"


def dump_document(document: TreatmentDocument) -> str:
    """Write a treatment in canonical form."""
    out = ["---", *_front_matter_lines(_without_defaults(document.meta), META_KEYS)]
    for rows in ROW_LISTS:
        out += _row_lines(rows, document.rows_of(rows.name))
    out += [*_signoff_lines(document.signoff), "---"]
    for section in document.sections:
        out += ["", f"## {section.title}"]
        if section.body.strip():
            out += ["", section.body.strip()]
    if document.faqs:
        out += ["", f"## {FAQ_HEADING}"]
        for faq in document.faqs:
            out += ["", f"### {faq.question}", "", faq.answer.strip()]
    return "\n".join(out) + "\n"
