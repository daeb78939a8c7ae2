import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/ar/", "/ckb/", "/en/"])
def test_public_pages__carry_security_headers(client, path):
    response = client.get(path, secure=True)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    # Nothing leaves for another site; Sanad's own POSTs carry a real Origin.
    assert response["Referrer-Policy"] == "same-origin"
    assert '<meta name="referrer" content="same-origin">' in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "max-age=" in response["Strict-Transport-Security"]
    assert "no-store" in response["Cache-Control"]


def test_cookies__are_secure_httponly_and_samesite(settings):
    # The flags themselves are asserted on a real response by the report-form
    # tests; here, that production settings turn them all on.
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"


@pytest.mark.django_db
def test_quick_exit__ends_the_session_and_leaves(client, settings):
    session = client.session
    session["followup_case"] = 1
    session.save()
    response = client.get("/ar/exit/")
    assert response.status_code == 302
    assert response["Location"] == settings.SANAD_QUICK_EXIT_URL
    assert "followup_case" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["ar", "ckb", "en"])
def test_quick_exit__button_is_on_every_public_page(client, lang):
    html = client.get(f"/{lang}/").content.decode()
    assert 'class="quick-exit"' in html
    assert f'href="/{lang}/exit/"' in html


def test_media_url__serves_nothing(client, db):
    assert client.get("/no-public-media/anything").status_code == 404
