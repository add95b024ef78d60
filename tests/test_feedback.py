"""'Is this page helpful?': answers and comments from cached pages, without a cookie.

Checked here without a browser (tests/test_feedback_browser.py drives chromium): the
form on every page that asks, the plain posts and the thank-you pages, the JSON the
script reads, the checks that stand in for a CSRF token (origin, signed token,
honeypot, rate limit), what is stored and what is not, retention, the searches that
found nothing, and what staff see.
"""

import datetime
import re
import time
from html import unescape

import pytest
from django.contrib.auth.models import Group, User
from django.core import signing
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from clinic_site.pagecache.pages import STATE_HEADER
from tests.conftest import make_treatment, publish, sign_off
from treatments.models import Feedback, Page, Publication, SiteSettings, UnansweredSearch
from treatments.models.feedback import clean_comment, normalize_query
from treatments.models.workflow import publish_without_review
from treatments.public import feedback as guard

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today().toordinal()
SAME_SITE = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
JSON = {**SAME_SITE, "Accept": "application/json"}
PAGES = {
    "detail": "/treatments/peel/",
    "faq": "/treatments/peel/faq/",
    "before": "/treatments/peel/before/",
    "aftercare": "/treatments/peel/aftercare/",
}


def token_in(html: str, form: str = "feedback/") -> str:
    """The token of the form that posts to ``/<form>``, as the page carries it."""
    found = re.search(
        rf'action="/{re.escape(form)}"[^>]*>\s*<input type="hidden" name="token" value="([^"]*)"',
        html,
    )
    assert found, f"no form posting to /{form}"
    return unescape(found.group(1))


def answer(client, url: str, helpful: str, headers=SAME_SITE, **extra):
    token = token_in(client.get(url).content.decode())
    return client.post("/feedback/", {"token": token, "helpful": helpful, **extra}, headers=headers)


def assert_no_cookie(response):
    assert not response.cookies, response.cookies
    assert "Cookie" not in response.get("Vary", "")


# -- The form on each page ---------------------------------------------------------


@pytest.fixture
def privacy_page(db) -> Page:
    page = Page.objects.create(title="Privacy", slug="privacy", description="d", body="b")
    publish_without_review(page, None)
    return page


@pytest.mark.parametrize("page", PAGES)
def test_every_page_that_asks_carries_the_form_and_sets_no_cookie(
    client, treatment, privacy_page, page
):
    response = client.get(PAGES[page])
    html = response.content.decode()
    assert_no_cookie(response)
    assert "Is this page helpful?" in html
    assert 'class="feedback no-print"' in html  # hidden on paper
    assert 'href="/privacy/"' in html
    publication_id, kind = guard.read_page_token(token_in(html))
    assert kind == page
    assert publication_id == Publication.objects.treatment("peel").pk


def test_a_draft_shown_to_staff_asks_nothing(admin_client, draft):
    html = admin_client.get("/treatments/secret-draft/").content.decode()
    assert "Is this page helpful?" not in html


def test_the_comment_box_says_what_not_to_write_and_who_to_call(client, treatment):
    html = client.get(PAGES["detail"]).content.decode()
    assert "do not write your name or any personal or medical details" in html
    assert "We cannot reply" in html
    assert "ask at your next visit, or call the clinic where you booked" in html
    assert 'maxlength="500"' in html
    SiteSettings.objects.update_or_create(pk=1, defaults={"phone": "020 7946 0000"})
    html = client.get(PAGES["detail"]).content.decode()
    assert 'call us on <a href="tel:02079460000">020 7946 0000</a>' in html


# -- Without JavaScript: plain posts and a thank-you ----------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_yes_is_stored_and_the_thank_you_leads_back(client, treatment, page):
    response = answer(client, PAGES[page], "yes")
    assert response.status_code == 303
    assert_no_cookie(response)
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert_no_cookie(thanks)
    html = thanks.content.decode()
    assert "Thank you for your feedback" in html
    assert f'href="{PAGES[page]}#feedback"' in html
    assert "What was missing or unclear?" not in html
    (feedback,) = Feedback.objects.all()
    publication = Publication.objects.treatment("peel")
    assert (feedback.page, feedback.helpful, feedback.comment) == (page, True, "")
    assert feedback.publication == publication
    assert feedback.content_hash == publication.content_hash
    assert feedback.object_id == treatment.pk
    # The day, never the time.
    assert feedback.day == timezone.localdate()
    assert isinstance(feedback.day, datetime.date)
    assert not isinstance(feedback.day, datetime.datetime)


