"""While the database is down, a person gets the translated "try again" page
(503) with the hotlines, never a bare 500: neither the footer's help numbers
nor the session may need the database to render that page."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client

from casework import hotlines
from casework.models import Governorate


def _down(*args, **kwargs):
    raise OperationalError("connection failed: Connection refused")


@pytest.mark.django_db
def test_help_numbers__federal_ones_from_the_code_while_the_database_is_down(monkeypatch):
    monkeypatch.setattr(hotlines.HelpNumber.objects, "filter", _down)
    numbers = hotlines.help_numbers_for()
    assert [line.number for line in numbers] == ["497", "131"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "police"), [("ar", "الشرطة المجتمعية"), ("en", "Community Police")]
)
def test_outage__a_page_with_a_session_answers_try_again_with_the_hotlines(
    monkeypatch, reference_data, lang, police
):
    client = Client(raise_request_exception=False)
    assert client.get(f"/{lang}/report/").status_code == 200
    client.post(f"/{lang}/report/what/", {"category": "other", "next": "1"})  # a session now
    monkeypatch.setattr(SessionStore, "load", _down)
    monkeypatch.setattr(hotlines.HelpNumber.objects, "filter", _down)
    monkeypatch.setattr(Governorate.objects, "all", _down)
    response = client.get(f"/{lang}/report/what/")
    assert response.status_code == 503
    assert response["Retry-After"]
    html = response.content.decode()
    assert 'href="tel:497"' in html and police in html
