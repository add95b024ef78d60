"""Read an HTML form's fields the way a browser would submit them, for admin POSTs in tests."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attributes:
                    self.data[name] = attributes.get("value", "on")
                return
            self.data[name] = attributes.get("value", "") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
            self._first_option = None
        elif tag == "option" and self._select:
            value = attributes.get("value", "")
            if self._first_option is None:
                self._first_option = value
                self.data.setdefault(self._select, value)
            if "selected" in attributes:
                self.data[self._select] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            # A textarea's first newline is not part of its value.
            value = self.data[self._textarea] + data
            self.data[self._textarea] = value.removeprefix("\n")


def form_data(html: str, form_id: str) -> dict[str, str]:
    """The name/value pairs of form ``form_id``, minus buttons, as a browser would send them."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return {name: value for name, value in reader.data.items() if "__prefix__" not in name}
