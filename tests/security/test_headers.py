"""Security headers on every response type, whatever produced it.

The outside attack found the root redirect and the 400 for a bad Host header
without CSP, X-Frame-Options and no-store: those responses are made by
middleware, after (or before) the middleware that set the headers had run.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.casework.helpers import console_url

pytestmark = pytest.mark.django_db


def _assert_headers(response, *, cacheable: bool = False) -> None:
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    # same-origin: no referrer ever leaves for another site, and same-origin
    # POSTs carry a real Origin for the cookie-held CSRF check (config/csrf.py).
    assert response["Referrer-Policy"] == "same-origin"
    if not cacheable:
        assert "no-store" in response["Cache-Control"]


def _client() -> Client:
    return Client(raise_request_exception=False)


def test_headers__200():
    response = _client().get("/en/")
    assert response.status_code == 200
    _assert_headers(response)


@pytest.mark.parametrize("path", ["/", "/en/console/"])
def test_headers__302_redirects(path):
    response = _client().get(path)
    assert response.status_code == 302
    _assert_headers(response)


def test_headers__400_for_a_bad_host_header():
    response = _client().get("/en/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    _assert_headers(response)


def test_headers__400_for_bad_input():
    response = _client().get("/en/?q=%00")
    assert response.status_code == 400
    _assert_headers(response)


def test_headers__403_csrf():
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = client.post("/en/follow-up/", {"reference": "x"})
    assert response.status_code == 403
    _assert_headers(response)


def test_headers__404():
    response = _client().get("/en/no-such-page/")
    assert response.status_code == 404
    _assert_headers(response)


def test_headers__405(supervisor_baghdad, console_client, cp_case):
    case = cp_case()
    response = console_client(supervisor_baghdad).post(console_url("casework_case_change", case.pk))
    assert response.status_code == 405
    _assert_headers(response)


def test_headers__429(settings):
    settings.SANAD_FOLLOWUP_CLIENT_MAX_FAILURES = 1
    settings.SANAD_FOLLOWUP_MAX_FAILURES = 1
    client = _client()
    statuses = []
    for _ in range(4):
        response = client.post(
            "/en/follow-up/", {"reference": "SND-AAAA-BBBB", "passphrase": "wrong words"}
        )
        statuses.append(response.status_code)
        if response.status_code == 429:
            break
    assert response.status_code == 429, statuses
    _assert_headers(response)


def test_headers__500(settings):
    settings.ROOT_URLCONF = "tests.security.broken_urls"
    response = _client().get("/broken")
    assert response.status_code == 500
    _assert_headers(response)


def test_headers__static_files_keep_their_cache_but_get_the_rest():
    response = _client().get("/static/css/sanad.css")
    assert response.status_code == 200
    _assert_headers(response, cacheable=True)
    assert "no-store" not in response.get("Cache-Control", "")
    assert b"".join(response.streaming_content)


def test_headers__healthz():
    response = _client().get("/healthz")
    assert response.status_code == 200
    _assert_headers(response)
