"""The Markdown file format of ``content/treatments/<slug>.md``: parse and write.

A file is YAML front matter between ``---`` lines, then one ``## `` heading per
section (named as in ``SectionKind``), then ``## Frequently asked questions`` with a
``### `` heading per question. ``content/README.md`` documents it for people.

``dump_document(parse_text(text))`` returns ``text`` for a file in canonical form,
which is what makes import, export, import a fixed point. Every error names the
file and line.
"""

import datetime
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from treatments.models import MAX_REMINDER_DAYS
from treatments.models.section_kinds import SectionKind

# libyaml's loader when PyYAML was built with it: the same results, several times faster
# for an import of many files.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FAQ_HEADING = "Frequently asked questions"
SECTION_KINDS = SectionKind.values
STATUSES = ("draft", "published")

# Front-matter keys in the order they are written; title and slug are required.
META_KEYS = (
    "title",
    "slug",
    "summary",
    "description",
    *("duration", "numbing", "downtime", "sessions", "results_show"),
    "reviewed_by",
    "last_reviewed",
    "next_review",
    "status",
    "publish_at",
)
REQUIRED_META = ("title", "slug")
# Aftercare reminders: a list of {after_days, title}, written after the other keys.
REMINDERS_KEY = "reminders"
# content/pages/<slug>.md: front matter, then a Markdown body.
PAGE_META_KEYS = ("title", "slug", "description")
DATE_KEYS = ("last_reviewed", "next_review")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FENCE_RE = re.compile(r"^(```|~~~)")
_KIND_BY_HEADING = {kind.label.lower(): kind.value for kind in SectionKind}


class ContentError(Exception):
    """A content file that cannot be used, with the file and line to look at."""

    def __init__(self, path: Path | str, line: int, message: str):
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(f"{self.path}, line {line}: {message}")


@dataclass
class SectionDocument:
    kind: str
    body: str
    line: int = 0

    @property
    def title(self) -> str:
        return SectionKind(self.kind).label


@dataclass
class FaqDocument:
    question: str
    answer: str
    line: int = 0


class _FrontMatterLookups:
    """What a file with front matter answers, for a dataclass with ``meta`` and
    ``meta_lines`` (the line of each front-matter key, so later checks can point at it)."""

    meta: dict
    meta_lines: dict[str, int]

    @property
    def slug(self) -> str:
        return self.meta["slug"]

    def line_of(self, key: str) -> int:
        return self.meta_lines.get(key, 1)


@dataclass
class TreatmentDocument(_FrontMatterLookups):
    meta: dict
    sections: list[SectionDocument] = field(default_factory=list)
    faqs: list[FaqDocument] = field(default_factory=list)
    path: str = ""
    meta_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class PageDocument(_FrontMatterLookups):
    meta: dict
    body: str
    path: str = ""
    meta_lines: dict[str, int] = field(default_factory=dict)


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
    meta, meta_lines, body_start = _parse_front_matter(lines, path, (*META_KEYS, REMINDERS_KEY))
    document = TreatmentDocument(meta=meta, path=str(path), meta_lines=meta_lines)
    _check_reminders(lines, meta, meta_lines, path)
    _parse_body(lines, body_start, document)
    return document


def parse_page_text(text: str, path: Path | str = "<text>") -> PageDocument:
    """Parse the text of a page file; raises ContentError naming the line."""
    lines = text.replace("\r\n", "\n").split("\n")
    meta, meta_lines, body_start = _parse_front_matter(lines, path, PAGE_META_KEYS)
    for number, raw in enumerate(lines[body_start:], start=body_start + 1):
        if re.match(r"^#\s", raw):
            raise ContentError(
                path, number, "Use '## ' for headings; the page title comes from 'title'."
            )
    body = "\n".join(lines[body_start:]).strip()
    return PageDocument(meta=meta, body=body, path=str(path), meta_lines=meta_lines)


