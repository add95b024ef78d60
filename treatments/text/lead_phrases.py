"""The "Is this right for me?" checklist, read from the "Who should not have it" section.

Staff write each reason not to have a treatment as a list item that starts with a
bold phrase ("**Active acne**, especially red, swollen spots..."). The bold lead is
the short form a patient can scan, so the checklist is those phrases, taken from the
section's stored, already-sanitized HTML. Nothing new to edit, and the checklist can
never say something the section does not.

It lives with the text helpers, not in ``public``, because the content checks read the
same phrases: a required contraindication the checklist would not show is a finding.
"""

from treatments.text.plain_text import read_html


def lead_phrases(section_html: str) -> tuple[str, ...]:
    """The bold phrase that opens each list item of ``section_html``, in order.

    Items without a bold opening are left out, as are repeats. The HTML is read once
    (``read_html`` caches), as every view of the page shares the stored HTML.
    """
    return read_html(section_html).lead_phrases
