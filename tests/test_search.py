"""/search/: the database's full-text engine finds what patients ask, in their words.

The cases in search_cases.yaml run against the shipped microneedling page; the other
tests build small treatments of their own. DATABASE_URL decides the engine: SQLite's
FTS5 here, PostgreSQL's full-text search in CI's second run.
"""

import datetime
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import CONTENT_DIR, make_treatment, publish, sign_off
from treatments.models import FAQ, Publication, SearchEntry, SearchSynonym, SiteSettings, Treatment
from treatments.models.workflow import publish_without_review
from treatments.public.search import LIMIT, Query, search
from treatments.public.search.query import Concept, plan, seen
from treatments.public.search.snippets import snippet
from treatments.public.search.spelling import closest, edit_distance
from treatments.public.search.text import MARK_END, MARK_START, plain_text
from treatments.public.views import HOME_GUIDES

CASES = yaml.safe_load((Path(__file__).parent / "search_cases.yaml").read_text())
TOP = 3


# -- What patients ask (search_cases.yaml) ----------------------------------------------


@pytest.fixture(scope="class")
def shipped_content(django_db_setup, django_db_blocker):
    """content/ imported once for all the cases, and rolled back after them (before the
    other tests here make treatments of their own)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("import_content", str(CONTENT_DIR), verbosity=0)
        yield
        transaction.set_rollback(True)


def _place(url: str) -> tuple[str, str]:
    """("faq" or "page", anchor) of a result's address."""
    path, _, anchor = url.partition("#")
    return ("faq" if path.endswith("/faq/") else "page"), anchor


def _is(url: str, expected: str) -> bool:
    where, anchor = _place(url)
    if expected == "page":
        return where == "page" and not anchor
    want_where, _, want_anchor = expected.partition("#")
    if (want_where or "page") != where:
        return False
    return anchor == want_anchor or (where == "page" and anchor.startswith(f"{want_anchor}-"))


def test_the_cases_are_enough_and_well_formed():
    active = [case for case in CASES if not case.get("pending")]
    assert len(active) >= 30
    assert len({case["ask"] for case in CASES}) == len(CASES), "each question once"
    for case in CASES:
        assert set(case) <= {"ask", "expect", "pending"}, case
        assert case["expect"], case


class TestPatientQuestions:
    @pytest.mark.parametrize("case", CASES, ids=[case["ask"] for case in CASES])
    def test_the_answer_is_in_the_top_three(self, shipped_content, db, case):
        if case.get("pending"):
            known = [e.url for e in SearchEntry.objects.all()]
            if not any(_is(url, expected) for url in known for expected in case["expect"]):
                pytest.skip(f"waiting for the copy: {case['pending']}")
        hits = search(Query.parse(case["ask"]))
        top = [hit.url for hit in hits[:TOP]]
        assert any(_is(url, expected) for url in top for expected in case["expect"]), (
            f"{case['ask']!r}: expected one of {case['expect']} in the top {TOP}, got {top}"
        )


def test_the_place_matcher_tells_sections_blocks_answers_and_the_page_apart():
    assert _is("/treatments/m/", "page")
    assert not _is("/treatments/m/#overview", "page")
    assert _is("/treatments/m/#aftercare-the-first-week", "#aftercare")
    assert _is("/treatments/m/#aftercare", "#aftercare")
    assert not _is("/treatments/m/#aftercare", "#aftercare-the-first-week")
    assert not _is("/treatments/m/faq/#aftercare-x", "#aftercare")
    assert _is("/treatments/m/faq/#does-it-hurt", "faq#does-it-hurt")
    assert not _is("/treatments/m/faq/#does-it-hurt-2", "faq#does-it-hurt")


# -- Ranking, links, visibility ---------------------------------------------------------


@pytest.fixture
def pages(db):
    peel = make_treatment(
        "chemical-peel",
        sections={
            "overview": "A peel uses acid.",
            "aftercare": "Avoid the sun for a week.\n\n### Washing\n\nUse cool water & soap.",
        },
        faqs=[("Will my skin peel?", "Often, for a few days."), ("Sun after a peel?", "Avoid it.")],
    )
    needling = make_treatment(
        "microneedling",
        sections={"aftercare": "Keep out of the sun. Peel-off masks can wait."},
        faqs=[("Does microneedling hurt?", "It can feel scratchy.")],
    )
    make_treatment(
        "hidden-peel", status=Treatment.Status.DRAFT, sections={"overview": "Sun and peel."}
    )
    return peel, needling


