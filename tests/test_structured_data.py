"""JSON-LD on the public pages: the right schema.org types, filled from the content.

Pages are fetched through the test client and their JSON-LD parsed back, so these
tests see what a crawler sees.
"""

import json
import re
from types import SimpleNamespace

import pytest

from tests.conftest import hours, make_treatment, publish, sign_off
from tests.public_site import INDEXABLE_PAGES, PUBLIC_PAGES, build_public_site, parse_page
from treatments.models import Publication, SiteSettings, Treatment
from treatments.models.document import TREATMENT_FIELDS, TreatmentDocument, clinical_hash
from treatments.models.treatment import ProcedureType
from treatments.seo import descriptions, json_ld, procedure

pytestmark = pytest.mark.django_db

BASE = "https://clinic.example"

EXPECTED_TYPES = {
    "home": {"WebSite", "MedicalClinic", "WebPage", "BreadcrumbList"},
    "list": {"CollectionPage", "BreadcrumbList"},
    "treatment": {"MedicalWebPage", "MedicalProcedure", "BreadcrumbList"},
    "faq": {"FAQPage", "BreadcrumbList"},
    "about": {"WebPage", "BreadcrumbList"},
    "privacy": {"WebPage", "BreadcrumbList"},
}
PAGE_TYPE = {
    "home": "WebPage",
    "list": "CollectionPage",
    "treatment": "MedicalWebPage",
    "faq": "FAQPage",
    "about": "WebPage",
    "privacy": "WebPage",
}


@pytest.fixture
def site(db, settings):
    settings.SITE_BASE_URL = BASE
    build_public_site()


