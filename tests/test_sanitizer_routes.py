"""Every way Markdown reaches a page goes through the one pipeline in markup.py.

Hostile copy is put in by each route staff or tooling can use (the ORM, the admin
form, import_content, and export then re-import), and the stored HTML and the served
page are read back as a browser would (tests/test_sanitizer_properties.py's checker).
The admin form and import_content go further and refuse it (content.markdown_problems:
every payload here would show patients broken text), so through them nothing is stored.
"""

import json

import pytest
from django.contrib.auth.models import User
from django.core import serializers
from django.core.management import CommandError, call_command

from tests.conftest import make_treatment
from tests.test_content_format import PUBLISHABLE
from tests.test_sanitizer_properties import dangers, parse_as_browser
from treatments.content.sync import export_content
from treatments.models import FAQ, Page, Publication, Section, Treatment
from treatments.models.workflow import publish_without_review

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "Before <script>alert(1)</script> after",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](&#x6A;avascript:alert(1))",
    "![pixel](https://tracker.example/p.png)",
    "<svg/onload=alert(1)>",
    '<p style="position:fixed;inset:0">cover</p>',
]
HOSTILE = "\n\n".join(PAYLOADS)


def _assert_stored_html_is_harmless(treatment: Treatment) -> None:
    for section in Section.objects.filter(treatment=treatment):
        assert dangers(section.body_html) == [], section.body_html
    for faq in FAQ.objects.filter(treatment=treatment):
        assert dangers(faq.answer_html) == [], faq.answer_html


def _main_dangers(html: str) -> list[str]:
    """Dangers in the served page's <main>, where staff copy is shown. JSON-LD data
    blocks are the one script the templates put there on purpose; they do not run."""
    document = parse_as_browser(html)
    mains = [el for el in document.iter() if str(el.tag).endswith("}main")]
    assert len(mains) == 1
    found = []
    for element in mains[0].iter():
        tag = str(element.tag).rsplit("}", 1)[-1]
        if tag == "script" and element.get("type") == "application/ld+json":
            continue
        if tag == "script":
            found.append("<script>")
        for name, value in element.attrib.items():
            name = name.rsplit("}", 1)[-1]
            if name.startswith("on") or name == "style":
                found.append(f"{name} on <{tag}>")
            if value.strip().lower().startswith(("javascript:", "vbscript:", "data:")):
                found.append(f"{name}={value!r}")
            if "tracker.example" in value:
                found.append(f"third-party {name}={value!r}")
    return found


def _assert_served_pages_are_harmless(client, treatment: Treatment) -> None:
    for url in (treatment.get_absolute_url(), treatment.get_faq_url()):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _main_dangers(response.content.decode()) == [], url
        # The copy around the payloads is still there for patients to read.
        assert "Before" in response.content.decode() or url.endswith("/faq/")


def test_orm_saves_go_through_the_pipeline(client):
    treatment = make_treatment(sections={"overview": HOSTILE}, faqs=[("Safe?", HOSTILE)])
    _assert_stored_html_is_harmless(treatment)
    _assert_served_pages_are_harmless(client, treatment)


def test_an_orm_update_re_renders_and_stays_harmless():
    treatment = make_treatment(sections={"overview": "Plain."})
    section = treatment.sections.get()
    section.body = HOSTILE
    section.save()
    section.refresh_from_db()
    assert "Before" in section.body_html
    assert dangers(section.body_html) == []


def test_pages_go_through_the_pipeline():
    page = Page.objects.create(title="About", slug="about", description="d", body=HOSTILE)
    assert dangers(page.body_html) == []


def _hostile_content_dir(tmp_path):
    folder = tmp_path / "content"
    (folder / "treatments").mkdir(parents=True)
    text = PUBLISHABLE.replace("A peel uses a mild acid.", HOSTILE).replace(
        "A little, for a few minutes.", HOSTILE
    )
    (folder / "treatments" / "chemical-peel.md").write_text(text)
    return folder


