"""Console login throttling: per username and client, per client, and per
username overall, checked before any password is hashed; one officer's lockout
never locks anyone else (tests/security/test_staff_lockout.py: the attacker's
client is locked, not the staff member)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from casework import auth
from casework.models import AuditEvent, ThrottleCounter
from tests.casework.console_fixtures import *  # noqa: F403
from tests.casework.console_fixtures import (
    CONSOLE,
    REFUSED,
    VERIFY,
    code_login,
    full_login,
    password_login,
    totp,
    totp_device,
)

pytestmark = pytest.mark.django_db

LOCKED = "Too many attempts"


def _lockouts(**details):
    return AuditEvent.objects.filter(action=AuditEvent.Action.STAFF_LOCKOUT, **details)


@pytest.fixture
def hashing_calls(monkeypatch):
    """Counts every call that would hash a password."""
    calls = []
    real = auth.authenticate

    def counting(*args, **kwargs):
        calls.append(kwargs.get("username"))
        return real(*args, **kwargs)

    monkeypatch.setattr(auth, "authenticate", counting)
    return calls


def test_console_login__five_wrong_passwords_lock_the_username_even_for_the_right_one(
    client, officer_baghdad
):
    username = officer_baghdad.user.username
    for attempt in range(5):
        page = password_login(client, username, "wrong password").content.decode()
        assert REFUSED in page, attempt
    response = password_login(client, username)
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert client.get(VERIFY)["Location"].startswith(f"{CONSOLE}login/")

    event = _lockouts().get()
    assert event.details == {"scope": "user_client", "lock_seconds": 900}
    assert event.actor == officer_baghdad.user
    assert event.actor_label == "system"


def test_console_login__lock_check_comes_before_password_hashing(
    client, officer_baghdad, hashing_calls
):
    username = officer_baghdad.user.username
    for _ in range(5):
        password_login(client, username, "wrong password")
    assert len(hashing_calls) == 5
    for _ in range(3):
        assert LOCKED in password_login(client, username).content.decode()
    assert len(hashing_calls) == 5


def test_console_login__an_overlong_password_is_never_hashed(
    client, officer_baghdad, hashing_calls
):
    response = password_login(client, officer_baghdad.user.username, "x" * 100_000)
    assert response.status_code == 200
    assert hashing_calls == []


def test_console_login__one_officers_lockout_does_not_lock_another(
    client, officer_baghdad, officer_karbala
):
    for _ in range(6):
        password_login(client, officer_baghdad.user.username, "wrong password")
    # Same browser, same address: only the locked username is refused.
    full_login(client, officer_karbala)
    assert client.get(CONSOLE).status_code == 200


def test_console_login__username_case_does_not_buy_more_guesses(client, officer_baghdad):
    username = officer_baghdad.user.username
    for variant in (username, username.upper(), username.title(), username, username.upper()):
        password_login(client, variant, "wrong password")
    assert LOCKED in password_login(client, username).content.decode()


def test_console_login__wrong_codes_count_towards_the_lock(client, officer_baghdad):
    device = totp_device(officer_baghdad)
    right = totp(device).now()
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    for _ in range(5):
        # Knowing the password does not reset the count: the code guesses add up.
        password_login(client, officer_baghdad.user.username)
        assert REFUSED in code_login(client, wrong).content.decode()
    password_login(client, officer_baghdad.user.username)
    assert LOCKED in password_login(client, officer_baghdad.user.username).content.decode()
    assert _lockouts(details__scope="user_client").count() == 1


def test_console_login__right_code_is_refused_while_locked(client, officer_baghdad):
    password_login(client, officer_baghdad.user.username)
    for _ in range(5):
        code_login(client, "not a code")
    response = code_login(client, totp(totp_device(officer_baghdad)).now())
    assert LOCKED in response.content.decode()
    assert client.get(CONSOLE).status_code == 302


def test_console_login__a_completed_login_clears_the_count(client, officer_baghdad):
    username = officer_baghdad.user.username
    for _ in range(4):
        password_login(client, username, "wrong password")
    full_login(client, officer_baghdad)
    client.post(f"{CONSOLE}logout/")
    for _ in range(4):
        assert REFUSED in password_login(client, username, "wrong password").content.decode()
    assert not _lockouts().exists()


def test_console_login__lock_ends_after_fifteen_minutes(client, officer_baghdad):
    for _ in range(5):
        password_login(client, officer_baghdad.user.username, "wrong password")
    ThrottleCounter.objects.update(
        locked_until=timezone.now() - dt.timedelta(seconds=1),
        window_started_at=timezone.now() - dt.timedelta(minutes=16),
    )
    full_login(client, officer_baghdad)


def test_console_login__a_client_guessing_many_usernames_is_locked(
    officer_baghdad, officer_karbala, settings
):
    settings.SANAD_CONSOLE_CLIENT_MAX_FAILURES = 8
    guesser = Client(REMOTE_ADDR="198.51.100.23")
    for number in range(8):
        password_login(guesser, f"guess.{number}", "wrong password")
    assert LOCKED in password_login(guesser, officer_karbala.user.username).content.decode()
    assert _lockouts(details__scope="client").count() == 1
    # Officers elsewhere are not affected.
    full_login(Client(REMOTE_ADDR="203.0.113.5"), officer_karbala)


def test_console_login__lockout_of_an_unknown_username_names_nobody(client, db, reference_data):
    for _ in range(5):
        password_login(client, "no.such.person", "wrong password")
    event = _lockouts().get()
    assert event.actor is None
    assert event.details == {"scope": "user_client", "lock_seconds": 900}


def test_console_login__throttle_keeps_no_username_or_address(officer_baghdad):
    guesser = Client(REMOTE_ADDR="198.51.100.23")
    password_login(guesser, officer_baghdad.user.username, "wrong password")
    keys = " ".join(ThrottleCounter.objects.values_list("key", flat=True))
    assert keys
    assert officer_baghdad.user.username not in keys
    assert "198.51.100.23" not in keys
    for event in AuditEvent.objects.all():
        assert "198.51.100.23" not in str(event.details)