def test_no_then_a_comment_without_javascript(client, treatment):
    response = answer(client, PAGES["faq"], "no")
    thanks = client.get(response["Location"])
    html = thanks.content.decode()
    assert "What was missing or unclear?" in html
    comment_token = token_in(html, "feedback/comment/")
    sent = client.post(
        "/feedback/comment/",
        {"token": comment_token, "comment": "Nothing about  how long\r\nthe redness lasts."},
        headers=SAME_SITE,
    )
    assert sent.status_code == 303
    assert_no_cookie(sent)
    after = client.get(sent["Location"]).content.decode()
    assert "What was missing or unclear?" not in after
    assert 'href="/treatments/peel/faq/#feedback"' in after
    feedback = Feedback.objects.get()
    assert (feedback.helpful, feedback.comment) == (
        False,
        "Nothing about how long\nthe redness lasts.",
    )
    # The same token cannot change the comment or add another.
    client.post(
        "/feedback/comment/", {"token": comment_token, "comment": "Other"}, headers=SAME_SITE
    )
    assert Feedback.objects.get().comment == "Nothing about how long\nthe redness lasts."


# -- With JavaScript: the same views answer in JSON -----------------------------------


def test_the_script_gets_json_and_a_token_for_the_comment_after_no(client, treatment):
    yes = answer(client, PAGES["detail"], "yes", headers=JSON)
    assert yes.json() == {"ok": True, "token": ""}
    no = answer(client, PAGES["detail"], "no", headers=JSON)
    assert no.json()["ok"] is True
    sent = client.post(
        "/feedback/comment/", {"token": no.json()["token"], "comment": "Prices"}, headers=JSON
    )
    assert sent.json()["ok"] is True
    assert sorted(Feedback.objects.values_list("helpful", "comment")) == [
        (False, "Prices"),
        (True, ""),
    ]


def test_a_comment_is_cut_to_500_characters_and_hidden_characters_go():
    assert len(clean_comment("a" * 900)) == 500
    assert clean_comment("right\u202eto left\u200b and\x00 back") == "rightto left and back"
    assert clean_comment("one\n\n\n\n\ntwo  three ") == "one\n\ntwo three"


# -- A page served from the page cache --------------------------------------------------


def test_a_page_from_the_page_cache_still_takes_feedback(client, treatment):
    first = client.get(PAGES["detail"])
    second = client.get(PAGES["detail"])
    assert (first[STATE_HEADER], second[STATE_HEADER]) == ("miss", "hit")
    assert second.content == first.content  # one copy for everyone: the same token
    assert_no_cookie(second)
    token = token_in(second.content.decode())
    response = client.post("/feedback/", {"token": token, "helpful": "no"}, headers=SAME_SITE)
    assert response.status_code == 303
    assert Feedback.objects.filter(helpful=False).count() == 1
    # Answering changes nothing public: the page is still served from the cache.
    assert client.get(PAGES["detail"])[STATE_HEADER] == "hit"


def test_an_answer_about_a_replaced_version_is_kept_with_that_version(client, treatment):
    old_token = token_in(client.get(PAGES["detail"]).content.decode())
    old = Publication.objects.treatment("peel")
    treatment.summary = "A new summary."
    treatment.save()
    publish(treatment)
    assert Publication.objects.treatment("peel") != old
    client.post("/feedback/", {"token": old_token, "helpful": "yes"}, headers=SAME_SITE)
    assert Feedback.objects.get().publication == old


# -- What stands in for a CSRF token --------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://testserver"},
        {"Referer": "https://evil.example/page/"},
        {},
    ],
    ids=["other-origin", "null-origin", "cross-site", "same-site", "other-referer", "nothing"],
)
def test_a_post_from_anywhere_else_is_refused(client, treatment, headers):
    response = answer(client, PAGES["detail"], "yes", headers=headers)
    assert response.status_code == 403
    assert_no_cookie(response)
    assert not Feedback.objects.exists()


def test_a_post_with_only_a_same_origin_referer_is_taken(client, treatment):
    headers = {"Referer": "http://testserver/treatments/peel/"}
    assert answer(client, PAGES["detail"], "yes", headers=headers).status_code == 303


