"""Lighthouse scores of the pages patients land on: at least 95 for performance,
accessibility, best practices and SEO, on its default (a mid-range phone on a slow
mobile network, simulated).

Lighthouse comes from npm (package.json, pinned; ``make test`` installs it) and drives
Debian's chromium (CHROME_PATH). Either missing skips the tests, except under CI=true,
where it fails, as for the other browser tools. Each report is kept in artifacts/ as
``lighthouse-<page>.json``.

The performance score comes from timings, and this machine's cores are shared: a busy
machine only ever makes a page look slower, never faster. Lighthouse slows the CPU 4x
to stand for a mid-range phone, which assumes a host that scores about 1533 on the
benchmark it runs first (its CPU-throttling calculator: 1533 is 4x); a host busy with
other work scores lower and is slowed twice over. So one run at 95 or more passes; after
a run below it, two more follow with the slowdown scaled to the benchmark the previous
run measured, and the median of the three decides, as Lighthouse's guidance on
variability advises.

The search page is marked noindex on purpose (a results page is not for search
engines), which Lighthouse's "is-crawlable" audit counts against SEO; that audit alone
is left out there.
"""

import json
import os
import shutil
import statistics
import subprocess

import pytest

from tests.conftest import CHROMIUM, REPO
from tests.public_site import build_public_site
from tests.tools import require
from treatments.models import SiteSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs of a page that Lighthouse itself may fail (a runtime error) before the test does.
MAX_TOOL_ERRORS = 2
LIGHTHOUSE = REPO / "node_modules" / "lighthouse" / "cli" / "index.js"
ARTIFACTS = REPO / "artifacts"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
MIN_SCORE = 0.95
DEFAULT_SLOWDOWN = 4
REFERENCE_BENCHMARK = 1533


def _slowdown(benchmark: float) -> float:
    """The CPU slowdown that makes a host scoring ``benchmark`` stand for the same phone."""
    return round(
        max(1.0, min(DEFAULT_SLOWDOWN, DEFAULT_SLOWDOWN * benchmark / REFERENCE_BENCHMARK)), 2
    )


@pytest.fixture(scope="session")
def lighthouse() -> list[str]:
    node = shutil.which("node")
    require(node is not None, "node not found: install Debian's npm")
    require(LIGHTHOUSE.exists(), f"{LIGHTHOUSE} not found: run `npm ci` (make test does)")
    require(CHROMIUM.exists(), f"{CHROMIUM} not found: install Debian's chromium package")
    return [node, str(LIGHTHOUSE)]


@pytest.fixture
def site_url(live_server):
    build_public_site()
    SiteSettings.objects.filter(pk=1).update(booking_url="https://booking.example/riverside")
    return live_server.url


def _run(lighthouse: list[str], url: str, report, *extra: str) -> dict:
    """One Lighthouse run's report; a runtime error of the tool comes back as
    ``runtimeError``, whether Lighthouse wrote it into the report or only exited with it."""
    report.unlink(missing_ok=True)
    result = subprocess.run(
        [
            *lighthouse,
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            *extra,
        ],
        env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    if result.returncode != 0 and "Runtime error encountered" in result.stderr:
        # With --output-path, Lighthouse may exit 1 on NO_NAVSTART and the like before
        # it writes the report; the message is on stderr.
        return {"runtimeError": result.stderr.strip()[-500:]}
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(report.read_text())


def _shortfalls(data: dict) -> list[str]:
    """Each weighted audit that lost points, to say why a score is low."""
    lost = []
    for category in data["categories"].values():
        for ref in category["auditRefs"]:
            audit = data["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                lost.append(f"{category['id']}: {ref['id']} {audit['score']}")
    return lost


@pytest.mark.parametrize(
    ("name", "path", "extra"),
    [
        ("home", "/", ()),
        ("treatment", "/treatments/microneedling/", ()),
        ("faq", "/treatments/microneedling/faq/", ()),
        ("search", "/search/?q=sun", ("--skip-audits=is-crawlable",)),
    ],
)
def test_lighthouse_scores_at_least_95(lighthouse, site_url, name, path, extra):
    ARTIFACTS.mkdir(exist_ok=True)
    report = ARTIFACTS / f"lighthouse-{name}.json"
    runs, slowdowns, slowdown, tool_errors = [], [], DEFAULT_SLOWDOWN, 0
    while len(runs) < 3:
        throttling = f"--throttling.cpuSlowdownMultiplier={slowdown}"
        data = _run(lighthouse, site_url + path, report, throttling, *extra)
        if data.get("runtimeError") and tool_errors < MAX_TOOL_ERRORS:
            # Lighthouse lost its own trace (NO_NAVSTART and the like): a fault of the
            # tool on a busy machine, not a score of the page. Run it again.
            tool_errors += 1
            continue
        assert not data.get("runtimeError"), data["runtimeError"]
        runs.append({key: data["categories"][key]["score"] or 0 for key in CATEGORIES})
        slowdowns.append(slowdown)
        if min(runs[0].values()) >= MIN_SCORE:
            break
        slowdown = _slowdown(data["environment"]["benchmarkIndex"])
    scores = {key: statistics.median(run[key] for run in runs) for key in CATEGORIES}
    print(
        f"lighthouse {name} (CPU slowdown {', '.join(map(str, slowdowns))}): "
        + ", ".join(f"{key} {score * 100:.0f}" for key, score in scores.items())
    )
    low = {key: score for key, score in scores.items() if score < MIN_SCORE}
    assert low == {}, (runs, slowdowns, _shortfalls(data))
