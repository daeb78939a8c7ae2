"""Attacks on the console's login that the outside attack tried.

Enrolment capture: knowing a new account's initial password must not be
enough to get a working second factor, before or after the real user enrols.
"""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework import enrolment
from casework.models import AuditEvent, EnrolmentToken, StaffProfile
from tests.casework.console_fixtures import *  # noqa: F403
from tests.casework.console_fixtures import (
    CONSOLE,
    ENROL,
    LOGIN,
    REFUSED,
    issue_enrolment_code,
    password_login,
    redeem_enrolment_code,
)

pytestmark = pytest.mark.django_db

_SECRET = re.compile(r'<code class="console-secret" dir="ltr">([A-Z2-7 ]+)</code>')


def _secret(client) -> str | None:
    match = _SECRET.search(client.get(ENROL).content.decode())
    return match[1].replace(" ", "") if match else None


def _confirm(client, secret: str):
    return client.post(ENROL, {"code": pyotp.TOTP(secret).now()})


def test_enrolment__password_alone_shows_no_secret(client, newcomer):
    assert password_login(client, newcomer.user.username)["Location"] == ENROL
    page = client.get(ENROL).content.decode()
    assert "enrolment_code" in page
    assert _SECRET.search(page) is None
    assert not TOTPDevice.objects.filter(user=newcomer.user).exists()
    # Posting a six-digit "confirmation" without a redeemed code does nothing.
    client.post(ENROL, {"code": "123456"})
    assert not TOTPDevice.objects.filter(user=newcomer.user).exists()


def test_enrolment__a_wrong_or_someone_elses_code_is_refused(client, newcomer, officer_karbala):
    from casework.auth import staff_two_factor_reset
    from tests.casework.console_fixtures import make_staff

    admin = make_staff("boss", role=StaffProfile.Role.ADMINISTRATOR, unit_kind=None)
    staff_two_factor_reset(profile=officer_karbala, by=admin)
    other_code = issue_enrolment_code(officer_karbala)
    password_login(client, newcomer.user.username)
    for wrong in ("AAAA-BBBB-CCCC-DDDD", other_code):
        response = client.post(ENROL, {"enrolment_code": wrong})
        assert response.status_code == 200 and REFUSED in response.content.decode()
    assert client.post(ENROL, {"enrolment_code": "x" * 5000}).status_code == 200
    assert _secret(client) is None


def test_enrolment__code_is_single_use(newcomer):
    code = issue_enrolment_code(newcomer)
    first, second = Client(), Client()
    for browser in (first, second):
        password_login(browser, newcomer.user.username)
    assert redeem_enrolment_code(first, newcomer, code)["Location"] == ENROL
    assert REFUSED in redeem_enrolment_code(second, newcomer, code).content.decode()
    assert _secret(first) and _secret(second) is None


def test_enrolment__code_expires(client, newcomer):
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        code = issue_enrolment_code(newcomer)
    with time_machine.travel(dt.datetime(2026, 3, 4, 9, 1, tzinfo=dt.UTC), tick=False):
        password_login(client, newcomer.user.username)
        assert REFUSED in redeem_enrolment_code(client, newcomer, code).content.decode()
        assert _secret(client) is None


def test_enrolment__only_the_hash_is_stored_and_issuing_is_audited(newcomer, administrator):
    code = enrolment.staff_enrolment_issue(profile=newcomer, by=administrator)
    token = EnrolmentToken.objects.get(user=newcomer.user)
    stored = " ".join(str(value) for value in token.__dict__.values())
    assert code not in stored and code.replace("-", "") not in stored
    event = AuditEvent.objects.get(action=AuditEvent.Action.STAFF_ENROLMENT_ISSUED)
    assert event.actor == administrator.user
    assert event.details["staff_profile"] == newcomer.pk
    assert code not in str(event.details)


def test_enrolment__only_an_administrator_may_issue(newcomer, supervisor_cp):
    with pytest.raises(ValidationError) as refused:
        enrolment.staff_enrolment_issue(profile=newcomer, by=supervisor_cp)
    assert refused.value.code == "administrator_required"


def test_enrolment__refused_for_an_enrolled_account(officer_baghdad, administrator):
    with pytest.raises(ValidationError) as refused:
        enrolment.staff_enrolment_issue(profile=officer_baghdad, by=administrator)
    assert refused.value.code == "already_enrolled"


def test_enrolment__a_fresh_secret_per_attempt(newcomer):
    attacker, victim = Client(), Client()
    password_login(attacker, newcomer.user.username)
    redeem_enrolment_code(attacker, newcomer)
    captured = _secret(attacker)
    # The administrator issues a new code to the real staff member.
    password_login(victim, newcomer.user.username)
    redeem_enrolment_code(victim, newcomer)
    real = _secret(victim)
    assert captured and real and captured != real
    assert TOTPDevice.objects.filter(user=newcomer.user).count() == 1
    # The secret the attacker saw is dead: confirming with it fails.
    assert _confirm(attacker, captured).status_code == 200
    assert not TOTPDevice.objects.filter(user=newcomer.user, confirmed=True).exists()
    assert attacker.get(CONSOLE).status_code == 302
    assert _confirm(victim, real).status_code == 200
    assert victim.get(CONSOLE).status_code == 200


def test_enrolment__completing_ends_every_other_pending_session(newcomer):
    attacker, victim = Client(), Client()
    password_login(attacker, newcomer.user.username)
    password_login(victim, newcomer.user.username)
    redeem_enrolment_code(victim, newcomer)
    assert _confirm(victim, _secret(victim)).status_code == 200
    # The attacker's password-only session is gone: back to the login page.
    response = attacker.get(ENROL)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    event = AuditEvent.objects.get(action=AuditEvent.Action.STAFF_ENROLLED)
    assert event.details["other_sessions_ended"] >= 1
    assert victim.get(CONSOLE).status_code == 200


def test_issue_enrolment_command__prints_a_working_code(capsys, newcomer, administrator):
    call_command("issue_enrolment", newcomer.user.username, "--by", administrator.user.username)
    code = capsys.readouterr().out.strip().splitlines()[-1]
    browser = Client()
    password_login(browser, newcomer.user.username)
    assert redeem_enrolment_code(browser, newcomer, code)["Location"] == ENROL
    assert _secret(browser)
    event = AuditEvent.objects.get(action=AuditEvent.Action.STAFF_ENROLMENT_ISSUED)
    assert event.details["via"] == "command"


def test_console_staff_admin__issues_enrolment_codes_shown_once(newcomer, administrator):
    from tests.casework.console_fixtures import full_login

    admin_browser = Client()
    full_login(admin_browser, administrator)
    response = admin_browser.post(
        f"{CONSOLE}casework/staffprofile/",
        {"action": "issue_enrolment_code", "_selected_action": [newcomer.pk]},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    code = re.search(r'<code dir="ltr">([0-9A-Z-]+)</code>', response.content.decode())[1]
    browser = Client()
    password_login(browser, newcomer.user.username)
    assert redeem_enrolment_code(browser, newcomer, code)["Location"] == ENROL