@pytest.mark.parametrize(
    "token",
    [
        "",
        "forged",
        signing.Signer(salt="another.salt").sign_object([1, "detail", TODAY]),
        signing.Signer(salt=guard.PAGE_SALT).sign_object([999, "detail", TODAY]),
        signing.Signer(salt=guard.PAGE_SALT).sign_object(["1", "nowhere", TODAY]),
        signing.Signer(salt=guard.PAGE_SALT).sign_object([1, "detail"]),
    ],
    ids=["empty", "forged", "other-salt", "no-such-publication", "bad-page", "no-day"],
)
def test_a_post_without_a_token_of_ours_stores_nothing(client, treatment, token):
    response = client.post("/feedback/", {"token": token, "helpful": "yes"}, headers=SAME_SITE)
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_a_token_lasts_its_days_then_is_refused_with_a_way_back(
    client, treatment, monkeypatch, settings
):
    token = token_in(client.get(PAGES["detail"]).content.decode())
    made = timezone.localdate()
    headers = {**SAME_SITE, "Referer": "http://testserver/treatments/peel/"}

    def post_on(day: datetime.date):
        monkeypatch.setattr(guard.timezone, "localdate", lambda: day)
        return client.post("/feedback/", {"token": token, "helpful": "yes"}, headers=headers)

    last_day = made + datetime.timedelta(days=settings.FEEDBACK_TOKEN_MAX_DAYS)
    assert post_on(last_day).status_code == 303
    response = post_on(last_day + datetime.timedelta(days=1))
    assert response.status_code == 400
    html = response.content.decode()
    assert "reload the page and try again" in html
    assert 'href="/treatments/peel/"' in html
    assert Feedback.objects.count() == 1


def test_a_page_made_again_the_same_day_is_the_same_bytes(
    client, treatment, page_cache, monkeypatch
):
    """The token carries the day, not the second: a page made twice is one page, so its
    ETag holds and nothing that compares pages byte for byte sees a change."""
    today = timezone.localdate()
    monkeypatch.setattr(guard.timezone, "localdate", lambda: today)
    first = client.get(PAGES["detail"]).content
    page_cache.clear()
    an_hour_later = time.time() + 60 * 60
    monkeypatch.setattr(time, "time", lambda: an_hour_later)
    assert client.get(PAGES["detail"]).content == first


def test_the_honeypot_is_thanked_and_dropped(client, treatment):
    response = answer(client, PAGES["detail"], "no", website="https://spam.example")
    assert response.status_code == 303
    assert "What was missing" not in client.get(response["Location"]).content.decode()
    assert not Feedback.objects.exists()


def test_a_get_or_a_wrong_answer_stores_nothing(client, treatment):
    assert client.get("/feedback/").status_code == 405
    assert answer(client, PAGES["detail"], "maybe").status_code == 400
    assert not Feedback.objects.exists()


# -- A flood from one client ----------------------------------------------------------


def test_a_flood_of_1000_posts_stores_at_most_the_limit_and_the_site_answers(
    client, treatment, settings
):
    token = token_in(client.get(PAGES["detail"]).content.decode())
    statuses = [
        client.post(
            "/feedback/",
            {"token": token, "helpful": "no"},
            headers=SAME_SITE,
            REMOTE_ADDR="203.0.113.9",
        ).status_code
        for _ in range(1000)
    ]
    assert statuses.count(303) == settings.FEEDBACK_RATE_LIMIT
    assert statuses.count(429) == 1000 - settings.FEEDBACK_RATE_LIMIT
    assert Feedback.objects.count() == settings.FEEDBACK_RATE_LIMIT
    # The site keeps answering, and another patient's answer is still taken.
    assert client.get(PAGES["detail"]).status_code == 200
    other = client.post(
        "/feedback/",
        {"token": token, "helpful": "yes"},
        headers=SAME_SITE,
        REMOTE_ADDR="198.51.100.7",
    )
    assert other.status_code == 303
    assert Feedback.objects.count() == settings.FEEDBACK_RATE_LIMIT + 1


def test_the_limit_refuses_in_plain_words_and_in_json(client, treatment, settings):
    settings.FEEDBACK_RATE_LIMIT = 1
    answer(client, PAGES["detail"], "yes")
    refused = answer(client, PAGES["detail"], "yes")
    assert refused.status_code == 429
    assert "try again later" in refused.content.decode()
    refused = answer(client, PAGES["detail"], "yes", headers=JSON)
    assert refused.status_code == 429
    assert refused.json()["ok"] is False


def test_the_address_is_never_kept_only_a_hash_that_changes_daily(
    client, treatment, rf, monkeypatch, settings
):
    # A memory cache of this test's own, whose keys can be listed, whichever cache the
    # suite runs on (CI runs it on Redis too).
    memory = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "keys"}
    settings.CACHES = {**settings.CACHES, "default": memory}
    answer(client, PAGES["detail"], "yes", REMOTE_ADDR="203.0.113.9")
    cache = caches["default"]
    keys = list(cache._cache)  # noqa: SLF001 - a memory cache has no public key list
    assert any("treatments:feedback:" in key for key in keys)
    assert not any("203.0.113.9" in key for key in keys)
    request = rf.post("/feedback/", REMOTE_ADDR="203.0.113.9")
    today = guard.client_hash(request)
    monkeypatch.setattr(guard.timezone, "localdate", lambda: datetime.date(2030, 1, 2))
    assert guard.client_hash(request) != today
    stored = " ".join(str(v) for v in Feedback.objects.values_list()[0])
    assert "203.0.113.9" not in stored
    assert today not in stored


