"""Logs never hold a client address, user agent, POST body or query string."""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import RequestFactory

from config.logging import RedactingExceptionReporterFilter, ScrubRequestFilter

ROOT = Path(__file__).resolve().parents[2]


def test_scrub_filter__drops_request_and_query_from_records():
    request = RequestFactory().post(
        "/ar/follow-up/?ref=SND-1", {"passphrase": "1234"}, REMOTE_ADDR="198.51.100.9"
    )
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        (request.get_full_path(),),
        None,
    )
    record.request = request
    record.status_code = 500
    assert ScrubRequestFilter().filter(record)
    text = record.getMessage()
    assert record.request is None
    assert "ref=" not in text and "198.51.100.9" not in text and "1234" not in text
    assert "/ar/follow-up/" in text


def test_scrub_filter__drops_4xx_request_logging():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/x?name=Layla",), None
    )
    record.status_code = 404
    assert ScrubRequestFilter().filter(record) is False


def test_exception_reporter_filter__hides_post_and_meta():
    request = RequestFactory().post(
        "/en/report/send/", {"narrative": "secret story"}, HTTP_USER_AGENT="PhoneBrowser/1"
    )
    reporter = RedactingExceptionReporterFilter()
    assert "secret story" not in str(reporter.get_post_parameters(request))
    assert reporter.get_safe_request_meta(request) == {}


@pytest.mark.django_db
def test_404__is_not_logged_with_its_query_string(client, caplog):
    caplog.set_level(logging.DEBUG)
    client.get(
        "/en/no-such-page/?name=Layla", HTTP_USER_AGENT="PhoneBrowser/1", REMOTE_ADDR="198.51.100.9"
    )
    assert (
        "Layla" not in caplog.text
        and "198.51.100.9" not in caplog.text
        and "PhoneBrowser" not in caplog.text
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_access_log__has_no_address_agent_or_query(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "SANAD_BIND": f"127.0.0.1:{port}",
        "SANAD_WORKERS": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'g.sqlite3'}",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(100):
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/healthz?name=Layla",
                    headers={"User-Agent": "PhoneBrowser/1"},
                )
                with urllib.request.urlopen(request, timeout=2):  # noqa: S310 - local test server
                    pass
                break
            except urllib.error.HTTPError:
                # /healthz answers 503 on this unmigrated database: it answered.
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    access_lines = [line for line in output.splitlines() if "/healthz" in line]
    assert access_lines, output[-2000:]
    for line in access_lines:
        assert "127.0.0.1" not in line and "Layla" not in line and "PhoneBrowser" not in line
