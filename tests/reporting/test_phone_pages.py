"""Public pages that must help on a phone: the error summary's links land on a
real element, the practice check answers a repeat or a GET with a translated
page, and the review page isolates numbers and handles left-to-right."""

import re

import pytest

from tests.reporting.test_journey import file_through_the_form, png_bytes


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_error_summary__every_link_targets_an_element_on_the_page(client, reference_data, lang):
    client.get(f"/{lang}/report/")
    response = client.post(f"/{lang}/report/what/", {"category": "no-such-category", "next": "1"})
    html = response.content.decode()
    targets = re.findall(r'<div class="error-summary".*?</div>', html, re.S)[0]
    anchors = re.findall(r'href="#([^"]+)"', targets)
    assert anchors, "the refused category must be linked from the summary"
    for anchor in anchors:
        assert f'id="{anchor}"' in html, anchor


@pytest.mark.django_db
def test_practice_check__get_is_a_translated_page_not_an_empty_405(client):
    response = client.get("/ar/report/receipt/check/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    html = response.content.decode()
    assert "انتهى هذا التحقق" in html
    assert 'href="/ar/follow-up/"' in html


@pytest.mark.django_db
def test_practice_check__sent_again_is_a_helpful_page_not_a_bare_404(client, reference_data):
    receipt = file_through_the_form(client, "en", evidence=png_bytes())
    passphrase = receipt.context["passphrase"]
    data = {"passphrase_shown": passphrase, "passphrase_typed": passphrase}
    assert client.post("/en/report/receipt/check/", data).status_code == 200

    again = client.post("/en/report/receipt/check/", data, follow=True)

    assert again.status_code == 200
    assert again.redirect_chain[-1][0].endswith("/en/report/receipt/")
    html = again.content.decode()
    assert passphrase not in html  # checked once, never shown again
    assert 'href="/en/follow-up/"' in html


@pytest.mark.django_db
def test_review_page__isolates_numbers_and_handles(client, reference_data):
    client.get("/ar/report/")
    client.post(
        "/ar/report/what/",
        {"category": "intimate_images", "platform": "whatsapp", "next": "1"},
    )
    client.post(
        "/ar/report/blackmailer/",
        {
            "knows_blackmailer": "yes",
            "identifiers": "+964 770 123 4567\n@ahmed.fake.iq\n٠٧٧٠١٢٣",
            "next": "1",
        },
    )
    html = client.get("/ar/report/check/").content.decode()
    assert '<bdi dir="ltr">+964 770 123 4567</bdi>' in html
    assert '<bdi dir="ltr">@ahmed.fake.iq</bdi>' in html
    assert '<bdi dir="ltr">0770123</bdi>' in html  # Western digits, as stored
    assert 'class="change"' in html