def _urls(text: str) -> list[str]:
    return [hit.url for hit in search(Query.parse(text))]


def test_headings_rank_above_body_text(pages):
    urls = _urls("peel")
    in_headings = {
        "/treatments/chemical-peel/",
        "/treatments/chemical-peel/faq/#will-my-skin-peel",
        "/treatments/chemical-peel/faq/#sun-after-a-peel",
    }
    assert set(urls[:3]) == in_headings
    assert "/treatments/microneedling/#aftercare" in urls[3:]


def test_a_query_that_is_exactly_a_heading_puts_it_first(pages):
    assert _urls("Chemical peel")[0] == "/treatments/chemical-peel/"
    assert _urls("aftercare")[:2] == [
        "/treatments/chemical-peel/#aftercare",
        "/treatments/microneedling/#aftercare",
    ]


def test_hits_link_to_the_section_sub_heading_or_answer(pages):
    urls = set(_urls("sun"))
    assert "/treatments/chemical-peel/faq/#sun-after-a-peel" in urls
    assert "/treatments/chemical-peel/#aftercare" in urls
    assert "/treatments/microneedling/#aftercare" in urls
    assert _urls("soap") == ["/treatments/chemical-peel/#aftercare-washing"]
    (hit,) = search(Query.parse("soap"))
    assert (hit.heading, hit.where) == ("Washing", "Chemical Peel, Aftercare")


def test_words_need_not_sit_in_one_field_and_stop_words_are_ignored(pages):
    assert _urls("does it hurt")[0] == "/treatments/microneedling/faq/#does-microneedling-hurt"
    # Stemming: "hurting" and "hurts" find "hurt".
    assert _urls("hurting")[0] == "/treatments/microneedling/faq/#does-microneedling-hurt"


def test_drafts_are_never_found(pages):
    assert all(hit.slug != "hidden-peel" for hit in search(Query.parse("peel")))


def _in_two_hours(monkeypatch) -> None:
    later = timezone.now() + datetime.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)


def test_a_scheduled_treatment_is_found_once_its_time_comes(db, monkeypatch):
    in_an_hour = timezone.now() + datetime.timedelta(hours=1)
    make_treatment("laser", sections={"overview": "Light therapy."}, publish_at=in_an_hour)
    # Indexed already, and cached as not found: its time coming needs no save.
    assert SearchEntry.objects.filter(slug="laser").exists()
    assert not search(Query.parse("light therapy"))
    _in_two_hours(monkeypatch)
    assert [hit.slug for hit in search(Query.parse("light therapy"))] == ["laser"]


def test_a_scheduled_change_replaces_the_live_text_only_when_its_time_comes(db, monkeypatch):
    laser = make_treatment("laser", sections={"overview": "Light therapy."})
    laser.sections.filter(kind="overview").update(body="Pulsed beams.")
    section = laser.sections.get(kind="overview")
    section.save()  # renders the HTML again
    laser.publish_at = timezone.now() + datetime.timedelta(hours=1)
    laser.save()
    publish(laser)
    assert _urls("light therapy") == ["/treatments/laser/#overview"]
    assert _urls("pulsed beams") == []
    _in_two_hours(monkeypatch)
    assert _urls("light therapy") == []
    assert _urls("pulsed beams") == ["/treatments/laser/#overview"]


def test_with_sign_off_required_an_unsigned_page_is_never_found(db, settings):
    settings.CLINICAL_SIGNOFF_REQUIRED = False
    laser = make_treatment("laser", sections={"overview": "Light therapy."})
    settings.CLINICAL_SIGNOFF_REQUIRED = True
    assert SearchEntry.objects.filter(slug="laser").exists()
    assert _urls("light therapy") == []
    # Nor offered as a correction.
    assert search(Query.parse("thearpy")).suggestion == ""
    sign_off(laser)
    assert _urls("light therapy") == ["/treatments/laser/#overview"]


