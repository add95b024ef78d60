"""The "Is this right for me?" checklist read from "Who should not have it", the way to
book beside it, and the same page with and without JavaScript in a real browser."""

import re

import pytest
from django.core.management import call_command

from tests.conftest import CONTENT_DIR, make_treatment
from treatments.content.contraindications import required_topics
from treatments.models import SiteSettings, Treatment
from treatments.text.lead_phrases import lead_phrases

# -- The extraction ----------------------------------------------------------------------


def test_the_bold_lead_of_each_item_becomes_a_checklist_phrase():
    html = (
        "<p>Some <strong>bold</strong> words that are not in a list.</p>"
        "<h3>Skin</h3><ul>"
        "<li><strong>Active acne</strong>, especially red, swollen spots.</li>"
        "<li><strong>Sunburn.</strong> Wait until it has healed.</li>"
        "<li>Plain item with <strong>bold later</strong> on.</li>"
        "<li>\n  <strong>A cold  sore\n(herpes) outbreak:</strong> wait.</li>"
        "</ul><ol><li><b>Pregnancy</b></li><li><strong>Active acne</strong> again.</li></ol>"
    )
    assert lead_phrases(html) == (
        "Active acne",
        "Sunburn",
        "A cold sore (herpes) outbreak",
        "Pregnancy",
    )


def test_entities_and_nested_markup_in_the_lead_are_read_as_text():
    html = "<ul><li><strong>Eczema &amp; <em>psoriasis</em></strong> flare-ups.</li></ul>"
    assert lead_phrases(html) == ("Eczema & psoriasis",)


def test_a_nested_list_item_is_read_on_its_own():
    html = (
        "<ul><li>Medicines:<ul><li><strong>Isotretinoin</strong> in 6 months.</li></ul></li></ul>"
    )
    assert lead_phrases(html) == ("Isotretinoin",)


def test_no_list_or_no_bold_gives_nothing():
    assert lead_phrases("") == ()
    assert lead_phrases("<p><strong>Not in a list</strong></p>") == ()
    assert lead_phrases("<ul><li>No bold here</li></ul>") == ()


@pytest.mark.django_db
def test_the_shipped_page_lists_every_reason_from_its_section(client):
    call_command("import_content", str(CONTENT_DIR), verbosity=0)
    section = Treatment.objects.get(slug="microneedling").sections.get(kind="contraindications")
    phrases = lead_phrases(section.body_html)
    assert phrases[:3] == ("Active acne", "A skin infection", "Sunburn")
    assert "You are pregnant" in phrases
    assert section.body.count("- **") == len(phrases)

    html = client.get("/treatments/microneedling/").content.decode()
    for phrase in phrases:
        assert f"<li>{phrase}</li>" in html
    assert "If any of these apply to you now, talk to us before booking." in html


@pytest.mark.django_db
def test_the_shipped_checklist_carries_every_reason_the_content_guide_lists(client):
    """Both of the guide's lists ("from the seeds" and "from outside the seeds") are the
    required topics of content.contraindications; the page's checklist names each."""
    call_command("import_content", str(CONTENT_DIR), verbosity=0)
    html = client.get("/treatments/microneedling/").content.decode()
    listed = html[html.index("data-checklist-items") : html.index("checklist-more")]
    items = re.findall(r"<li>(.*?)</li>", listed)
    missing = [t.name for t in required_topics("microneedling") if not any(map(t.named_in, items))]
    assert missing == []
    assert "Rough, scaly patches from sun damage" in items
    assert "keratosis" not in listed.lower()


def test_a_reason_missing_from_the_checklist_is_caught_by_the_topic_check():
    """The test above can fail: a list without diabetes lacks that topic."""
    items = ["A bleeding disorder", "You take a blood thinner"]
    diabetes = next(t for t in required_topics("microneedling") if t.name == "diabetes")
    assert not any(map(diabetes.named_in, items))
    assert diabetes.named_in("Diabetes, especially if not well controlled")


# -- The booking call to action ---------------------------------------------------------


@pytest.fixture
def peel(db):
    return make_treatment(sections={"contraindications": "- **Sunburn.** Wait."})