def _get(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return parse_page(response.content)


def _by_id(page, node_id: str) -> dict:
    return next(node for node in page.nodes() if node.get("@id") == node_id)


@pytest.mark.parametrize(("name", "url", "status"), INDEXABLE_PAGES)
def test_each_page_describes_itself_and_its_breadcrumb_trail(client, site, name, url, status):
    page = _get(client, url)
    assert len(page.json_ld) == 1
    assert page.json_ld[0]["@context"] == "https://schema.org"
    assert page.types() == EXPECTED_TYPES[name]

    web_page = page.node(PAGE_TYPE[name])
    canonical = f"{BASE}{url}"
    assert web_page["url"] == canonical
    assert web_page["inLanguage"] == "en-GB"
    # What the JSON-LD calls the page is what the head calls it.
    assert web_page["name"] == page.meta["og:title"][0]
    assert web_page["description"] == page.meta["description"][0]

    trail = _by_id(page, web_page["breadcrumb"]["@id"])
    assert trail["@type"] == "BreadcrumbList"
    items = trail["itemListElement"]
    assert [item["position"] for item in items] == list(range(1, len(items) + 1))
    assert items[0]["item"] == f"{BASE}/"
    assert items[-1]["item"] == canonical
    assert all(item["name"] and item["item"].startswith(BASE) for item in items)


@pytest.mark.parametrize(("name", "url", "status"), [p for p in PUBLIC_PAGES if p[2] != 200])
def test_error_pages_carry_no_structured_data_and_are_not_indexed(client, site, name, url, status):
    response = client.get(url)
    assert response.status_code == status
    page = parse_page(response.content)
    assert page.json_ld == []
    assert page.meta["robots"] == ["noindex"]


def test_treatment_page_is_a_medical_web_page_about_the_procedure(client, site):
    page = _get(client, "/treatments/microneedling/")
    web_page = page.node("MedicalWebPage")
    procedure = page.node("MedicalProcedure")

    assert web_page["name"] == "Microneedling"
    assert web_page["medicalAudience"] == {"@type": "Patient"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", web_page["dateModified"])
    # No clinician has signed the shipped page: no reviewer and no review date.
    assert "reviewedBy" not in web_page
    assert "lastReviewed" not in web_page
    assert _by_id(page, web_page["about"]["@id"]) is procedure

    assert procedure["name"] == "Microneedling"
    # The same facts the copy-reading code gave before, now stated in the content file.
    assert procedure["alternateName"] == ["skin needling", "collagen induction therapy"]
    assert procedure["procedureType"] == "https://schema.org/PercutaneousProcedure"
    assert procedure["bodyLocation"] == "face, scalp, chest, legs"
    assert procedure["description"].startswith("A skin treatment that uses very fine needles")
    for prop in ("howPerformed", "preparation", "followup"):
        assert 40 < len(procedure[prop]) <= descriptions.SUMMARY_MAX_CHARS, prop
    assert procedure["howPerformed"].startswith("We check your health")
    assert procedure["preparation"].startswith("Keep out of strong sun")
    assert procedure["followup"].startswith("Your skin will look red")


def test_a_recorded_sign_off_becomes_reviewed_by_a_person_and_last_reviewed(client, db):
    peel = make_treatment()
    unsigned = _get(client, "/treatments/peel/").node("MedicalWebPage")
    assert "reviewedBy" not in unsigned
    assert "lastReviewed" not in unsigned

    sign_off(peel, name="Dr A. Example", title="Consultant dermatologist, GMC 1234567")
    web_page = _get(client, "/treatments/peel/").node("MedicalWebPage")
    assert web_page["reviewedBy"] == {
        "@type": "Person",
        "name": "Dr A. Example",
        "jobTitle": "Consultant dermatologist, GMC 1234567",
    }
    assert web_page["lastReviewed"] == "2026-11-01"


def test_faq_page_answers_match_the_visible_answers(client, site):
    page = _get(client, "/treatments/microneedling/faq/")
    questions = page.node("FAQPage")["mainEntity"]

    assert len(questions) == len(page.answers) >= 15
    for question in questions:
        anchor = question["url"].rsplit("#", 1)[1]
        assert question["@type"] == "Question"
        assert question["url"] == f"{BASE}/treatments/microneedling/faq/#{anchor}"
        assert question["name"] == page.text_by_id[anchor]
        assert question["acceptedAnswer"]["@type"] == "Answer"
        assert question["acceptedAnswer"]["text"] == page.answers[anchor]


def test_answers_with_lists_and_links_match_their_visible_text(client, db):
    answer = (
        "Three things:\n\n- **rest**\n- [sun cream](https://example.org)\n- water\n\nThat is all."
    )
    make_treatment(faqs=[("What helps?", answer)])
    page = _get(client, "/treatments/peel/faq/")
    text = page.node("FAQPage")["mainEntity"][0]["acceptedAnswer"]["text"]
    assert text == page.answers["what-helps"] == "Three things: rest sun cream water That is all."


def test_a_script_tag_in_an_answer_cannot_break_out_of_the_json_ld(client, db):
    hostile = "Ask us. </script><script>alert(1)</script> <!-- & done"
    make_treatment(faqs=[("Is it </script> safe?", hostile)])
    html = client.get("/treatments/peel/faq/").content.decode()

    head = html.split("</head>", 1)[0]
    # The JSON-LD block and the page's own script file, each closed once: the answer
    # opened no script and closed none.
    opened = re.findall(r"<script[^>]*>", head)
    assert sorted(opened) == [
        '<script src="/static/js/feedback.js" defer>',
        '<script type="application/ld+json">',
    ]
    assert head.count("</script>") == len(opened)
    assert "<script>alert(1)" not in html
    assert "<!--" not in head
    question = parse_page(html).node("FAQPage")["mainEntity"][0]
    assert question["name"] == "Is it </script> safe?"
    assert question["acceptedAnswer"]["text"] == hostile


def test_home_page_describes_the_clinic_from_site_settings(client, site):
    clinic = _get(client, "/").node("MedicalClinic")
    assert clinic["name"] == "Riverside Skin Clinic"
    assert clinic["url"] == f"{BASE}/"
    assert clinic["telephone"] == "020 7946 0000"
    assert clinic["email"] == "hello@clinic.example"
    assert clinic["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "1 River Street, London, SE1 9AA",
    }
    weekdays = [
        f"https://schema.org/{day}"
        for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
    ]
    assert clinic["openingHoursSpecification"] == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": weekdays,
            "opens": "09:00",
            "closes": "18:00",
        },
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": ["https://schema.org/Saturday"],
            "opens": "10:00",
            "closes": "14:00",
        },
    ]


def test_clinic_details_left_blank_are_left_out(client, db):
    SiteSettings.objects.create(clinic_name="Plain Clinic")
    clinic = _get(client, "/").node("MedicalClinic")
    assert set(clinic) == {"@type", "@id", "name", "url"}


def test_list_page_lists_published_treatments_only(client, site):
    make_treatment("secret-draft", status="draft")
    listing = _get(client, "/treatments/").node("CollectionPage")["mainEntity"]
    assert listing["@type"] == "ItemList"
    assert [item["url"] for item in listing["itemListElement"]] == [
        f"{BASE}/treatments/microneedling/"
    ]


def test_json_ld_carries_no_nonce_so_public_pages_stay_cacheable(client, db):
    make_treatment()
    first = client.get("/treatments/peel/")
    assert "nonce" not in parse_page(first.content).script_attrs[0]
    assert "nonce-" not in first.get("Content-Security-Policy", "")
    assert client.get("/treatments/peel/").content == first.content


# -- Derivations, without pages ------------------------------------------------------------


def test_json_ld_script_escapes_markup_characters():
    html = json_ld.json_ld_script({"text": "a </script> & <b>"})
    assert html == (
        '<script type="application/ld+json">'
        '{"text": "a \\u003C/script\\u003E \\u0026 \\u003Cb\\u003E"}</script>'
    )
    assert json.loads(html.split(">", 1)[1].rsplit("<", 1)[0]) == {"text": "a </script> & <b>"}