def test_imported_content_is_refused_with_its_line(tmp_path):
    with pytest.raises(CommandError, match=r"chemical-peel\.md, line 13: Overview: "):
        call_command("import_content", str(_hostile_content_dir(tmp_path)), verbosity=0)
    assert not Treatment.objects.exists()


def test_hostile_copy_saved_another_way_is_exported_harmless_and_refused_back(client, tmp_path):
    treatment = make_treatment(
        "chemical-peel", sections={"overview": HOSTILE}, faqs=[("Safe?", HOSTILE)]
    )
    _assert_served_pages_are_harmless(client, treatment)
    exported = tmp_path / "exported"
    export_content(exported)
    # The Markdown is written out as typed; reading it back in stops at the mistakes.
    assert HOSTILE in (exported / "treatments" / "chemical-peel.md").read_text()
    Treatment.objects.all().delete()
    with pytest.raises(CommandError, match=r"chemical-peel\.md, line \d+: Overview: "):
        call_command("import_content", str(exported), verbosity=0)
    assert not Treatment.objects.exists()


def _form_fields(html: str, form_id: str) -> dict[str, str]:
    """What a browser would submit from the form: every named, enabled field with its value."""
    document = parse_as_browser(html)
    forms = [el for el in document.iter() if el.get("id") == form_id]
    assert forms, f"no form #{form_id}"
    data = {}
    for element in forms[0].iter():
        tag = str(element.tag).rsplit("}", 1)[-1]
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        if tag == "input":
            kind = (element.get("type") or "text").lower()
            if kind in {"submit", "button", "file", "image", "reset"}:
                continue
            if kind in {"checkbox", "radio"}:
                if element.get("checked") is not None:
                    data[name] = element.get("value", "on")
                continue
            data[name] = element.get("value", "")
        elif tag == "textarea":
            data[name] = "".join(element.itertext()).removeprefix("\n")
        elif tag == "select":
            options = [el for el in element.iter() if str(el.tag).endswith("}option")]
            chosen = [el for el in options if el.get("selected") is not None] or options[:1]
            if chosen:
                data[name] = chosen[0].get("value", "".join(chosen[0].itertext()))
    return data


def test_the_admin_form_goes_through_the_pipeline(client, settings):
    treatment = make_treatment(
        sections={"overview": "Plain.", "aftercare": "Plain."}, faqs=[("Safe?", "Yes.")]
    )
    client.force_login(User.objects.create_superuser("admin", "a@example.com", "pw"))
    url = f"/{settings.ADMIN_PATH}treatments/treatment/{treatment.pk}/change/"
    form = client.get(url)
    assert form.status_code == 200
    data = _form_fields(form.content.decode(), "treatment_form")
    bodies = [name for name in data if name.startswith("sections-") and name.endswith("-body")]
    answers = [name for name in data if name.startswith("faqs-") and name.endswith("-answer")]
    assert bodies, sorted(data)
    assert answers, sorted(data)
    for name in bodies + answers:
        data[name] = HOSTILE
    response = client.post(url, {**data, "_publish": "Save and publish"})
    assert response.status_code == 200  # refused: the form again, with what to fix
    assert "Not saved: patients would see this text broken." in response.content.decode()
    assert Section.objects.get(treatment=treatment, kind="overview").body == "Plain."
    assert FAQ.objects.get(treatment=treatment).answer == "Yes."
    assert "Plain." in client.get(treatment.get_absolute_url()).content.decode()


def test_html_put_into_the_database_behind_the_pipeline_is_cleaned_when_served(client):
    """A fixture, a raw UPDATE or a restored backup can hold HTML the pipeline never saw:
    pages clean what they print again, so it still cannot reach a patient."""
    treatment = make_treatment(faqs=[("Safe?", "Yes.")])
    publication = Publication.objects.of(treatment).get()
    document = publication.document
    document["sections"][0]["html"] = (
        '<p>Hi<img src="x" onerror="alert(1)"></p><script>x()</script>'
    )
    document["faqs"][0]["html"] = '<a href="javascript:alert(1)">click</a>'
    Publication.objects.filter(pk=publication.pk).update(document=document)
    for url in ("/treatments/peel/", "/treatments/peel/faq/"):
        html = client.get(url).content.decode()
        assert _main_dangers(html) == [], url
        assert "onerror" not in html
        assert "javascript:" not in html


