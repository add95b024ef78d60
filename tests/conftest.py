"""Shared fixtures: a small factory for treatments and paths to the shipped content."""

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches

from clinic_site.pagecache import invalidation, versions
from tests.tools import require
from treatments.models import FAQ, Reminder, Section, Treatment
from treatments.models.section_kinds import SectionKind
from treatments.models.site_settings import WEEKDAYS
from treatments.models.workflow import (
    content_hash,
    publish_without_review,
    refresh_working_hash,
    sign,
)

REPO = Path(__file__).resolve().parent.parent
CONTENT_DIR = REPO / "content"


def make_treatment(
    slug: str = "peel",
    *,
    status: str = Treatment.Status.PUBLISHED,
    sections: dict[str, str] | None = None,
    faqs: list[tuple[str, str]] | None = None,
    reminders: list[tuple[int, str]] | None = None,
    **fields,
) -> Treatment:
    """A treatment with a body for every section kind unless told otherwise; a published one
    is put live as it is (without clinical review, as the test settings allow)."""
    defaults = {
        "title": slug.replace("-", " ").title(),
        "summary": f"What a {slug} involves.",
        "description": f"What a {slug} is, how to prepare, aftercare, risks and results explained.",
    }
    treatment = Treatment.objects.create(slug=slug, status=status, **{**defaults, **fields})
    if sections is None:
        sections = {kind.value: f"Text about {kind.label.lower()}." for kind in SectionKind}
    for kind, body in sections.items():
        Section.objects.create(treatment=treatment, kind=kind, body=body)
    for position, (question, answer) in enumerate(faqs or [], start=1):
        FAQ.objects.create(treatment=treatment, position=position, question=question, answer=answer)
    for after_days, title in reminders or []:
        Reminder.objects.create(treatment=treatment, after_days=after_days, title=title)
    refresh_working_hash(treatment)
    if status == Treatment.Status.PUBLISHED:
        publish_without_review(treatment, None)
    return treatment


def sign_off(
    subject,
    *,
    name: str = "Dr Test",
    title: str = "Consultant dermatologist",
    on: datetime.date = datetime.date(2026, 11, 1),
):
    """Record a clinician's sign-off of the subject's copy as it is now, and put it live."""
    if isinstance(subject, Treatment):
        refresh_working_hash(subject)
    sign(subject, content_hash(subject), None, "approved", on=on, name=name, title=title)
    return publish_without_review(subject, None)


def hours(days: str, opens: str, closes: str) -> dict[str, datetime.time]:
    """Site settings fields that open the clinic on ``days`` ("monday-friday" or
    "saturday") from ``opens`` to ``closes`` ("09:00")."""
    first, _, last = days.partition("-")
    span = WEEKDAYS[WEEKDAYS.index(first) : WEEKDAYS.index(last or first) + 1]
    times = (datetime.time.fromisoformat(opens), datetime.time.fromisoformat(closes))
    return {
        f"{day}_{word}": time
        for day in span
        for word, time in zip(("opens", "closes"), times, strict=True)
    }


# The usual week of the test clinic: weekdays and Saturday morning.
CLINIC_WEEK = {**hours("monday-friday", "09:00", "18:00"), **hours("saturday", "10:00", "14:00")}


def publish(treatment: Treatment) -> None:
    """Put a treatment's working copy live as it is now, as an editor may in the test
    settings: what a test needs after changing a page's rows directly."""
    refresh_working_hash(treatment)
    publish_without_review(treatment, None)


@pytest.fixture(autouse=True)
def page_cache(request, monkeypatch):
    """Every test starts with empty caches (the page cache, clinic_site/pagecache/).

    A test that uses the database without ``transaction=True`` runs in a transaction that
    is rolled back, never committed, so changed pages would never be marked stale on
    commit: there they are marked at once, and a test that edits a page and reads it
    again sees the edit. Tests with ``transaction=True`` (and the live server's) keep the
    real on-commit rule.
    """
    caches[settings.PAGE_CACHE["CACHE"]].clear()
    caches[settings.PAGE_CACHE["LOCAL_CACHE"]].clear()
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        monkeypatch.setattr(
            invalidation, "after_commit", lambda pages, using: versions.mark_stale(pages)
        )
    return caches[settings.PAGE_CACHE["CACHE"]]


@pytest.fixture
def treatment(db) -> Treatment:
    return make_treatment(
        faqs=[("Does it hurt?", "It can sting a little."), ("How long?", "About an hour.")]
    )


@pytest.fixture
def draft(db) -> Treatment:
    return make_treatment("secret-draft", status=Treatment.Status.DRAFT)


CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# axe-core from npm (package.json, pinned; `make test` installs it).
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_path() -> str:
    """axe-core's script, for the browser tests that run it on a page."""
    require(AXE_JS.exists(), f"{AXE_JS} not found: run `npm ci` (make test does)")
    return str(AXE_JS)


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright. Missing under CI=true is a failure, not a skip."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: install Debian's chromium package"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still synchronous, which Django's async guard cannot tell.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    yield page
    context.close()