def _parse_front_matter(
    lines: list[str], path, known_keys: tuple[str, ...]
) -> tuple[dict, dict[str, int], int]:
    if not lines or lines[0].strip() != "---":
        raise ContentError(path, 1, "The file must start with front matter: a line '---'.")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise ContentError(path, 1, "The front matter has no closing '---' line.") from None
    block = "\n".join(lines[1:end])
    try:
        meta = yaml.load(block, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark else 2
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(path, line, f"The front matter is not valid YAML: {problem}.") from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ContentError(path, 2, "The front matter must be 'key: value' lines.")

    meta_lines = {}
    for number, raw in enumerate(lines[1:end], start=2):
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:", raw)
        if match:
            meta_lines.setdefault(match.group(1), number)

    for key in meta:
        if key not in known_keys:
            raise ContentError(
                path,
                meta_lines.get(str(key), 2),
                f"Unknown front-matter key '{key}'. Known keys: {', '.join(known_keys)}.",
            )
    for key in REQUIRED_META:
        if not meta.get(key):
            raise ContentError(path, meta_lines.get(key, 1), f"The front matter needs a '{key}'.")
    for key, value in meta.items():
        line = meta_lines.get(key, 2)
        if key in DATE_KEYS:
            if value is not None and not isinstance(value, datetime.date):
                raise ContentError(path, line, f"'{key}' must be a date written as YYYY-MM-DD.")
        elif key == REMINDERS_KEY:
            continue  # checked item by item in _check_reminders
        elif key == "publish_at":
            if value is not None and not isinstance(value, datetime.datetime):
                raise ContentError(
                    path, line, "'publish_at' must be a date and time, e.g. 2027-01-31 09:00:00."
                )
        elif not isinstance(value, str):
            raise ContentError(path, line, f"'{key}' must be text.")
    if not SLUG_RE.match(meta["slug"]):
        raise ContentError(
            path,
            meta_lines["slug"],
            f"'slug' {meta['slug']!r} may hold only lower-case letters, digits and single hyphens.",
        )
    if meta.get("status", "draft") not in STATUSES:
        raise ContentError(
            path, meta_lines["status"], f"'status' must be one of: {', '.join(STATUSES)}."
        )
    return meta, meta_lines, end + 1


def _check_reminders(lines: list[str], meta: dict, meta_lines: dict[str, int], path) -> None:
    """Each reminder is ``- after_days: N`` with ``title: text``; errors name its line."""
    reminders = meta.get(REMINDERS_KEY)
    if reminders is None:
        return
    start = meta_lines[REMINDERS_KEY]
    if not isinstance(reminders, list):
        raise ContentError(path, start, "'reminders' must be a list of '- after_days:' items.")
    # Lines that open an item ("  - "), in order, so an error can point at its own item.
    item_lines = [
        n for n in range(start + 1, len(lines) + 1) if lines[n - 1].lstrip().startswith("- ")
    ]
    for index, item in enumerate(reminders):
        line = item_lines[index] if index < len(item_lines) else start
        if not isinstance(item, dict) or set(item) != {"after_days", "title"}:
            raise ContentError(path, line, "Each reminder needs exactly 'after_days' and 'title'.")
        days, title = item["after_days"], item["title"]
        if (
            not isinstance(days, int)
            or isinstance(days, bool)
            or not 0 <= days <= MAX_REMINDER_DAYS
        ):
            raise ContentError(
                path, line, f"'after_days' must be a whole number from 0 to {MAX_REMINDER_DAYS}."
            )
        if not isinstance(title, str) or not title.strip():
            raise ContentError(path, line, "A reminder's 'title' must be text.")


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
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if text and text == text.strip() and "\n" not in text:
        try:
            if yaml.load(f"k: {text}", Loader=_YAML_LOADER) == {"k": text}:  # noqa: S506
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


def _dump_front_matter(meta: dict, keys: tuple[str, ...]) -> list[str]:
    out = ["---"]
    for key in keys:
        value = meta.get(key)
        if value is None or value == "":
            continue
        out.append(f"{key}: {_scalar(value)}")
    out.append("---")
    return out


def dump_page(document: PageDocument) -> str:
    """Write a page in canonical form."""
    return "\n".join([*_dump_front_matter(document.meta, PAGE_META_KEYS), "", document.body]) + "\n"


def dump_document(document: TreatmentDocument) -> str:
    """Write a treatment in canonical form."""
    out = _dump_front_matter(document.meta, META_KEYS)
    reminders = document.meta.get(REMINDERS_KEY)
    if reminders:
        # Inside the front matter, before its closing line.
        out[-1:-1] = [f"{REMINDERS_KEY}:"] + [
            line
            for item in reminders
            for line in (
                f"  - after_days: {item['after_days']}",
                f"    title: {_scalar(item['title'])}",
            )
        ]
    for section in document.sections:
        out += ["", f"## {section.title}"]
        if section.body.strip():
            out += ["", section.body.strip()]
    if document.faqs:
        out += ["", f"## {FAQ_HEADING}"]
        for faq in document.faqs:
            out += ["", f"### {faq.question}", "", faq.answer.strip()]
    return "\n".join(out) + "\n"