def test_matches_are_limited_in_the_database(db):
    treatment = make_treatment(sections={"overview": "Sun."})
    for n in range(LIMIT + 5):
        FAQ.objects.create(treatment=treatment, question=f"Sun question {n}?", answer="Sun.")
    publish(treatment)
    with CaptureQueriesContext(connection) as queries:
        results = search(Query.parse("sun"))
    assert len(results) == LIMIT
    assert results.more
    # No query fetched every match: each one that reads entries names a limit or ids.
    ranked = [q["sql"] for q in queries.captured_queries if "LIMIT" in q["sql"].upper()]
    assert ranked


def test_results_are_cached_until_a_publication_changes(pages):
    search(Query.parse("sun"))
    with CaptureQueriesContext(connection) as queries:
        again = search(Query.parse("Sun!"))
    assert len(queries) == 0
    assert "/treatments/chemical-peel/#aftercare" in [hit.url for hit in again]
    peel = pages[0]
    # A draft is private: deleting a working row changes nothing patients find.
    peel.sections.get(kind="aftercare").delete()
    assert "/treatments/chemical-peel/#aftercare" in _urls("sun")
    publish(peel)
    assert "/treatments/chemical-peel/#aftercare" not in _urls("sun")


def test_a_large_site_ranks_only_entries_with_the_rarer_words(pages, monkeypatch):
    monkeypatch.setattr("treatments.public.search.query.COMMON", 2)
    # "sun" is common here now; "week" is not: only entries that say "week" are ranked.
    assert _urls("sun week") == ["/treatments/chemical-peel/#aftercare"]
    # Every word common: headings only.
    assert set(_urls("sun peel")) == {
        "/treatments/chemical-peel/",
        "/treatments/chemical-peel/faq/#will-my-skin-peel",
        "/treatments/chemical-peel/faq/#sun-after-a-peel",
    }
    # Every word common and in no heading: widened to the text.
    monkeypatch.setattr("treatments.public.search.query.COMMON", 0)
    assert _urls("scratchy") == ["/treatments/microneedling/faq/#does-microneedling-hurt"]


def test_plans_follow_how_often_the_pages_use_each_word():
    sun, week = Concept("sun", ("sun",)), Concept("week", ("week", "seven days"))
    assert plan((sun, week), {"sun": 9, "week": 2}, common=5).required == (week,)
    assert plan((sun, week), {"sun": 2, "week": 2}, common=5).is_wide
    # Common, or matching nothing at all: headings.
    assert plan((sun, week), {"sun": 9}, common=5).headings_only
    assert plan((sun, week), {}, common=5).is_wide
    assert seen(week, {"week": 2, "seven": 1, "days": 7}) == 3


# -- Kept in step with the treatments ---------------------------------------------------


def test_saving_working_rows_changes_nothing_until_published(pages):
    needling = pages[1]
    faq = needling.faqs.get()
    faq.answer = "It can feel prickly."
    faq.save()
    needling.title = "Skin needling"
    needling.save()
    assert _urls("prickly") == []
    assert _urls("scratchy") == ["/treatments/microneedling/faq/#does-microneedling-hurt"]
    publish(needling)
    assert _urls("prickly") == ["/treatments/microneedling/faq/#does-microneedling-hurt"]
    assert _urls("scratchy") == []


def test_renames_taking_off_and_deletion_reach_the_index(pages):
    peel, needling = pages
    peel.slug = "skin-peel"
    peel.save()
    publish(peel)
    assert _urls("acid") == ["/treatments/skin-peel/#overview"]
    # Only the live publication's entries are kept.
    assert set(
        SearchEntry.objects.filter(title="Chemical Peel").values_list("slug", flat=True)
    ) == {"skin-peel"}

    peel.status = Treatment.Status.DRAFT
    peel.save()
    publish_without_review(peel, None)  # a publication that takes it off the site
    assert _urls("acid") == []
    assert not SearchEntry.objects.filter(title="Chemical Peel").exists()
    needling.delete()
    assert not SearchEntry.objects.exists()


