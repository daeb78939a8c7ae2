"""Hostile input gets the translated 400 page, never a 500 or Django's bare English 400.

Found by the outside attack: a NUL byte in a console list filter, a year out
of range in the list's date filter, a urlencoded POST in a charset it cannot
be decoded in, a 3 MB field.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.casework.helpers import console_url

pytestmark = pytest.mark.django_db

TITLE = "This page could not be opened"


def _assert_bad_request_page(response, *, lang: str = "en") -> None:
    assert response.status_code == 400, response.status_code
    page = response.content.decode()
    assert f'<html lang="{lang}"' in page
    if lang == "en":
        assert TITLE in page
    assert "Bad Request (400)" not in page


@pytest.fixture
def supervisor_client(supervisor_baghdad, console_client, cp_case):
    cp_case()
    client = console_client(supervisor_baghdad)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    "list_name, query",
    [
        ("casework_case_changelist", "?q=%00"),
        ("casework_case_changelist", "?status=%00"),
        ("casework_case_changelist", "?q=a%00b&status=new"),
        ("casework_case_changelist", "?filed_at__year=99999"),
        ("casework_auditevent_changelist", "?q=%00"),
    ],
)
def test_console_list__hostile_filters_get_the_400_page(supervisor_client, list_name, query):
    _assert_bad_request_page(supervisor_client.get(console_url(list_name) + query))


def _public_client_with_token(path: str) -> Client:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    page = client.get(path).content.decode()
    client.defaults["HTTP_X_CSRFTOKEN"] = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', page
    )[1]
    return client


@pytest.mark.parametrize("lang", ["en", "ar", "ckb"])
@pytest.mark.parametrize(
    "body, charset",
    [(b"reference=b", "utf-16"), (b"reference=%FF%FE", "utf-16"), (b"reference=abc", "utf-32")],
)
def test_public_post__undecodable_charset_gets_the_400_page(db, lang, body, charset):
    path = f"/{lang}/follow-up/"
    client = _public_client_with_token(path)
    response = client.post(
        path, data=body, content_type=f"application/x-www-form-urlencoded; charset={charset}"
    )
    _assert_bad_request_page(response, lang=lang)


def test_public_post__a_3mb_field_gets_the_translated_400_page(db):
    client = _public_client_with_token("/en/follow-up/")
    response = client.post(
        "/en/follow-up/",
        data=b"reference=" + b"x" * 3_000_000,
        content_type="application/x-www-form-urlencoded",
    )
    _assert_bad_request_page(response)


def test_public_get__a_nul_byte_gets_the_400_page(db):
    response = Client(raise_request_exception=False).get("/en/advice/?q=%00")
    _assert_bad_request_page(response)


def test_console_post__undecodable_charset_gets_the_400_page(supervisor_client, cp_case):
    case = cp_case()
    response = supervisor_client.post(
        console_url("casework_case_reveal", case.pk),
        data=b"reason=x",
        content_type="application/x-www-form-urlencoded; charset=utf-16",
    )
    _assert_bad_request_page(response)
