"""Static files and the bytes a page costs: a small stylesheet, hashed and compressed files
cached for a year in production, and nothing fetched from another site."""

import json
import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tests.conftest import REPO
from tests.public_site import INDEXABLE_PAGES, OTHER_PAGES, build_public_site

STYLESHEET = REPO / "static" / "css" / "site.css"
# Every page loads it before showing anything: it has to stay small. 15,000 bytes until
# the clinic's details in every footer, the home page's quick facts, the list's pager, the
# treatment page's way back to its contents, its recovery timeline and figures with
# captions (about 4.2 KB with brotli, as served); never above 20,000.
STYLESHEET_MAX_BYTES = 17_500
ONE_YEAR = 365 * 24 * 60 * 60


def test_the_stylesheet_stays_small():
    size = STYLESHEET.stat().st_size
    assert size <= STYLESHEET_MAX_BYTES, f"static/css/site.css is {size} bytes"


class _Resources(HTMLParser):
    """Addresses a browser fetches by itself while loading a page (not links to follow)."""

    LINK_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "apple-touch-icon"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "link" and set(a.get("rel", "").split()) & self.LINK_RELS:
            self.urls.append(a.get("href", ""))
        if tag in {"script", "img", "iframe", "audio", "video", "source", "embed", "track"}:
            self.urls.append(a.get("src", ""))
        for candidates in (a.get("srcset"), a.get("imagesrcset")):
            if candidates:
                self.urls += [c.strip().split()[0] for c in candidates.split(",") if c.strip()]
        if tag == "object":
            self.urls.append(a.get("data", ""))


@pytest.mark.django_db
def test_pages_load_nothing_from_another_site(client, settings):
    settings.SITE_BASE_URL = "https://clinic.example"
    build_public_site()
    for name, url, _ in INDEXABLE_PAGES + OTHER_PAGES:
        parser = _Resources()
        parser.feed(client.get(url).content.decode())
        assert parser.urls, name
        for address in filter(None, parser.urls):
            parts = urlsplit(address)
            assert not parts.netloc or parts.netloc == "clinic.example", (name, address)
            assert parts.scheme in {"", "https"}, (name, address)


def test_stylesheets_import_nothing_from_another_site():
    for stylesheet in (REPO / "static").rglob("*.css"):
        css = stylesheet.read_text()
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css), stylesheet
        assert "@import" not in css, stylesheet


# Collects the static files as a deployment does, then asks for the stylesheet through the
# production middleware (WhiteNoise) in each encoding.
SERVE_STYLESHEET = """
import json, django
django.setup()
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client
url = staticfiles_storage.url("css/site.css")
answers = {}
for encoding in ("br", "gzip", ""):
    r = Client().get(url, secure=True, headers={"Accept-Encoding": encoding})
    answers[encoding or "identity"] = {
        "status": r.status_code,
        "cache_control": r["Cache-Control"],
        "encoding": r.get("Content-Encoding"),
        "bytes": len(b"".join(r.streaming_content)),
    }
print(json.dumps({"url": url, "answers": answers}))
"""


def test_production_serves_hashed_compressed_static_files_cached_for_a_year(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic_site.settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "DJANGO_LOG_LEVEL": "WARNING",
    }

    def run(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    run("manage.py", "collectstatic", "--no-input", "--verbosity", "0")
    served = json.loads(run("-c", SERVE_STYLESHEET).strip().splitlines()[-1])

    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", served["url"])
    answers = served["answers"]
    for encoding, answer in answers.items():
        assert answer["status"] == 200, encoding
        assert "immutable" in answer["cache_control"], encoding
        max_age = int(re.search(r"max-age=(\d+)", answer["cache_control"]).group(1))
        assert max_age >= ONE_YEAR, encoding
    assert answers["br"]["encoding"] == "br"
    assert answers["gzip"]["encoding"] == "gzip"
    assert answers["identity"]["encoding"] is None
    assert answers["br"]["bytes"] < answers["gzip"]["bytes"] < answers["identity"]["bytes"]
