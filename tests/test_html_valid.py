"""Every kind of public page is valid HTML by the Nu HTML Checker (vnu.jar).

The pages crawlers index, the 404 and 410 pages, the printable care sheets, a search
results page and a later page of the list of treatments, with the treatment page showing
its drawing and recovery timeline.

The pages are rendered through the test client into a temporary folder and checked
in one JVM call, because the checker takes seconds to start. A page known to be
invalid goes along with them, so a checker that silently reports nothing cannot
pass the test.

vnu.jar comes from npm (package.json, installed by ``make test``) and needs Java.
Either missing skips the test, except under CI=true, where it fails.
"""

import json
import shutil
import subprocess
import time

import pytest

from tests.conftest import REPO
from tests.public_site import OTHER_PAGES, PUBLIC_PAGES
from tests.tools import require
from tests.ui_site import UI_PAGES, build_ui_site

pytestmark = pytest.mark.django_db

VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# A title may not be empty and a <p> cannot hold a <div>: two errors vnu must report.
INVALID_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title></title></head>'
    "<body><p><div>x</div></p></body></html>"
)


@pytest.fixture
def vnu() -> list[str]:
    java = shutil.which("java")
    require(java is not None, "java not found: install Debian's default-jre-headless")
    require(VNU_JAR.exists(), f"{VNU_JAR} not found: run `npm ci` (make test does)")
    return [java, "-jar", str(VNU_JAR)]


def test_every_public_page_is_valid_html(client, vnu, tmp_path):
    build_ui_site()
    files = []
    for name, url, status in PUBLIC_PAGES + OTHER_PAGES + UI_PAGES:
        response = client.get(url)
        assert response.status_code == status, url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(path)
    control = tmp_path / "known-invalid.html"
    control.write_text(INVALID_PAGE)

    started = time.monotonic()
    result = subprocess.run(
        [*vnu, "--stdout", "--format", "json", *map(str, files), str(control)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    seconds = time.monotonic() - started
    messages = json.loads(result.stdout)["messages"]

    def problems(path, kinds) -> list[str]:
        return [
            f"{m.get('lastLine', '?')}: {m['message']} [{m.get('extract', '').strip()}]"
            for m in messages
            if m.get("url", "").endswith(f"/{path.name}") and m["type"] in kinds
        ]

    assert len(problems(control, {"error"})) >= 2, "vnu did not report the known errors"
    errors = {path.stem: problems(path, {"error", "non-document-error"}) for path in files}
    warnings = sum(
        1 for m in messages if m.get("subType") == "warning" and control.name not in m["url"]
    )
    print(
        f"vnu: {len(files)} pages, {sum(map(len, errors.values()))} errors, "
        f"{warnings} warnings, {seconds:.1f} s"
    )
    assert {page: found for page, found in errors.items() if found} == {}
