"""The whole journey through Django's test client, in each language:
file with evidence, receipt, practice run, follow-up, messages, more evidence, withdraw."""

import hashlib
import io
import re

import pytest
from django.core.files.storage import storages
from PIL import Image

from casework.crypto import Sealer
from casework.evidence import evidence_open
from casework.models import Case, Evidence, Message
from casework.services import message_send_by_officer

STATUS_WORDS = {"ar": "وصل بلاغك", "ckb": "سکاڵاکەت", "en": "Your report has arrived"}


def png_bytes(color=(200, 30, 30), size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def file_through_the_form(client, lang, *, evidence: bytes, female=False):
    base = f"/{lang}/report"
    assert client.get(f"{base}/").status_code == 200
    assert (
        client.post(
            f"{base}/what/",
            {
                "category": "intimate_images",
                "platform": "whatsapp",
                "narrative": "story",
                "next": "1",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"{base}/blackmailer/",
            {"knows_blackmailer": "yes", "identifiers": "@someone.bad", "next": "1"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"{base}/threat/", {"deadline": "week", "money_demanded": "yes", "next": "1"}
        ).status_code
        == 302
    )
    response = client.post(
        f"{base}/evidence/", {"files": [upload("screenshot.png", evidence)], "next": "1"}
    )
    assert response.status_code == 302, response.content[:500]
    assert (
        client.post(
            f"{base}/safety/",
            {"is_minor": "no", "self_harm": "no", "device_shared": "no", "next": "1"},
        ).status_code
        == 302
    )
    contact = {"contact_method": "messages_only", "governorate": "karbala", "next": "1"}
    if female:
        contact["female_officer"] = "yes"
    assert client.post(f"{base}/contact/", contact).status_code == 302
    assert client.get(f"{base}/check/").status_code == 200
    return client.post(f"{base}/send/", follow=True)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["ar", "ckb", "en"])
def test_journey__file_follow_up_message_evidence_withdraw(client, reference_data, lang):
    original = png_bytes()
    officer = _female_officer()  # on duty before the report arrives: auto-assigned
    receipt = file_through_the_form(client, lang, evidence=original, female=True)
    assert receipt.status_code == 200
    assert "no-store" in receipt["Cache-Control"]
    html = receipt.content.decode()
    reference = re.search(r"SND-[0-9A-Z]{4}-[0-9A-Z]{4}", html).group(0)
    passphrase = receipt.context["passphrase"]
    assert passphrase in html
    assert "story" not in html  # the receipt holds no case details

    case = Case.objects.get(reference=reference)
    assert case.wants_female_officer
    evidence = Evidence.objects.get(case=case)
    with storages["evidence"].open(evidence.storage_name) as handle:
        stored = handle.read()
    assert stored != original and original not in stored
    sealer = Sealer(owner=case.uuid, wrapped_key=case.wrapped_key)
    decrypted = b"".join(evidence_open(evidence=evidence, sealer=sealer))
    assert (
        hashlib.sha256(decrypted).hexdigest()
        == hashlib.sha256(original).hexdigest()
        == evidence.sha256
    )

    # Practice run: wrong, then right.
    wrong = client.post(f"/{lang}/report/receipt/check/", {"passphrase_typed": "1234"})
    assert wrong.status_code == 400
    assert passphrase in wrong.content.decode()
    right = client.post(f"/{lang}/report/receipt/check/", {"passphrase_typed": passphrase})
    assert right.status_code == 200

    # Follow-up: the session key changes at login.
    before = client.session.session_key
    login = client.post(
        f"/{lang}/follow-up/",
        {"reference": reference.lower(), "passphrase": passphrase.replace(" ", "")},
    )
    assert login.status_code == 302
    assert client.session.session_key != before
    page = client.get(f"/{lang}/follow-up/case/").content.decode()
    assert reference in page

    # Messages both ways; the victim sees "Officer", never a name.
    assert (
        client.post(
            f"/{lang}/follow-up/case/message/", {"body": "I am scared, please help"}
        ).status_code
        == 302
    )
    assert case.assigned_officer == officer
    message_send_by_officer(case=case, body="We are working on it. Do not pay.", by=officer)
    page = client.get(f"/{lang}/follow-up/case/").content.decode()
    assert "I am scared, please help" in page and "We are working on it. Do not pay." in page
    assert officer.user.first_name not in page and officer.user.username not in page
    assert Message.objects.filter(case=case).count() == 2

    # More evidence from the follow-up page.
    response = client.post(
        f"/{lang}/follow-up/case/evidence/", {"files": [upload("more.png", png_bytes((0, 0, 255)))]}
    )
    assert response.status_code == 302
    assert Evidence.objects.filter(case=case).count() == 2

    # Withdraw: asked to confirm, then no more officer messages.
    assert client.get(f"/{lang}/follow-up/case/withdraw/").status_code == 200
    assert client.post(f"/{lang}/follow-up/case/withdraw/", {"confirm": "yes"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        message_send_by_officer(case=case, body="hello?", by=officer)
    assert refused.value.code == "case_withdrawn"


def _female_officer():
    from casework.models import Governorate, StaffProfile, Unit
    from casework.services import staff_account_upsert

    return staff_account_upsert(
        username="journey.officer.f",
        first_name="Rasha",
        role=StaffProfile.Role.OFFICER,
        sex="female",
        unit=Unit.objects.get(kind=Unit.Kind.COMMUNITY_POLICE),
        governorates=[Governorate.objects.get(code="karbala")],
    )


@pytest.mark.django_db
def test_journey__validation_error_keeps_every_answer(client, reference_data):
    client.post(
        "/en/report/what/",
        {"category": "hacked_account", "narrative": "kept narrative", "next": "1"},
    )
    response = client.post(
        "/en/report/contact/",
        {"contact_method": "phone", "name": "Nadia", "safe_hours": "mornings", "next": "1"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nadia" in html and "mornings" in html
    assert 'id="error-summary"' in html
    # Going back and forth loses nothing.
    assert "kept narrative" in client.get("/en/report/what/").content.decode()
    assert "Nadia" in client.get("/en/report/contact/").content.decode()


@pytest.mark.django_db
def test_journey__back_button_saves_what_was_typed(client, reference_data):
    client.post("/en/report/what/", {"category": "other", "next": "1"})
    response = client.post(
        "/en/report/blackmailer/", {"identifiers": "@typed.before.back", "back": "1"}
    )
    assert response.status_code == 302 and response["Location"].endswith("/en/report/what/")
    assert "@typed.before.back" in client.get("/en/report/blackmailer/").content.decode()


@pytest.mark.django_db
def test_journey__refused_upload_keeps_the_answers_and_stores_nothing(
    client, reference_data, _evidence_dir
):
    client.post("/en/report/what/", {"category": "other", "narrative": "still here", "next": "1"})
    response = client.post(
        "/en/report/evidence/",
        {"files": [upload("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200)], "next": "1"},
    )
    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()
    assert not any(_evidence_dir.rglob("*.*")) and not [
        p for p in _evidence_dir.rglob("*") if p.is_file()
    ]
    assert Evidence.objects.count() == 0
    assert "still here" in client.get("/en/report/what/").content.decode()


@pytest.mark.django_db
def test_journey__self_harm_answer_shows_help_at_once(client, reference_data):
    client.post("/en/report/what/", {"category": "other", "next": "1"})
    response = client.post("/en/report/safety/", {"self_harm": "yes", "next": "1"}, follow=True)
    assert 'id="self-harm-help"' in response.content.decode()


@pytest.mark.django_db
def test_filing__rate_limited_per_client_with_a_translated_page(client, reference_data, settings):
    settings.SANAD_FILING_LIMIT_PER_CLIENT = 1
    client.post("/ar/report/what/", {"category": "other", "next": "1"})
    assert client.post("/ar/report/send/").status_code == 303
    client.post("/ar/report/what/", {"category": "other", "next": "1"})
    busy = client.post("/ar/report/send/")
    assert busy.status_code == 429
    assert "497" in busy.content.decode()
    assert busy.context["request"].LANGUAGE_CODE == "ar"
    # The draft is kept for later.
    assert client.get("/ar/report/check/").status_code == 200
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_filing__site_wide_limit(client, reference_data, settings):
    settings.SANAD_FILING_LIMIT_SITE = 1
    client.post("/en/report/what/", {"category": "other", "next": "1"})
    assert client.post("/en/report/send/").status_code == 303
    other = type(client)(REMOTE_ADDR="198.51.100.77")
    other.post("/en/report/what/", {"category": "other", "next": "1"})
    assert other.post("/en/report/send/").status_code == 429


@pytest.mark.django_db
def test_followup__session_expires_after_idle_time(client, file_report, settings):
    filed = file_report()
    client.post(
        "/en/follow-up/", {"reference": filed.case.reference, "passphrase": filed.passphrase}
    )
    assert client.get("/en/follow-up/case/").status_code == 200
    session = client.session
    session["followup_seen"] -= settings.SANAD_FOLLOWUP_IDLE_SECONDS + 1
    session.save()
    response = client.get("/en/follow-up/case/")
    assert response.status_code == 302 and response["Location"].endswith("/en/follow-up/")


@pytest.mark.django_db
def test_followup__leave_now_ends_the_session(client, file_report):
    filed = file_report()
    client.post(
        "/en/follow-up/", {"reference": filed.case.reference, "passphrase": filed.passphrase}
    )
    assert client.post("/en/follow-up/leave/").status_code == 302
    assert client.get("/en/follow-up/case/").status_code == 302


@pytest.mark.django_db
def test_followup__session_cookie_is_secure_httponly_samesite(client, file_report):
    filed = file_report()
    response = client.post(
        "/en/follow-up/", {"reference": filed.case.reference, "passphrase": filed.passphrase}
    )
    cookie = response.cookies["sid"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_journey__unanswered_safety_questions_are_fine(client, reference_data):
    client.post("/en/report/what/", {"category": "other", "next": "1"})
    assert client.post("/en/report/safety/", {"next": "1"}).status_code == 302
    assert client.get("/en/report/contact/").status_code == 200
    assert client.get("/en/report/check/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_filing__database_failure_loses_nothing_and_retry_works(
    client, reference_data, monkeypatch
):
    """The database drops in the middle of filing: no half-made case, the draft
    survives, and pressing Send again files it once."""
    from django.db import OperationalError

    import casework.services as services

    client.post(
        "/en/report/what/",
        {"category": "other", "narrative": "kept through the outage", "next": "1"},
    )
    real = services.audit_record

    def failing(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "audit_record", failing)
    client.raise_request_exception = False
    # The translated "try again" page (503), not a 500: the database is away.
    assert client.post("/en/report/send/").status_code == 503
    assert Case.objects.count() == 0
    monkeypatch.setattr(services, "audit_record", real)
    assert "kept through the outage" in client.get("/en/report/what/").content.decode()
    assert client.post("/en/report/send/").status_code == 303
    assert Case.objects.count() == 1
