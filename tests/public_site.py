"""The public site as crawlers see it, for the head, structured-data and HTML tests.

``build_public_site()`` loads the shipped content, fills in the clinic's details and
removes a treatment (so one address answers 410). ``PUBLIC_PAGES`` are the pages
to check, with the status each must answer. ``parse_page`` reads what the tests
need from a page with the standard library's HTML parser, independently of the
code under test.
"""

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.core.management import call_command

from tests.conftest import CLINIC_WEEK, CONTENT_DIR, make_treatment
from treatments.models import SiteSettings

# (name, url, status) of every kind of public page.
PUBLIC_PAGES = [
    ("home", "/", 200),
    ("list", "/treatments/", 200),
    ("treatment", "/treatments/microneedling/", 200),
    ("faq", "/treatments/microneedling/faq/", 200),
    ("about", "/about/", 200),
    ("privacy", "/privacy/", 200),
    ("not-found", "/no-such-page/", 404),
    ("gone", "/treatments/retired-peel/", 410),
]
INDEXABLE_PAGES = [page for page in PUBLIC_PAGES if page[2] == 200]
# Public pages that are not for search engines (printouts, search results) but must be
# valid HTML all the same.
OTHER_PAGES = [
    ("before-sheet", "/treatments/microneedling/before/", 200),
    ("aftercare-sheet", "/treatments/microneedling/aftercare/", 200),
    ("search", "/search/?q=sun", 200),
    ("search-empty", "/search/", 200),
    ("search-no-results", "/search/?q=zzzqqq", 200),
    # What a patient's answer to "Is this page helpful?" leads to without JavaScript.
    ("feedback-thanks", "/feedback/thanks/", 200),
    # What a wrong treatment date gets instead of the aftercare calendar file.
    ("calendar-date-help", "/treatments/microneedling/aftercare/calendar/?date=1999-01-01", 200),
]


def build_public_site() -> None:
    call_command("import_content", str(CONTENT_DIR), verbosity=0)
    SiteSettings.objects.update_or_create(
        pk=1,
        defaults={
            "clinic_name": "Riverside Skin Clinic",
            "phone": "020 7946 0000",
            "email": "hello@clinic.example",
            "address": "1 River Street\nLondon\nSE1 9AA",
            **CLINIC_WEEK,
        },
    )
    make_treatment("retired-peel").delete()


@dataclass
class ParsedPage:
    lang: str = ""
    title: str = ""
    meta: dict[str, list[str]] = field(default_factory=dict)  # name or property -> contents
    links: dict[str, list[str]] = field(default_factory=dict)  # rel -> hrefs
    json_ld: list[dict] = field(default_factory=list)
    script_attrs: list[dict[str, str | None]] = field(default_factory=list)
    # Visible text of each FAQ answer, keyed by its question's id.
    answers: dict[str, str] = field(default_factory=dict)
    # Text of each element with an id, for "the page shows it" checks.
    text_by_id: dict[str, str] = field(default_factory=dict)

    def nodes(self) -> list[dict]:
        """Every top-level JSON-LD node, whether in a @graph or not."""
        found = []
        for document in self.json_ld:
            found.extend(document.get("@graph", [document]))
        return found

    def node(self, schema_type: str) -> dict:
        matches = [node for node in self.nodes() if node.get("@type") == schema_type]
        assert len(matches) == 1, f"{len(matches)} {schema_type} nodes"
        return matches[0]

    def types(self) -> set[str]:
        return {node["@type"] for node in self.nodes()}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()
        self._in_title = False
        self._script: list[str] | None = None
        self._answer: tuple[str, list[str]] | None = None  # (anchor, text)
        self._answer_depth = 0
        self._in_question_heading = False
        self._open_ids: list[tuple[str, str, list[str]]] = []  # (tag, id, text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.page.lang = a.get("lang") or ""
        elif tag == "title":
            self._in_title = True
        elif tag == "meta" and (key := a.get("name") or a.get("property")):
            self.page.meta.setdefault(key, []).append(a.get("content") or "")
        elif tag == "link" and a.get("rel"):
            self.page.links.setdefault(a["rel"], []).append(a.get("href") or "")
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._script = []
            self.page.script_attrs.append(a)
        if tag == "section" and "faq-entry" in (a.get("class") or ""):
            self._answer = (a.get("aria-labelledby") or "", [])
            self._answer_depth = 0
        if self._answer is not None and tag == "section":
            self._answer_depth += 1
        if self._answer is not None and tag == "h2":
            self._in_question_heading = True
        if a.get("id") and tag in {"h1", "h2", "h3", "p", "li", "dd", "dt", "time"}:
            self._open_ids.append((tag, a["id"], []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "script" and self._script is not None:
            self.page.json_ld.append(json.loads("".join(self._script)))
            self._script = None
        elif tag == "h2":
            self._in_question_heading = False
        if tag == "section" and self._answer is not None:
            self._answer_depth -= 1
            if self._answer_depth == 0:
                anchor, text = self._answer
                self.page.answers[anchor] = " ".join("".join(text).split())
                self._answer = None
        if self._open_ids and self._open_ids[-1][0] == tag:
            _, element_id, text = self._open_ids.pop()
            self.page.text_by_id[element_id] = " ".join("".join(text).split())

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.page.title += data
        if self._script is not None:
            self._script.append(data)
        if self._answer is not None and not self._in_question_heading:
            self._answer[1].append(data)
        for _, _, text in self._open_ids:
            text.append(data)


def parse_page(html: str | bytes) -> ParsedPage:
    parser = _PageParser()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    parser.close()
    return parser.page
