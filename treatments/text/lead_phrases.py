"""The "Is this right for me?" checklist, read from the "Who should not have it" section.

Staff write each reason not to have a treatment as a list item that starts with a
bold phrase ("**Active acne**, especially red, swollen spots..."). The bold lead is
the short form a patient can scan, so the checklist is those phrases, taken from the
section's stored, already-sanitized HTML. Nothing new to edit, and the checklist can
never say something the section does not.

It lives with the text helpers, not in ``public``, because the content checks read the
same phrases: a required contraindication the checklist would not show is a finding.
"""

from functools import lru_cache
from html.parser import HTMLParser

# Trailing punctuation of a bold lead such as "**Sunburn.**", which a checklist item
# does not need.
_TRAILING = " .,;:"


class _LeadPhraseParser(HTMLParser):
    """Collects the text of a ``<strong>`` (or ``<b>``) that opens a ``<li>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.phrases: list[str] = []
        # True between <li> and its first text or tag: a bold tag there is a lead.
        self._at_item_start = False
        self._bold_depth = 0
        self._lead: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "li":
            self._at_item_start = True
            return
        if tag in {"strong", "b"}:
            if self._lead is not None:
                self._bold_depth += 1
            elif self._at_item_start:
                self._lead, self._bold_depth = [], 1
        # A nested <li> starts afresh above; any other tag means the item did not open
        # with bold text.
        self._at_item_start = False

    def handle_endtag(self, tag: str) -> None:
        if tag in {"strong", "b"} and self._lead is not None:
            self._bold_depth -= 1
            if self._bold_depth == 0:
                phrase = " ".join("".join(self._lead).split()).rstrip(_TRAILING)
                if phrase:
                    self.phrases.append(phrase)
                self._lead = None

    def handle_data(self, data: str) -> None:
        if self._lead is not None:
            self._lead.append(data)
        elif data.strip():
            self._at_item_start = False


@lru_cache(maxsize=128)
def lead_phrases(section_html: str) -> tuple[str, ...]:
    """The bold phrase that opens each list item of ``section_html``, in order.

    Items without a bold opening are left out, as are repeats. Cached because the
    result depends only on the stored HTML, which every view of the page shares.
    """
    parser = _LeadPhraseParser()
    parser.feed(section_html)
    parser.close()
    return tuple(dict.fromkeys(parser.phrases))