def test_a_publication_that_rolls_back_leaves_the_index_as_it_was(pages):
    peel = pages[0]

    def publish_then_fail():
        with transaction.atomic():
            peel.title = "Glow peel"
            peel.save()
            publish(peel)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        publish_then_fail()
    assert search(Query.parse("chemical"))[0].heading == "Chemical Peel"


def test_entries_are_made_from_the_publication_not_the_rows(pages):
    peel = pages[0]
    live = Publication.objects.of(peel).get()
    entries = SearchEntry.objects.filter(publication=live)
    assert {entry.url for entry in entries} >= {
        "/treatments/chemical-peel/",
        "/treatments/chemical-peel/#aftercare",
        "/treatments/chemical-peel/#aftercare-washing",
        "/treatments/chemical-peel/faq/#sun-after-a-peel",
    }
    assert entries.get(url="/treatments/chemical-peel/#aftercare-washing").body == (
        "Use cool water & soap."
    )
    # A publication deleted (a scheduled one replaced, a treatment deleted) takes its
    # entries with it.
    live.delete()
    assert not SearchEntry.objects.filter(slug="chemical-peel").exists()


def test_rebuild_search_index_indexes_published_treatments_only(pages, capsys):
    SearchEntry.objects.all().delete()
    assert _urls("acid") == []
    call_command("rebuild_search_index")
    assert "Indexed" in capsys.readouterr().out
    assert _urls("acid") == ["/treatments/chemical-peel/#overview"]
    assert not SearchEntry.objects.filter(slug="hidden-peel").exists()
    assert set(SearchEntry.objects.values_list("publication_id", flat=True)) == set(
        Publication.objects.values_list("pk", flat=True)
    )


def test_migrate_fills_an_empty_index(pages):
    SearchEntry.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert _urls("acid") == ["/treatments/chemical-peel/#overview"]


# -- Synonyms and typos -----------------------------------------------------------------


def test_synonyms_staff_add_in_the_admin_widen_searches_at_once(admin_client, pages):
    assert _urls("vinegar") == []
    response = admin_client.post(
        "/admin/treatments/searchsynonym/add/", {"phrase": "Vinegar", "means": "acid, peel"}
    )
    assert response.status_code == 302
    assert SearchSynonym.objects.get(phrase="vinegar").alternatives == ["acid", "peel"]
    assert "/treatments/chemical-peel/#overview" in _urls("vinegar")


def test_editors_may_edit_synonyms(db):
    granted = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert {f"{action}_searchsynonym" for action in ("add", "change", "delete", "view")} <= granted


def test_synonyms_shipped_by_the_migration_are_in_place(db):
    shipped = {row.phrase: row.alternatives for row in SearchSynonym.objects.all()}
    assert "isotretinoin" in shipped["roaccutane"]
    assert "warfarin" in shipped["blood thinners"]
    assert "price" in shipped["cost"]
    assert "sunscreen" in shipped["sun cream"]


def test_synonym_phrases_match_plural_or_not(db):
    treatment = make_treatment(sections={"overview": "Tell us about anticoagulants."})
    assert treatment
    assert _urls("blood thinner") == _urls("blood thinners") == ["/treatments/peel/#overview"]


def test_a_typo_is_put_right_and_the_page_says_so(client, pages):
    results = search(Query.parse("microneedeling"))
    assert results.suggestion == "microneedling"
    assert results[0].url == "/treatments/microneedling/"
    html = client.get("/search/", {"q": "microneedeling"}).content.decode()
    assert 'Did you mean <a href="/search/?q=microneedling">microneedling</a>?' in html
    # Words the engine finds as they are (stemmed) are not "corrected".
    assert search(Query.parse("hurts")).suggestion == ""
    assert search(Query.parse("micro needling")).suggestion == "microneedling"


def test_edit_distance_counts_slips_and_stops_early():
    assert edit_distance("microneedeling", "microneedling", 2) == 1
    assert edit_distance("mirconeedling", "microneedling", 2) == 1  # two letters swapped
    assert edit_distance("sun", "sunscreen", 2) == 3
    assert edit_distance("abc", "xyz", 1) == 2
    # Equally close: the same letters swapped beats a more common word.
    assert closest("pian", [("plan", 9), ("pain", 3)]) == "pain"
    assert closest("sone", [("some", 2), ("sore", 9)]) == "sore"
    assert closest("hurt", [("hurt", 1)]) is None
    assert closest("zzzz", [("pain", 1)]) is None


