"""Error pages and logs: the site's look, no stack traces, and a request id that ties
the page a patient sees to the one log line staff need."""

import json
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from clinic_site.errors import server_error
from clinic_site.logs import logging_config
from tests.conftest import REPO
from tests.urls_errors import SECRET

pytestmark = pytest.mark.urls("tests.urls_errors")

# Makes a failing request in a fresh process whose database cannot be opened, so the
# 500 page is proven to need none, and prints the response after the process's logs.
FAIL_WITHOUT_DATABASE = """
import json, django
django.setup()
from django.test import Client, override_settings
with override_settings(ROOT_URLCONF="tests.urls_errors"):
    response = Client(raise_request_exception=False).get("/boom/", headers=HEADERS)
print("RESPONSE " + json.dumps({
    "status": response.status_code,
    "headers": dict(response.headers),
    "body": response.content.decode(),
}))
"""


def _fail_in_subprocess(tmp_path, headers: dict | None = None) -> tuple[dict, list[dict]]:
    result = subprocess.run(
        [sys.executable, "-c", f"HEADERS = {headers or {}!r}\n{FAIL_WITHOUT_DATABASE}"],
        cwd=REPO,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "clinic_site.settings.test",
            # A directory that does not exist: any query would fail.
            "DATABASE_URL": f"sqlite:///{tmp_path}/missing/db.sqlite3",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    response = json.loads(lines[-1].removeprefix("RESPONSE "))
    # Everything else on stdout must be a JSON log line.
    logs = [json.loads(line) for line in lines[:-1]]
    return response, logs


def test_an_unhandled_error_shows_the_sites_500_page_with_its_id(tmp_path):
    response, logs = _fail_in_subprocess(tmp_path)
    assert response["status"] == 500
    body = response["body"]
    request_id = response["headers"]["X-Request-ID"]
    # The site's own page (base.html's skip link and header), built without a database.
    assert "Skip to main content" in body
    assert "Sorry, something went wrong on our side" in body
    assert request_id in body
    # Nothing of the error itself.
    assert SECRET not in body
    assert "Traceback" not in body
    assert "ZeroDivisionError" not in body
    assert "could not be rendered" not in json.dumps(logs)


def test_an_unhandled_error_is_logged_once_as_json_with_the_pages_id(tmp_path):
    response, logs = _fail_in_subprocess(tmp_path)
    request_id = response["headers"]["X-Request-ID"]
    with_traceback = [entry for entry in logs if "exception" in entry]
    assert len(with_traceback) == 1, logs
    error = with_traceback[0]
    assert error["level"] == "ERROR"
    assert error["request_id"] == request_id
    assert error["path"] == "/boom/"
    assert "ZeroDivisionError" in error["exception"]
    assert SECRET in error["exception"]
    # And the request itself, with the same id, in the access log.
    access = [entry for entry in logs if entry["logger"] == "clinic_site.request"]
    assert [(a["status_code"], a["request_id"]) for a in access] == [(500, request_id)]


def test_a_proxys_request_id_is_kept_and_a_bad_one_replaced(tmp_path):
    response, logs = _fail_in_subprocess(tmp_path, {"X-Request-ID": "edge-0123456789abcdef"})
    assert response["headers"]["X-Request-ID"] == "edge-0123456789abcdef"
    assert "edge-0123456789abcdef" in response["body"]
    assert {entry["request_id"] for entry in logs} == {"edge-0123456789abcdef"}

    hostile = 'x" onmouseover="alert(1)\n{"level": "CRITICAL"}'
    response, logs = _fail_in_subprocess(tmp_path, {"X-Request-ID": hostile[:60]})
    replaced = response["headers"]["X-Request-ID"]
    assert replaced != hostile[:60]
    assert len(replaced) == 32
    assert {entry["request_id"] for entry in logs} == {replaced}


def test_the_500_page_makes_no_query(rf, django_assert_num_queries, db):
    request = rf.get("/anything/")
    request.request_id = "abc123def456"
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert b"abc123def456" in response.content


def test_the_500_page_still_answers_when_its_template_breaks(rf, settings, tmp_path):
    (tmp_path / "500.html").write_text("{% extends 'no-such-base.html' %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    request = rf.get("/")
    request.request_id = "abc123def456"
    response = server_error(request)
    assert response.status_code == 500
    assert b"abc123def456" in response.content


def test_every_response_carries_a_request_id(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32
    assert first != second


def test_a_bad_host_gets_the_sites_400_page(db):
    response = Client().get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert "We could not understand that request" in html
    assert "Skip to main content" in html
    assert response["X-Request-ID"] in html


def test_forbidden_gets_the_sites_403_page(client, db):
    response = client.get("/forbidden/")
    assert response.status_code == 403
    assert "You do not have permission to see this page" in response.content.decode()


def test_a_form_without_its_csrf_token_gets_a_plain_explanation(db, settings):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/{settings.ADMIN_PATH}login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your form was not sent" in html
    assert "CSRF" not in html  # Django's reason is for the log, not for patients


def test_the_404_page_works_with_the_security_middleware(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Content-Security-Policy" in response
    assert response["X-Request-ID"]
    assert b"Skip to main content" in response.content


def test_a_log_level_that_does_not_exist_is_refused():
    with pytest.raises(ImproperlyConfigured, match="DJANGO_LOG_LEVEL"):
        logging_config("LOUD")
