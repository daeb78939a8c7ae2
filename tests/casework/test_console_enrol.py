"""Enrolment of a new staff member: the secret is shown until it is confirmed,
then never again; backup codes are shown once."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework import enrolment
from casework.models import AuditEvent, BackupCodeDevice, ThrottleCounter
from tests.casework.console_fixtures import *  # noqa: F403
from tests.casework.console_fixtures import (
    CONSOLE,
    ENROL,
    LOGIN,
    REFUSED,
    VERIFY,
    code_login,
    console_urls,
    password_login,
    redeem_enrolment_code,
    totp,
)

pytestmark = pytest.mark.django_db

_SECRET = re.compile(r'<code class="console-secret" dir="ltr">([A-Z2-7 ]+)</code>')
_CODE = re.compile(r"<code>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2})</code>")


def _secret_on(page: str) -> str:
    match = _SECRET.search(page)
    assert match, "no secret on the page"
    return match[1]


def _enrol_page(client, newcomer) -> str:
    assert password_login(client, newcomer.user.username)["Location"] == ENROL
    assert redeem_enrolment_code(client, newcomer)["Location"] == ENROL
    response = client.get(ENROL)
    assert response.status_code == 200
    return response.content.decode()


def _confirm(client, secret: str):
    return client.post(ENROL, {"code": pyotp.TOTP(secret.replace(" ", "")).now()})


def test_console_enrol__shows_a_qr_code_and_the_secret_before_confirmation(client, newcomer):
    page = _enrol_page(client, newcomer)
    device = TOTPDevice.objects.get(user=newcomer.user)
    assert not device.confirmed
    assert _secret_on(page).replace(" ", "") == totp(device).secret
    svg = page[page.index("<svg role=") : page.index("</svg>", page.index("<svg role="))]
    assert 'class="totp-qr"' in svg
    assert "style" not in svg
    assert "http" not in svg
    assert "style=" not in page
    assert "no-store" in client.get(ENROL)["Cache-Control"]


def test_console_enrol__reloading_shows_the_same_secret(client, newcomer):
    first = _secret_on(_enrol_page(client, newcomer))
    assert _secret_on(client.get(ENROL).content.decode()) == first
    assert TOTPDevice.objects.filter(user=newcomer.user).count() == 1


def test_console_enrol__confirmation_verifies_and_shows_backup_codes_once(client, newcomer):
    secret = _secret_on(_enrol_page(client, newcomer))
    response = _confirm(client, secret)
    assert response.status_code == 200
    page = response.content.decode()
    codes = _CODE.findall(page)
    assert len(codes) == 10
    assert secret not in page

    assert TOTPDevice.objects.get(user=newcomer.user).confirmed
    assert BackupCodeDevice.objects.get(user=newcomer.user).remaining == 10
    assert client.get(CONSOLE).status_code == 200
    assert AuditEvent.objects.get(action=AuditEvent.Action.STAFF_LOGIN).details == {
        "method": "enrolment"
    }

    # Never again: not on the enrolment page, not anywhere in the console.
    assert client.get(ENROL).status_code == 302
    for _name, url in console_urls():
        shown = client.get(url, follow=True).content.decode()
        assert secret not in shown and secret.replace(" ", "") not in shown, url
        assert not set(codes) & set(_CODE.findall(shown)), url

    # The codes work at the next login.
    client.post(f"{CONSOLE}logout/")
    assert password_login(client, newcomer.user.username)["Location"] == VERIFY
    assert code_login(client, codes[0])["Location"] == CONSOLE


def test_console_enrol__after_confirmation_the_enrolment_page_sends_you_away(client, newcomer):
    secret = _secret_on(_enrol_page(client, newcomer))
    _confirm(client, secret)
    client.post(f"{CONSOLE}logout/")
    password_login(client, newcomer.user.username)
    response = client.get(ENROL)
    assert response.status_code == 302 and response["Location"] == VERIFY
    with pytest.raises(PermissionDenied):
        enrolment.staff_enrolment_device(request=response.wsgi_request)


def test_console_enrol__a_wrong_code_is_refused_and_counted(client, newcomer):
    secret = _secret_on(_enrol_page(client, newcomer)).replace(" ", "")
    generator = pyotp.TOTP(secret)
    now = time.time()
    accepted = {generator.at(now + drift) for drift in (-30, 0, 30)}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)
    response = client.post(ENROL, {"code": wrong})
    assert REFUSED in response.content.decode()
    assert not TOTPDevice.objects.get(user=newcomer.user).confirmed
    assert ThrottleCounter.objects.filter(key__startswith="console-user:", count=1).exists()
    assert not BackupCodeDevice.objects.exists()
    assert client.get(CONSOLE).status_code == 302


def test_console_enrol__needs_the_password_step(db, reference_data, newcomer):
    response = Client().get(ENROL)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_console_enrol__staff_with_a_device_never_see_enrolment(client, officer_baghdad):
    password_login(client, officer_baghdad.user.username)
    response = client.get(ENROL)
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert not TOTPDevice.objects.filter(user=officer_baghdad.user, confirmed=False).exists()