# -- HTML planted behind the pipeline, on every public route that prints stored HTML ------

PLANTED = '<p>zebra <img src="x" onerror="alert(1)"></p><script>x()</script>'
# Every public route that shows a treatment's or a page's stored HTML, or text taken
# from it (search snippets, the checklist, the JSON-LD).
PLANTED_ROUTES = [
    "/",
    "/treatments/",
    "/treatments/peel/",
    "/treatments/peel/faq/",
    "/treatments/peel/before/",
    "/treatments/peel/aftercare/",
    "/search/?q=zebra",
    "/about/",
]


def _planted(document: dict) -> dict:
    """A publication's stored content with hostile HTML in every HTML slot."""
    for part in (*document.get("sections", []), *document.get("faqs", [])):
        part["html"] = PLANTED
    if "html" in document:
        document["html"] = PLANTED
    return document


def _live_site():
    make_treatment(faqs=[("Safe?", "Yes.")])
    page = Page.objects.create(title="About", slug="about", description="About us.", body="Hi.")
    publish_without_review(page, None)


def _assert_every_route_is_clean(client) -> None:
    for url in PLANTED_ROUTES:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert _main_dangers(html) == [], url
        # Neither as markup anywhere on the page: escaped text would read &quot;/&lt;.
        assert 'onerror="alert' not in html, url
        assert "<script>x()" not in html, url


def test_html_planted_by_update_never_reaches_any_route(client):
    _live_site()
    for publication in Publication.objects.all():
        Publication.objects.filter(pk=publication.pk).update(
            document=_planted(publication.document)
        )
    # The working rows too: public pages never read them, and publishing renders afresh.
    Section.objects.update(body_html=PLANTED)
    FAQ.objects.update(answer_html=PLANTED)
    Page.objects.update(body_html=PLANTED)
    assert "zebra" in client.get("/treatments/peel/").content.decode()
    _assert_every_route_is_clean(client)


def test_html_planted_by_a_fixture_never_reaches_any_route(client, tmp_path):
    _live_site()
    rows = json.loads(serializers.serialize("json", Publication.objects.all()))
    for row in rows:
        _planted(row["fields"]["document"])
    fixture = tmp_path / "planted.json"
    fixture.write_text(json.dumps(rows))
    call_command("loaddata", str(fixture), verbosity=0)
    assert all("onerror" in json.dumps(p.document) for p in Publication.objects.all())
    assert "zebra" in client.get("/about/").content.decode()
    _assert_every_route_is_clean(client)


def test_html_planted_in_a_draft_never_reaches_staff_viewing_it(client):
    """Staff see a page not yet live as its working copy: made from the Markdown afresh,
    so HTML planted in the stored columns is never what they see either."""
    make_treatment(
        "draft-peel",
        status=Treatment.Status.DRAFT,
        sections={"overview": "zebra"},
        faqs=[("Safe?", "zebra")],
    )
    Page.objects.create(title="Draft", slug="draft-page", description="d.", body="zebra")
    Section.objects.update(body_html=PLANTED)
    FAQ.objects.update(answer_html=PLANTED)
    Page.objects.update(body_html=PLANTED)
    client.force_login(User.objects.create_superuser("admin", "a@example.com", "pw"))
    for url in ("/treatments/draft-peel/", "/treatments/draft-peel/faq/", "/draft-page/"):
        html = client.get(url).content.decode()
        assert "zebra" in html, url
        assert 'onerror="alert' not in html, url
        assert "<script>x()" not in html, url
