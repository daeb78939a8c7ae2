"""Form pages cost no database write: a first visit reads, and the CSRF secret
rides in a cookie until a POST needs a session."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from casework.models import Category

WRITES = ("INSERT", "UPDATE", "DELETE")

pytestmark = pytest.mark.django_db


def _writes(queries) -> list[str]:
    return [
        q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)
    ]


@pytest.mark.parametrize(
    "path",
    ["/en/", "/en/report/what/", "/en/report/contact/", "/ar/report/threat/", "/en/follow-up/"],
)
def test_form_page_get__writes_nothing_for_a_first_visit(reference_data, path):
    client = Client(enforce_csrf_checks=True)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, secure=True)
    assert response.status_code == 200
    assert _writes(queries) == []
    # No session (no row, no cookie); forms carry a token for the cookie's secret.
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    if b"csrfmiddlewaretoken" in response.content:
        cookie = response.cookies[settings.CSRF_COOKIE_NAME]
        assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


def test_report_step__first_post_with_the_cookie_token_starts_the_draft(reference_data):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/en/report/what/", secure=True)
    token = page.context["csrf_token"]
    response = client.post(
        "/en/report/what/",
        {"csrfmiddlewaretoken": token, "category": "intimate_images", "next": "1"},
        HTTP_ORIGIN="https://testserver",
        secure=True,
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/report/blackmailer/")
    assert settings.SESSION_COOKIE_NAME in response.cookies  # the session starts here


def test_report_step__post_without_the_cookie_is_refused(reference_data):
    token = Client().get("/en/report/what/", secure=True).context["csrf_token"]
    stranger = Client(enforce_csrf_checks=True)  # never got the cookie
    response = stranger.post(
        "/en/report/what/",
        {"csrfmiddlewaretoken": token, "category": "intimate_images", "next": "1"},
        HTTP_ORIGIN="null",
        secure=True,
    )
    assert response.status_code == 403


def test_report_step_get__reads_categories_once_per_process(reference_data):
    client = Client()
    client.get("/en/report/what/", secure=True)  # fills this process's copy
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/report/what/", secure=True)
    assert response.status_code == 200
    assert "Threats to share my private photos or videos" in response.content.decode()
    assert not [q for q in queries.captured_queries if "casework_category" in q["sql"]]


def test_report_step_get__shows_a_category_saved_in_the_console(reference_data):
    client = Client()
    client.get("/en/report/what/", secure=True)
    Category.objects.create(code="bench_new", name_en="A category added just now", sort_order=99)
    html = client.get("/en/report/what/", secure=True).content.decode()
    assert "A category added just now" in html


def test_report_step_get__radio_options_keep_their_markup(reference_data):
    html = Client().get("/en/report/what/", secure=True).content.decode()
    assert (
        '<label class="choice" for="id_category_0"><input type="radio" name="category" '
        'value="intimate_images" id="id_category_0" required> <span>'
    ) in html
