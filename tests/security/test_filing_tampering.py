"""A draft holding answers no step accepted is not filed: the person is sent
back to the step with the translated error, and nothing typed is lost."""

from __future__ import annotations

import pytest

from casework.models import Case
from reporting.models import ReportDraft
from reporting.services import draft_save_step
from tests.reporting.filing_helpers import write_report

SEND = "/en/report/send/"


@pytest.mark.django_db
def test_report_submit__phone_contact_without_a_phone_is_sent_back_to_the_step(
    client, reference_data
):
    # The contact step refuses it (400) but keeps what was typed; then the
    # person (or a tampered request) goes straight to "Send".
    write_report(
        client,
        contact={"contact_method": "phone", "name": "Nadia", "governorate": "baghdad", "next": "1"},
    )
    response = client.post(SEND)
    assert response.status_code == 302
    assert response["Location"] == "/en/report/contact/?check=1"
    assert not Case.objects.exists()
    assert ReportDraft.objects.count() == 1

    page = client.get(response["Location"]).content.decode()
    assert "Please write a safe phone number, or choose to be contacted by messages only." in page
    assert "Please check this step before sending" in page
    assert "Nadia" in page  # nothing lost


@pytest.mark.django_db
def test_report_submit__a_tampered_draft_value_is_refused(client, reference_data):
    write_report(client)
    draft = ReportDraft.objects.get()
    draft_save_step(draft=draft, step="blackmailer", data={"knows_blackmailer": ["maybe; DROP"]})
    response = client.post(SEND)
    assert response["Location"] == "/en/report/blackmailer/?check=1"
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_report_submit__arabic_error_for_an_arabic_page(client, reference_data):
    write_report(
        client,
        lang="ar",
        contact={"contact_method": "phone", "governorate": "baghdad", "next": "1"},
    )
    response = client.post("/ar/report/send/", follow=True)
    assert response.status_code == 200
    assert response.context["request"].LANGUAGE_CODE == "ar"
    assert response.context["form"].errors["phone"]
    assert not Case.objects.exists()
