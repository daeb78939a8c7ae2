"""Every state-changing URL refuses a forged POST (no CSRF token), public and
console alike, and a refused POST leaves nothing behind: no draft, no session
row, no case, no audit event. The URL lists come from the resolver, so a new
view is covered the day it is added."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.casework.console_fixtures import console_urls, make_staff
from tests.casework.console_fixtures import full_login as console_full_login

pytestmark = pytest.mark.django_db

LANGS = ["ar", "ckb", "en"]
# Quick exit must work from any page, even one whose form token expired: it only
# ends the visitor's own session, which a forger gains nothing from.
ANY_METHOD = {"exit/"}


def _public_paths() -> list[str]:
    """Every pattern of the public site in every language, with sample values."""
    from django.urls.resolvers import LocalePrefixPattern

    from tests.casework.console_fixtures import _sample

    found = []

    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in {"console", "admin"}:
                    continue
                if isinstance(entry.pattern, LocalePrefixPattern):
                    for lang in LANGS:
                        walk(entry.url_patterns, f"{prefix}{lang}/")
                    continue
                walk(entry.url_patterns, prefix + _sample(entry.pattern))
            elif isinstance(entry, URLPattern):
                found.append(prefix + _sample(entry.pattern))

    walk(get_resolver().url_patterns, "")
    return sorted({"/" + path.lstrip("/") for path in found})


def _row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from introspection
            counts[table] = cursor.fetchone()[0]
    return counts


def test_public_site__every_url_refuses_a_post_without_a_token_and_keeps_nothing(
    reference_data,
):
    paths = [p.replace("1/", "what/") if p.endswith("report/1/") else p for p in _public_paths()]
    assert any("/report/send/" in p for p in paths), paths  # the list is real
    before = _row_counts()
    for lang in LANGS:
        for path in paths:
            if not path.startswith(f"/{lang}/") or path.removeprefix(f"/{lang}/") in ANY_METHOD:
                continue
            client = Client(enforce_csrf_checks=True)
            response = client.post(path, {"next": "1", "body": "forged"})
            assert response.status_code in {403, 405}, (path, response.status_code)
    after = _row_counts()
    changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
    assert changed == {}, changed


def test_public_site__a_forged_evidence_upload_creates_no_draft_and_no_session(reference_data):
    before = _row_counts()
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/en/report/evidence/",
        {"files": [__import__("io").BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 64)], "next": "1"},
    )
    assert response.status_code == 403
    assert _row_counts() == before


def test_console__every_url_refuses_a_post_without_a_token(reference_data):
    administrator = make_staff(
        "forged.admin", role="administrator", sex="male", unit_kind=None, governorates=()
    )
    client = Client(enforce_csrf_checks=True)
    # Log in with tokens (a real login), then forge every POST without one.
    login_client = Client()
    console_full_login(login_client, administrator)
    client.cookies = login_client.cookies
    paths = [path for _name, path in console_urls()]
    assert len(paths) > 20, paths
    for path in paths:
        response = client.post(path, {"action": "delete_selected", "_selected_action": "1"})
        assert response.status_code in {403, 405}, (path, response.status_code)
