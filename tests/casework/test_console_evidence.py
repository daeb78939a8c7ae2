"""Evidence in the console: blurred previews, and originals opened as an audited act."""

from __future__ import annotations

import pytest

from casework.models import AuditEvent, Sex, StaffProfile
from tests.casework.helpers import console_url


@pytest.fixture(autouse=True)
def _cheap_passphrase_hashing(settings):
    settings.SANAD_PASSPHRASE_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@pytest.fixture
def female_request(staff, cp_case, add_evidence, fake_evidence_store):
    """A victim who asked for a female officer, with intimate and ordinary evidence."""
    officer = staff("officer.f", sex=Sex.FEMALE, governorates=["baghdad"])
    case = cp_case(wants_female_officer=True)
    assert case.assigned_officer == officer
    return {
        "case": case,
        "officer": officer,
        "intimate": add_evidence(case, is_intimate=True),
        "ordinary": add_evidence(
            case, is_intimate=False, content_type="application/pdf", kind="pdf"
        ),
        "male_supervisor": staff(
            "sup.m", role=StaffProfile.Role.SUPERVISOR, sex=Sex.MALE, governorates=["baghdad"]
        ),
        "female_supervisor": staff(
            "sup.f", role=StaffProfile.Role.SUPERVISOR, sex=Sex.FEMALE, governorates=["baghdad"]
        ),
        "store": fake_evidence_store,
    }


def _open(client, case, evidence, reason="Preparing the court file"):
    return client.post(
        console_url("casework_case_evidence_open", case.pk, evidence.pk), {"reason": reason}
    )


@pytest.mark.django_db
def test_evidence_open__streams_a_private_attachment_and_audits(female_request, console_client):
    case, evidence = female_request["case"], female_request["intimate"]
    response = _open(console_client(female_request["officer"]), case, evidence)
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == f"ORIGINAL-{evidence.pk}".encode()
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="evidence-{evidence.pk}.jpg"'
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    event = AuditEvent.objects.get(case=case, action=AuditEvent.Action.EVIDENCE_OPENED)
    assert event.details == {"evidence": evidence.pk, "reason": "Preparing the court file"}
    assert event.actor == female_request["officer"].user


@pytest.mark.django_db
def test_evidence_open__needs_post_and_a_reason(female_request, console_client):
    case, evidence = female_request["case"], female_request["intimate"]
    client = console_client(female_request["officer"])
    url = console_url("casework_case_evidence_open", case.pk, evidence.pk)
    assert client.get(url).status_code == 405
    response = _open(client, case, evidence, reason="")
    assert response.status_code == 302
    assert female_request["store"]["open"] == []
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EVIDENCE_OPENED).exists()


@pytest.mark.django_db
def test_evidence_open__is_csrf_protected(female_request):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    officer = female_request["officer"]
    client = Client(enforce_csrf_checks=True)
    device = TOTPDevice.objects.create(user=officer.user, name="csrf", confirmed=True)
    client.force_login(officer.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    response = _open(client, female_request["case"], female_request["intimate"])
    assert response.status_code == 403
    assert female_request["store"]["open"] == []


@pytest.mark.django_db
def test_evidence_open__female_request_keeps_intimate_files_from_male_staff(
    female_request, console_client
):
    case = female_request["case"]
    male = console_client(female_request["male_supervisor"])
    female = console_client(female_request["female_supervisor"])
    assert _open(male, case, female_request["intimate"]).status_code == 403
    assert _open(female, case, female_request["intimate"]).status_code == 200
    # Files not marked as possibly intimate open for any supervisor of the case.
    response = _open(male, case, female_request["ordinary"])
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.pdf"')
    # The page says why the button is missing.
    html = male.get(console_url("casework_case_change", case.pk)).content.decode()
    assert "only female staff may open this file" in html


@pytest.mark.django_db
def test_evidence_preview__blurred_bytes_checked_each_time(female_request, console_client):
    case, evidence = female_request["case"], female_request["intimate"]
    client = console_client(female_request["male_supervisor"])
    url = console_url("casework_case_evidence_preview", case.pk, evidence.pk)
    html = client.get(console_url("casework_case_change", case.pk)).content.decode()
    assert f'<img src="{url}"' in html
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response.content.startswith(b"\xff\xd8")
    assert "no-store" in response["Cache-Control"]
    # Moved out of the supervisor's scope: the same URL is now a 404.
    female_request["male_supervisor"].governorates.set([])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_evidence__of_another_case_is_404(female_request, cp_case, add_evidence, console_client):
    other = cp_case()
    foreign = add_evidence(other)
    client = console_client(female_request["officer"])
    url = console_url("casework_case_evidence_preview", female_request["case"].pk, foreign.pk)
    assert client.get(url).status_code == 404
