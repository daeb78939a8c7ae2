"""CSRF: cookie-held secret, same-origin referrers, Origin: null tolerated."""

import pytest
from django.test import Client


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def _token(client, path="/en/follow-up/"):
    response = client.get(path, secure=True)
    return response.context["csrf_token"]


@pytest.mark.django_db
def test_csrf__null_origin_with_the_cookie_token_is_accepted(csrf_client, reference_data):
    token = str(_token(csrf_client))
    response = csrf_client.post(
        "/en/follow-up/",
        {"csrfmiddlewaretoken": token, "reference": "SND-AAAA-AAAA", "passphrase": "1" * 20},
        HTTP_ORIGIN="null",
        secure=True,
    )
    assert response.status_code == 400  # reached the view: wrong code, not a CSRF failure


@pytest.mark.django_db
def test_csrf__foreign_origin_is_refused(csrf_client, reference_data):
    token = str(_token(csrf_client))
    response = csrf_client.post(
        "/en/follow-up/",
        {"csrfmiddlewaretoken": token, "reference": "SND-AAAA-AAAA", "passphrase": "1" * 20},
        HTTP_ORIGIN="https://evil.example",
        secure=True,
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_csrf__missing_token_is_refused_with_a_translated_page(csrf_client, reference_data):
    response = csrf_client.post(
        "/ar/follow-up/", {"reference": "x"}, HTTP_ORIGIN="null", secure=True
    )
    assert response.status_code == 403
    assert 'dir="rtl"' in response.content.decode()


@pytest.mark.django_db
def test_csrf__token_from_another_session_is_refused(reference_data):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    token = str(_token(first))
    _token(second)
    response = second.post(
        "/en/follow-up/", {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="null", secure=True
    )
    assert response.status_code == 403


def test_csrf_middleware__is_installed(settings):
    from django.utils.module_loading import import_string

    from config.csrf import NoReferrerCsrfViewMiddleware

    installed = [import_string(path) for path in settings.MIDDLEWARE]
    assert NoReferrerCsrfViewMiddleware in installed
    assert not settings.CSRF_USE_SESSIONS
    assert settings.CSRF_COOKIE_NAME.startswith("__Host-")
    assert settings.CSRF_COOKIE_SECURE and settings.CSRF_COOKIE_HTTPONLY
