import re

import pytest

LANGUAGES = [("ar", "rtl"), ("ckb", "rtl"), ("en", "ltr")]


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "direction"), LANGUAGES)
def test_landing__renders_lang_and_dir_per_prefix(client, code, direction):
    response = client.get(f"/{code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'<html lang="{code}" dir="{direction}">', html)


@pytest.mark.django_db
def test_root__redirects_to_arabic_by_default(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/ar/"


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "_direction"), LANGUAGES)
def test_language_switcher__keeps_the_current_page(client, code, _direction):
    response = client.get(f"/{code}/exit/", follow=False)  # any non-landing path
    assert response.status_code == 302
    html = client.get(f"/{code}/").content.decode()
    for other in ("ar", "ckb", "en"):
        assert f'href="/{other}/"' in html


@pytest.mark.django_db
def test_language_switcher__links_point_at_the_same_path_in_each_language(client, rf):
    from django.template import Context, Template

    request = rf.get("/ckb/exit/?secret=do-not-keep")
    from django.utils import translation

    with translation.override("ckb"):
        rendered = Template(
            "{% load sanad %}{% language_links as links %}{% for l in links %}{{ l.url }}|{% endfor %}"
        ).render(Context({"request": request, "LANGUAGE_CODE": "ckb"}))
    assert rendered == "/ar/exit/|/ckb/exit/|/en/exit/|"
    assert "secret" not in rendered


@pytest.mark.django_db
def test_landing__arabic_page_is_translated(client):
    html = client.get("/ar/").content.decode()
    assert "Quick exit" not in html
    assert "497" in html and "131" in html


@pytest.mark.django_db
def test_console__unprefixed_url_redirects_to_the_arabic_console(client):
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"] == "/ar/console/"


@pytest.mark.django_db
def test_language_menu__names_sorani_as_kurdish_sorani(client):
    html = client.get("/ar/").content.decode()
    assert ">کوردی (سۆرانی)</a>" in html