def test_a_summary_keeps_whole_sentences_within_the_limit():
    html = "<p>Intro to skip.</p><ul><li>First step is short.</li><li>Second step</li></ul>"
    assert descriptions.summary_text(html) == "First step is short. Second step."
    assert descriptions.summary_text(html, limit=25) == "First step is short."
    assert descriptions.summary_text("<p>" + "word " * 100 + "</p>", limit=30).endswith("…")


def test_a_hero_image_is_used_when_there_is_one(settings):
    settings.SITE_BASE_URL = BASE
    image = SimpleNamespace(url="/media/images/a.jpg", alt_text="A cheek", width=1200, height=800)
    with_image = SimpleNamespace(title="Peel", hero_image=image)
    assert procedure.hero_image(with_image) == procedure.HeroImage(
        url=f"{BASE}/media/images/a.jpg", alt="A cheek", width=1200, height=800
    )
    assert procedure.hero_image(SimpleNamespace(title="Peel", hero_image=None)) is None
    assert procedure.hero_image(SimpleNamespace(title="Peel")) is None


# -- Facts are stated in fields, never read out of the copy ---------------------------------

# Copy that fooled the old prose-reading code, one sentence per wrong guess: it named the
# face and neck as treated areas, made a peel a needle procedure, and took "a laser
# facial, but it is not one" for two other names of the treatment.
MISLEADING = {
    "overview": (
        "A peel is not used on the face or neck; we treat the hands. Some people say it "
        "is also known as a laser facial, but it is not one."
    ),
    "how_it_works": "Unlike fillers, which are injected, a peel is painted on the skin.",
    "on_the_day": "We paint the peel on.",
}


def _procedure(client, slug: str = "peel") -> dict:
    return _get(client, f"/treatments/{slug}/").node("MedicalProcedure")


def test_copy_that_names_body_parts_needles_or_other_names_claims_nothing(client, db):
    make_treatment(sections=MISLEADING)
    node = _procedure(client)
    assert "bodyLocation" not in node
    assert "procedureType" not in node
    assert "alternateName" not in node


def test_the_facts_given_are_the_facts_search_engines_get(client, db):
    make_treatment(
        sections=MISLEADING,
        body_locations="hands",
        procedure_type=ProcedureType.NONINVASIVE,
        alternate_names="superficial peel,  chemical peel, superficial peel",
    )
    node = _procedure(client)
    assert node["bodyLocation"] == "hands"
    assert node["procedureType"] == "https://schema.org/NoninvasiveProcedure"
    assert node["alternateName"] == ["superficial peel", "chemical peel"]


def test_facts_travel_in_the_publication_not_the_working_rows(client, db):
    peel = make_treatment(body_locations="hands", procedure_type="noninvasive")
    live = Publication.objects.treatment("peel")
    for fields in (live.fields, live.document["fields"]):
        assert fields["body_locations"] == "hands"
        assert fields["procedure_type"] == "noninvasive"

    # A draft change, even one made behind the model's back, is not what patients get...
    Treatment.objects.filter(pk=peel.pk).update(body_locations="knees", alternate_names="x")
    assert _procedure(client)["bodyLocation"] == "hands"
    assert "alternateName" not in _procedure(client)
    # ...until it is published.
    publish(Treatment.objects.get(pk=peel.pk))
    assert _procedure(client)["bodyLocation"] == "knees"
    assert _procedure(client)["alternateName"] == ["x"]


def test_the_facts_are_clinical_but_blank_ones_leave_old_approvals_valid():
    facts = ("alternate_names", "body_locations", "procedure_type")
    document = TreatmentDocument(meta={f.name: "" for f in TREATMENT_FIELDS}, sections=[])
    blank = clinical_hash(document)
    # A page signed before the facts existed hashes as it did: its approval still holds.
    before = TreatmentDocument(meta={k: v for k, v in document.meta.items() if k not in facts})
    assert clinical_hash(before) == blank
    # Once stated, each is part of what a clinician approves.
    for name, value in zip(facts, ("skin needling", "face", "percutaneous"), strict=True):
        stated = TreatmentDocument(meta={**document.meta, name: value})
        assert clinical_hash(stated) != blank, name


def test_opening_hours_come_from_the_times_never_from_the_note(client, db):
    SiteSettings.objects.create(
        **hours("tuesday-thursday", "08:30", "17:00"),
        **hours("sunday", "11:00", "13:00"),
        opening_hours_note="Monday-Friday 09:00-18:00\nLate on Fridays till 20:00",
    )
    html = client.get("/").content.decode()
    clinic = parse_page(html).node("MedicalClinic")
    assert clinic["openingHoursSpecification"] == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [
                f"https://schema.org/{day}" for day in ("Tuesday", "Wednesday", "Thursday")
            ],
            "opens": "08:30",
            "closes": "17:00",
        },
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": ["https://schema.org/Sunday"],
            "opens": "11:00",
            "closes": "13:00",
        },
    ]
    # Patients read the note as written, under the hours.
    assert "Late on Fridays till 20:00" in html