def _book_box(client) -> str:
    html = client.get("/treatments/peel/").content.decode()
    return html[
        html.index('<div class="booking"') : html.index("</section>", html.index("data-booking"))
    ]


def test_booking_link_and_phone_from_site_settings(client, peel):
    SiteSettings.objects.create(booking_url="https://book.example/x", phone="020 7946 0000")
    box = _book_box(client)
    assert '<a class="button" href="https://book.example/x">Book a consultation</a>' in box
    assert '<a href="tel:02079460000">020 7946 0000</a>' in box
    assert "data-talk-first hidden" in box
    assert "Call us on 020 7946 0000" in box


def test_phone_only_books_by_phone(client, peel):
    SiteSettings.objects.create(phone="020 7946 0000")
    box = _book_box(client)
    assert "Book a consultation" not in box
    assert 'To book, call us on <a class="button" href="tel:02079460000">' in box


def test_without_link_or_phone_the_page_still_says_how_to_book(client, peel):
    """Never "please contact us" with no way to: it says where to find the number."""
    SiteSettings.objects.create(clinic_name="Riverside Skin")
    box = _book_box(client)
    assert "href=" not in box.split("data-talk-first")[0]
    assert "To book, call or visit Riverside Skin." in box
    assert "search online for Riverside Skin to find it" in box
    assert "Ask us at your next visit, or call Riverside Skin before you book." in box
    assert "Please contact" not in box


def test_no_reasons_means_no_checklist_but_still_a_way_to_book(client, db):
    make_treatment(sections={"overview": "Hello."})
    SiteSettings.objects.create(booking_url="https://book.example/x")
    html = client.get("/treatments/peel/").content.decode()
    assert "data-checklist" not in html
    assert "Is this right for me?" not in html
    assert '<h2 id="right-for-me">Book a visit</h2>' in html
    assert "Book a consultation" in html


# -- In the browser, with and without JavaScript ----------------------------------------


@pytest.fixture
def site_url(live_server):
    call_command("import_content", str(CONTENT_DIR), verbosity=0)
    SiteSettings.objects.create(phone="020 7946 0123", booking_url="https://book.example/x")
    return f"{live_server.url}/treatments/microneedling/"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_javascript_it_is_a_plain_list_and_the_booking_button_shows(browser, site_url):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(site_url)
    checklist = page.locator("[data-checklist]")
    assert checklist.get_by_role("listitem").first.inner_text() == "Active acne"
    assert checklist.get_by_role("checkbox").count() == 0
    assert checklist.get_by_text("talk to us before booking").is_visible()
    assert page.get_by_role("link", name="Book a consultation").is_visible()
    assert not page.get_by_role("heading", name="Talk to us first").is_visible()
    context.close()


def checklist_status(page):
    """The checklist's live message (the feedback form below has a status of its own)."""
    return page.locator("[data-checklist-status]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_ticking_a_box_swaps_booking_for_talk_to_us_and_sends_nothing(browser, site_url):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(site_url)
    page.wait_for_load_state("networkidle")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    book = page.get_by_role("link", name="Book a consultation")
    call = page.get_by_role("link", name="Call us on 020 7946 0123")
    group = page.get_by_role("group", name="Tick any that apply to you now")
    assert group.get_by_role("checkbox").count() == page.locator("[data-checklist] li").count()
    assert book.is_visible()
    assert not call.is_visible()

    page.get_by_label("Sunburn").check()
    page.get_by_label("You are pregnant").check()
    assert call.is_visible()
    assert not book.is_visible()
    assert "You ticked 2 items" in checklist_status(page).inner_text()

    page.get_by_label("Sunburn").uncheck()
    assert call.is_visible()
    page.get_by_label("You are pregnant").uncheck()
    assert book.is_visible()
    assert not call.is_visible()

    # Nothing left the page or was kept: no request, no storage, no cookie, no form.
    assert requests == []
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert context.cookies() == []
    assert page.locator("[data-checklist] input[name], [data-checklist] form").count() == 0
    context.close()