def test_behind_a_proxy_each_client_has_its_own_limit(client, treatment, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.FEEDBACK_RATE_LIMIT = 2
    token = token_in(client.get(PAGES["detail"]).content.decode())

    def post(forwarded: str) -> int:
        return client.post(
            "/feedback/",
            {"token": token, "helpful": "yes"},
            headers={**SAME_SITE, "X-Forwarded-For": forwarded},
            REMOTE_ADDR="10.0.0.1",
        ).status_code

    assert [post("203.0.113.1") for _ in range(3)] == [303, 303, 429]
    # A client cannot dodge the limit by writing its own entry in front.
    assert post("198.51.100.1, 203.0.113.1") == 429
    assert post("203.0.113.2") == 303


# -- Retention ------------------------------------------------------------------------


def test_retention_deletes_old_comments_and_keeps_the_counts(treatment, settings):
    settings.FEEDBACK_RETENTION_DAYS = 180
    publication = Publication.objects.treatment("peel")
    today = datetime.date.today()
    for days_ago, helpful, comment in [
        (181, False, "old words"),
        (200, True, ""),
        (179, False, "new"),
    ]:
        feedback = Feedback.record(publication, "detail", helpful)
        Feedback.objects.filter(pk=feedback.pk).update(
            day=today - datetime.timedelta(days=days_ago), comment=comment
        )
    UnansweredSearch.objects.create(query="old search", day=today - datetime.timedelta(days=181))
    UnansweredSearch.objects.create(query="new search", day=today - datetime.timedelta(days=1))
    call_command("prune_feedback", verbosity=0)
    assert sorted(Feedback.objects.values_list("helpful", "comment")) == [
        (False, ""),
        (False, "new"),
        (True, ""),
    ]
    assert list(UnansweredSearch.objects.values_list("query", flat=True)) == ["new search"]


# -- Searches that found nothing ------------------------------------------------------


def test_a_search_that_finds_nothing_is_counted_by_day(client, treatment):
    for query in ("Laser  Hair", "laser hair", "LASER HAIR "):
        client.get("/search/", {"q": query})
    client.get("/search/", {"q": "peel"})  # found something
    client.get("/search/", {"q": ""})  # no search at all
    assert list(UnansweredSearch.objects.values_list("query", "count")) == [("laser hair", 3)]
    assert_no_cookie(client.get("/search/", {"q": "tattoo"}))


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  \uff26\uff49\uff4c\uff4c\uff45\uff52\uff53\u200b ", "fillers"),
        ("call me on 07700 900123", ""),
        ("jane@example.com", ""),
        ("???", ""),
        ("x" * 300, "x" * 100),
    ],
)
def test_what_is_kept_of_a_query(typed, kept):
    assert normalize_query(typed) == kept


def test_new_searches_stop_at_a_daily_cap(client, treatment, settings):
    settings.UNANSWERED_SEARCHES_PER_DAY = 3
    for n in range(6):
        client.get("/search/", {"q": f"nothing here {n}"})
    client.get("/search/", {"q": "nothing here 0"})
    assert UnansweredSearch.objects.count() == 3
    assert UnansweredSearch.objects.get(query="nothing here 0").count == 2


# -- What staff see -------------------------------------------------------------------

HOSTILE = (
    '<script>alert("x")</script><a href="https://evil.example">click</a> '
    "<img src=x onerror=alert(1)> https://evil.example/path"
)


@pytest.fixture
def hostile_comment(client, treatment) -> Feedback:
    no = answer(client, PAGES["detail"], "no", headers=JSON)
    client.post(
        "/feedback/comment/", {"token": no.json()["token"], "comment": HOSTILE}, headers=JSON
    )
    feedback = Feedback.objects.get()
    assert feedback.comment == HOSTILE  # stored as typed
    return feedback


