"""The console's door: two steps, nothing reachable on a password alone,
codes that cannot be replayed, backup codes kept only as hashes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework import auth
from casework.models import AuditEvent, BackupCodeDevice, StaffSession
from tests.casework.console_fixtures import *  # noqa: F403
from tests.casework.console_fixtures import (
    AUTH_FLOW_URL_NAMES,
    CONSOLE,
    LOGIN,
    LOGOUT,
    REFUSED,
    VERIFY,
    code_login,
    console_urls,
    full_login,
    password_login,
    totp,
    totp_device,
)

pytestmark = pytest.mark.django_db


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


# --- nothing on a password alone ----------------------------------------------------


def test_console_urls__the_walk_finds_the_console():
    names = {name for name, _path in console_urls()}
    # A walk that finds nothing would make the ladder below pass vacuously.
    assert {"index", "password_change", "jsi18n", "backup_codes"} <= names
    assert AUTH_FLOW_URL_NAMES <= names


@pytest.mark.parametrize("method", ["get", "post"])
def test_console_site__password_only_session_reaches_no_console_url(
    client, officer_baghdad, method
):
    assert password_login(client, officer_baghdad.user.username)["Location"].startswith(VERIFY)
    for name, url in console_urls():
        response = getattr(client, method)(url)
        if name in AUTH_FLOW_URL_NAMES:
            # The login flow itself: never the console's content.
            assert b"Site administration" not in response.content, url
            assert b'id="user-tools"' not in response.content, url
            continue
        assert response.status_code != 200, url
        assert _is_login_redirect(response) or response.status_code in {403, 404, 405}, (
            url,
            response.status_code,
        )


def test_console_site__anonymous_reaches_no_console_url(client, officer_baghdad):
    for name, url in console_urls():
        if name in AUTH_FLOW_URL_NAMES:
            continue
        response = client.get(url)
        assert _is_login_redirect(response) or response.status_code in {403, 404}, url


def test_console_site__password_only_newcomer_reaches_only_enrolment(client, newcomer):
    assert password_login(client, newcomer.user.username)["Location"].startswith(f"{CONSOLE}enrol/")
    for name, url in console_urls():
        if name in AUTH_FLOW_URL_NAMES:
            continue
        response = client.get(url)
        assert response.status_code != 200, url


# --- the full login --------------------------------------------------------------------


def test_console_login__password_then_totp_reaches_the_index(client, officer_baghdad):
    full_login(client, officer_baghdad)
    response = client.get(CONSOLE)
    assert response.status_code == 200
    assert b'id="user-tools"' in response.content
    event = AuditEvent.objects.get(action=AuditEvent.Action.STAFF_LOGIN)
    assert event.actor == officer_baghdad.user
    assert event.details == {"method": "totp"}


def test_console_login__password_step_alone_is_not_verified(client, officer_baghdad):
    response = password_login(client, officer_baghdad.user.username)
    assert response.status_code == 302
    assert _is_login_redirect(client.get(CONSOLE))
    # ... and the login page sends a password-only session on to the code step.
    assert client.get(LOGIN)["Location"].startswith(VERIFY)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.STAFF_LOGIN).exists()


def test_console_login__wrong_code_is_refused(client, officer_baghdad):
    password_login(client, officer_baghdad.user.username)
    right = totp(totp_device(officer_baghdad)).now()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = code_login(client, wrong)
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert _is_login_redirect(client.get(CONSOLE))


def test_console_login__same_message_for_unknown_user_wrong_password_and_wrong_code(
    client, officer_baghdad
):
    unknown = password_login(client, "nobody.here").content.decode()
    wrong_password = password_login(client, officer_baghdad.user.username, "wrong").content.decode()
    password_login(client, officer_baghdad.user.username)
    wrong_code = code_login(client, "000000").content.decode()
    for page in (unknown, wrong_password, wrong_code):
        assert REFUSED in page


def test_console_login__replayed_totp_code_is_refused(client, officer_baghdad):
    device = totp_device(officer_baghdad)
    code = totp(device).now()
    password_login(client, officer_baghdad.user.username)
    assert code_login(client, code)["Location"] == CONSOLE
    client.post(LOGOUT)

    password_login(client, officer_baghdad.user.username)
    response = code_login(client, code)
    assert response.status_code == 200
    # Refused, and told why: the same code twice is not a wrong code.
    assert "This code was just used. Wait for the next code" in response.content.decode()
    assert _is_login_redirect(client.get(CONSOLE))


def test_console_login__a_wrong_code_is_not_called_just_used(client, officer_baghdad):
    device = totp_device(officer_baghdad)
    code = totp(device).now()
    password_login(client, officer_baghdad.user.username)
    assert code_login(client, code)["Location"] == CONSOLE
    client.post(LOGOUT)

    password_login(client, officer_baghdad.user.username)
    other = f"{(int(code) + 1) % 1_000_000:06d}"
    page = code_login(client, other).content.decode()
    assert REFUSED in page and "just used" not in page


def test_totp_device__accepts_a_code_once(officer_baghdad):
    # django-otp keeps last_t and accepts only later time steps (verified in
    # django_otp/plugins/otp_totp/models.py: verify(..., min_t=last_t + 1)).
    device = totp_device(officer_baghdad)
    code = totp(device).now()
    assert device.verify_token(code)
    device.refresh_from_db()
    device.throttle_reset()
    assert not device.verify_token(code)


def test_console_login__eastern_arabic_digits_are_accepted(client, officer_baghdad):
    code = totp(totp_device(officer_baghdad)).now()
    eastern = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    password_login(client, officer_baghdad.user.username)
    assert code_login(client, eastern)["Location"] == CONSOLE


def test_console_login__session_key_changes_at_each_step(client, officer_baghdad):
    client.get(LOGIN)
    client.cookies["sid"] = "x" * 32  # a key an attacker could have planted
    password_login(client, officer_baghdad.user.username)
    after_password = client.cookies["sid"].value
    assert after_password != "x" * 32
    code_login(client, totp(totp_device(officer_baghdad)).now())
    assert client.cookies["sid"].value != after_password


def test_console_login__next_is_kept_and_foreign_next_ignored(client, officer_baghdad):
    password = password_login(
        client, officer_baghdad.user.username, next_url=f"{CONSOLE}password_change/"
    )
    assert "next=" in password["Location"]
    response = client.post(password["Location"], {"code": totp(totp_device(officer_baghdad)).now()})
    assert response["Location"] == f"{CONSOLE}password_change/"
    client.post(LOGOUT)

    TOTPDevice.objects.update(last_t=-1)
    password_login(client, officer_baghdad.user.username, next_url="https://evil.example/")
    response = client.post(
        VERIFY + "?next=https://evil.example/", {"code": totp(totp_device(officer_baghdad)).now()}
    )
    assert response["Location"] == CONSOLE


def test_console_login__second_step_expires(client, officer_baghdad, settings):
    settings.SANAD_CONSOLE_SECOND_STEP_SECONDS = 60
    password_login(client, officer_baghdad.user.username)
    session = client.session
    session[auth.SESSION_PASSWORD_STEP_AT] -= 61
    session.save()
    response = code_login(client, totp(totp_device(officer_baghdad)).now())
    assert _is_login_redirect(response)
    # Logged out: the code page is not reachable any more.
    assert _is_login_redirect(client.get(VERIFY))


def test_console_logout__works_for_a_password_only_session_and_only_by_post(
    client, officer_baghdad
):
    password_login(client, officer_baghdad.user.username)
    assert client.get(LOGOUT).status_code == 405
    response = client.post(LOGOUT)
    assert response["Location"] == LOGIN
    assert client.get(VERIFY)["Location"].startswith(LOGIN)
    assert not StaffSession.objects.exists()


def test_console_login__inactive_or_non_staff_accounts_are_refused(client, officer_baghdad):
    user = officer_baghdad.user
    user.is_staff = False
    user.save()
    assert REFUSED in password_login(client, user.username).content.decode()
    user.is_staff = True
    user.is_active = False
    user.save()
    assert REFUSED in password_login(client, user.username).content.decode()


# --- backup codes -----------------------------------------------------------------------


def test_backup_code__works_once(client, officer_baghdad):
    codes = auth.staff_backup_codes_issue(user=officer_baghdad.user)
    assert len(codes) == 10 and len(set(codes)) == 10

    password_login(client, officer_baghdad.user.username)
    response = code_login(client, codes[3])
    assert response["Location"] == CONSOLE
    assert client.get(CONSOLE).status_code == 200
    assert AuditEvent.objects.get(action=AuditEvent.Action.STAFF_LOGIN).details == {
        "method": "backup_code"
    }
    client.post(LOGOUT)

    password_login(client, officer_baghdad.user.username)
    response = code_login(client, codes[3])
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert BackupCodeDevice.objects.get(user=officer_baghdad.user).remaining == 9


def test_backup_code__is_stored_hashed(officer_baghdad):
    codes = auth.staff_backup_codes_issue(user=officer_baghdad.user)
    table = BackupCodeDevice._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - table name from the model
        dump = repr(cursor.fetchall()).upper()
    for code in codes:
        assert code not in dump
        assert code.replace("-", "") not in dump
    assert len(BackupCodeDevice.objects.get().code_hashes) == 10


def test_backup_code__typing_is_forgiving(officer_baghdad):
    codes = auth.staff_backup_codes_issue(user=officer_baghdad.user)
    device = BackupCodeDevice.objects.get(user=officer_baghdad.user)
    sloppy = codes[0].lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert device.verify_token(sloppy)
    assert device.remaining == 9


def test_backup_code__format(officer_baghdad):
    for code in auth.staff_backup_codes_issue(user=officer_baghdad.user):
        assert len(code) == 12 and code[4] == "-" and code[9] == "-"
        assert not set(code.replace("-", "")) - set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def test_backup_codes_issue__replaces_the_old_codes(officer_baghdad):
    old = auth.staff_backup_codes_issue(user=officer_baghdad.user)
    new = auth.staff_backup_codes_issue(user=officer_baghdad.user)
    device = BackupCodeDevice.objects.get(user=officer_baghdad.user)
    assert not device.verify_token(old[0])
    device.throttle_reset()
    assert device.verify_token(new[0])


def test_console_login__plain_text_static_tokens_are_never_accepted(client, officer_baghdad):
    static = StaticDevice.objects.create(user=officer_baghdad.user, name="legacy")
    StaticToken.objects.create(device=static, token="legacy12")
    password_login(client, officer_baghdad.user.username)
    response = code_login(client, "legacy12")
    assert REFUSED in response.content.decode()
    assert StaticToken.objects.filter(token="legacy12").exists()


def test_console_backup_codes__renewal_needs_an_authenticator_code(client, officer_baghdad):
    old = auth.staff_backup_codes_issue(user=officer_baghdad.user)
    full_login(client, officer_baghdad)
    page = client.get(f"{CONSOLE}backup-codes/")
    assert page.status_code == 200
    assert "10 unused backup codes" in page.content.decode()

    refused = client.post(f"{CONSOLE}backup-codes/", {"code": old[0]})
    assert REFUSED in refused.content.decode()

    TOTPDevice.objects.update(last_t=-1, throttling_failure_count=0)
    made = client.post(
        f"{CONSOLE}backup-codes/", {"code": totp(totp_device(officer_baghdad)).now()}
    )
    html = made.content.decode()
    device = BackupCodeDevice.objects.get(user=officer_baghdad.user)
    shown = [code for code in _codes_in(html)]
    assert len(shown) == 10
    assert device.verify_token(shown[0])
    assert not device.verify_token(old[1])


def _codes_in(html: str) -> list[str]:
    import re

    return re.findall(r"<code>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2})</code>", html)


# --- pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("ckb", "rtl"), ("en", "ltr")])
def test_console_login__page_in_each_language(client, db, lang, direction):
    response = client.get(f"/{lang}/console/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'lang="{lang}" dir="{direction}"' in html
    for code in ("ar", "ckb", "en"):
        assert f'href="/{code}/console/login/"' in html
    assert "style=" not in html
    assert "<script>" not in html
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_console_index__carries_language_links(client, officer_baghdad):
    full_login(client, officer_baghdad)
    html = client.get(CONSOLE).content.decode()
    assert 'href="/ar/console/"' in html and 'href="/ckb/console/"' in html
    assert f'href="{CONSOLE}backup-codes/"' in html


def test_console_pages__send_no_referrer_to_other_sites(client, officer_baghdad):
    # Forms still work in a real browser under it (tests/e2e/test_console_login.py).
    assert client.get(LOGIN)["Referrer-Policy"] == "same-origin"
    password_login(client, officer_baghdad.user.username)
    assert client.get(VERIFY)["Referrer-Policy"] == "same-origin"
    code_login(client, totp(totp_device(officer_baghdad)).now())
    for url in (CONSOLE, f"{CONSOLE}password_change/", f"{CONSOLE}backup-codes/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Referrer-Policy"] == "same-origin", url


def test_staff_login_code__refused_without_a_fresh_password_step(rf, officer_baghdad):
    from importlib import import_module

    from django.conf import settings

    device = totp_device(officer_baghdad)
    request = rf.post(VERIFY)
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    request.user = officer_baghdad.user
    result = auth.staff_login_code(request=request, code=totp(device).now())
    assert result.outcome == auth.LoginOutcome.INVALID
    device.refresh_from_db()
    assert device.last_t == -1  # the code was not even tried
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.STAFF_LOGIN).exists()


def test_staff_session_index__keeps_live_sessions_and_drops_gone_ones(officer_baghdad):
    from django.contrib.sessions.models import Session
    from django.test import Client

    first, second = Client(), Client()
    full_login(first, officer_baghdad)
    first_key = first.cookies["sid"].value
    # An old but live session stays indexed, whatever its age.
    StaffSession.objects.filter(session_key=first_key).update(
        created_at=timezone.now() - dt.timedelta(days=30)
    )
    full_login(second, officer_baghdad)
    assert StaffSession.objects.filter(session_key=first_key).exists()
    # A session that is gone is dropped at the next login.
    Session.objects.filter(session_key=first_key).delete()
    full_login(Client(), officer_baghdad)
    assert not StaffSession.objects.filter(session_key=first_key).exists()
    assert StaffSession.objects.filter(user=officer_baghdad.user).count() == 2