# -- Snippets ---------------------------------------------------------------------------


def test_snippets_keep_list_items_and_headings_apart():
    text = plain_text("<h3 id='x'>Sun</h3><ul><li>Wear a hat</li><li>Use SPF 30</li></ul>")
    assert text == "Sun.\nWear a hat.\nUse SPF 30."
    shown = snippet(text.replace("hat", f"{MARK_START}hat{MARK_END}"))
    assert shown == "… Wear a <mark>hat</mark>. Use SPF 30."
    # A picture's caption is a line of its own, as the figure syntax makes it.
    figure = '<figure><img src="a.svg" alt=""><figcaption>Skin layers</figcaption></figure>'
    assert plain_text(f"{figure}then text") == "Skin layers.\nthen text."


def test_snippets_escape_once_and_mark_safely(db):
    make_treatment(sections={"overview": "Our Q&A: use <b>no</b> scrubs & keep sun off."})
    (hit,) = search(Query.parse("scrubs"))
    assert "<mark>scrubs</mark>" in hit.snippet
    assert "Q&amp;A" in hit.snippet
    assert "&amp;amp;" not in hit.snippet
    assert "<b>" not in hit.snippet
    assert "&lt;b&gt;" in hit.snippet


def test_a_long_sentence_is_cut_between_words_around_the_match():
    long = "word " * 80 + f"{MARK_START}sun{MARK_END} " + "word " * 80
    shown = str(snippet(long.strip(), length=100))
    assert "<mark>sun</mark>" in shown
    assert shown.startswith("… word")
    assert shown.endswith("word …")
    assert len(shown) < 140


# -- The page ---------------------------------------------------------------------------


def test_queries_are_normalised_and_capped():
    query = Query.parse("  Does   it HURT?? " + "x" * 200)
    assert query.truncated
    assert len(query.text) == 100
    assert query.words[:3] == ("does", "it", "hurt")
    assert query.terms[0] == "hurt"
    assert Query.parse("a ! ?").terms == ()


def test_search_page_lists_hits(client, pages):
    html = client.get("/search/", {"q": "hurt"}).content.decode()
    assert "1 result for" in html
    assert 'href="/treatments/microneedling/faq/#does-microneedling-hurt"' in html
    assert "Microneedling, common questions" in html
    html = client.get("/search/", {"q": "scratchy"}).content.decode()
    assert "It can feel <mark>scratchy</mark>." in html


@pytest.mark.parametrize(
    "q",
    [
        *["", "   ", "zzzz", "%", "_", "' OR 1=1 --", '"sun" NEAR', "sun*", "body:sun"],
        *["AND OR NOT", "<script>alert(1)</script>", "x" * 5000, "\u202e", "\x02\x03", "🙂 sun"],
    ],
)
def test_any_query_gets_a_helpful_page(client, pages, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert 'href="/treatments/chemical-peel/"' in html or "result" in html


def test_nothing_found_offers_the_phone_and_the_guides(client, pages):
    html = client.get("/search/", {"q": "tattoo"}).content.decode()
    assert "We found nothing for" in html
    assert "<h2>Ask us</h2>" in html
    assert 'href="/treatments/microneedling/faq/"' in html
    SiteSettings.objects.create(phone="020 7946 0000")
    html = client.get("/search/", {"q": "tattoo"}).content.decode()
    assert 'Call us on <a href="tel:02079460000">020 7946 0000</a>' in html


def test_nothing_found_lists_a_few_guides_and_the_way_to_the_rest(client, db):
    for n in range(HOME_GUIDES + 1):
        make_treatment(f"guide-{n:02d}", sections={})
    html = client.get("/search/", {"q": "tattoo"}).content.decode()
    assert html.count("(<a href=") == HOME_GUIDES
    assert 'href="/treatments/guide-11/"' in html
    assert 'href="/treatments/guide-12/"' not in html
    assert '<a href="/treatments/">See all our treatments</a>' in html


def test_header_links_to_search(client, pages):
    assert 'href="/search/"' in client.get("/").content.decode()