def test_hostile_text_is_shown_to_staff_as_inert_text(admin_client, hostile_comment):
    pages = [
        admin_client.get(reverse("admin:treatments_feedback_changelist")),
        admin_client.get(reverse("admin:treatments_feedback_change", args=[hostile_comment.pk])),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "&lt;script&gt;" in html
        assert "<script>alert" not in html
        assert 'href="https://evil.example' not in html
        assert "<img src=x" not in html


def test_the_csv_for_an_assessor_keeps_formulas_inert(admin_client, treatment):
    publication = Publication.objects.treatment("peel")
    Feedback.record(publication, "faq", False).add_comment('=HYPERLINK("https://evil.example")')
    Feedback.record(publication, "detail", True)
    answers = admin_client.get(reverse("admin:treatments_feedback_answers_csv"))
    assert answers["Content-Type"].startswith("text/csv")
    text = answers.content.decode()
    assert "'=HYPERLINK" in text
    assert "\n=" not in text
    assert ",=" not in text
    summary = admin_client.get(reverse("admin:treatments_feedback_summary_csv")).content.decode()
    assert summary.splitlines()[1].startswith("Peel,2,50,")


def _answers(publication, yes: int, no: int, day=None) -> None:
    for helpful in [True] * yes + [False] * no:
        feedback = Feedback.record(publication, "detail", helpful)
        if day is not None:
            Feedback.objects.filter(pk=feedback.pk).update(day=day)


def test_the_summary_gives_90_days_and_since_the_last_sign_off(admin_client, treatment):
    sign_off(treatment, on=datetime.date.today() - datetime.timedelta(days=10))
    publication = Publication.objects.treatment("peel")
    _answers(publication, 1, 3, day=datetime.date.today() - datetime.timedelta(days=30))
    _answers(publication, 3, 1)
    _answers(publication, 5, 0, day=datetime.date.today() - datetime.timedelta(days=120))
    (line,) = Feedback.objects.summary()
    assert (line.recent.yes, line.recent.no, line.recent.helpful_percent) == (4, 4, 50)
    assert (line.since_review.yes, line.since_review.no) == (3, 1)
    html = admin_client.get(reverse("admin:treatments_feedback_changelist")).content.decode()
    assert "50% of 8" in html
    assert "75% of 4 since" in html


def test_mark_as_handled_keeps_who_and_when(client, treatment):
    no = answer(client, PAGES["detail"], "no", headers=JSON)
    client.post(
        "/feedback/comment/", {"token": no.json()["token"], "comment": "Unclear"}, headers=JSON
    )
    editor = User.objects.create_user("ed", password="pw", is_staff=True, first_name="Edna")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    changelist = reverse("admin:treatments_feedback_changelist")
    assert client.get(changelist).status_code == 200
    feedback = Feedback.objects.get()
    response = client.post(
        changelist, {"action": "mark_handled", "_selected_action": [feedback.pk]}, follow=True
    )
    assert response.status_code == 200
    feedback.refresh_from_db()
    assert feedback.handled_by == editor
    assert feedback.handled_at is not None
    assert "By Edna" in client.get(changelist).content.decode()


def test_reviewers_may_read_feedback_and_searches(client, db):
    reviewer = User.objects.create_user("rev", password="pw", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Clinical reviewers"))
    client.force_login(reviewer)
    assert client.get(reverse("admin:treatments_feedback_changelist")).status_code == 200
    assert client.get(reverse("admin:treatments_unansweredsearch_changelist")).status_code == 200
    assert reviewer.has_perm("treatments.change_feedback")
    assert not reviewer.has_perm("treatments.delete_feedback")


def test_a_page_patients_find_unhelpful_needs_attention_in_the_review_queue(
    admin_client, treatment, settings
):
    settings.FEEDBACK_ATTENTION_MIN_ANSWERS = 10
    settings.FEEDBACK_ATTENTION_NO_SHARE = 0.3
    other = make_treatment("laser")
    _answers(Publication.objects.treatment("laser"), 9, 1)  # 10% no: fine
    peel = Publication.objects.treatment("peel")
    _answers(peel, 6, 3)  # 9 answers: too few to judge
    listing = reverse("admin:treatments_treatment_changelist")
    assert "Peel" not in _titles(admin_client.get(listing, {"review": "attention"}))
    _answers(peel, 0, 1)  # 10 answers, 40% no
    assert _titles(admin_client.get(listing, {"review": "attention"})) == ["Peel"]
    # Old answers do not count.
    _answers(Publication.objects.treatment("laser"), 0, 20, day=datetime.date(2020, 1, 1))
    assert _titles(admin_client.get(listing, {"review": "attention"})) == ["Peel"]
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert re.search(r"\?review=attention\">Needs attention[^<]*</a></th><td>1</td>", index)
    assert other.pk


def _titles(response) -> list[str]:
    return re.findall(
        r'<th class="field-title"><a href="[^"]+">([^<]+)</a>', response.content.decode()
    )
