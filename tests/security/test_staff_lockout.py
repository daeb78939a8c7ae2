"""Staff lockout as a weapon: guesses from one client must not lock the real
staff member out, and repeated guessing backs off and ends at a ceiling."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from casework.models import AuditEvent
from tests.casework.console_fixtures import *  # noqa: F403
from tests.casework.console_fixtures import (
    CONSOLE,
    REFUSED,
    code_login,
    full_login,
    password_login,
    totp,
    totp_device,
)

pytestmark = pytest.mark.django_db

LOCKED = "Too many attempts"
START = dt.datetime(2026, 5, 10, 8, 0, tzinfo=dt.UTC)


def _lockouts(scope: str):
    return AuditEvent.objects.filter(action=AuditEvent.Action.STAFF_LOCKOUT, details__scope=scope)


def test_staff_lockout__attacker_locks_only_their_own_client(officer_baghdad):
    username = officer_baghdad.user.username
    attacker = Client(REMOTE_ADDR="198.51.100.23")
    for _ in range(5):
        assert REFUSED in password_login(attacker, username, "guess").content.decode()
    assert LOCKED in password_login(attacker, username).content.decode()
    # The real officer, from her own phone: password and code, accepted.
    officer = Client(REMOTE_ADDR="203.0.113.7")
    full_login(officer, officer_baghdad)
    assert officer.get(CONSOLE).status_code == 200
    # ... while the attacker's client stays blocked, even with the right password.
    assert LOCKED in password_login(attacker, username).content.decode()
    assert _lockouts("user_client").count() == 1


def test_staff_lockout__repeated_locks_of_a_pair_back_off_exponentially(officer_baghdad):
    username = officer_baghdad.user.username
    attacker = Client(REMOTE_ADDR="198.51.100.23")
    lengths = []
    now = START
    for _round in range(3):
        with time_machine.travel(now, tick=False):
            for _ in range(5):
                password_login(attacker, username, "guess")
        lengths.append(_lockouts("user_client").order_by("sequence").last().details["lock_seconds"])
        seconds = lengths[-1]
        with time_machine.travel(now + dt.timedelta(seconds=seconds - 1), tick=False):
            assert LOCKED in password_login(attacker, username, "guess").content.decode()
        now += dt.timedelta(seconds=seconds + 1)
    assert lengths == [900, 1800, 3600]


def test_staff_lockout__an_account_wide_ceiling_stops_guessing_from_many_clients(
    officer_baghdad, settings
):
    settings.SANAD_CONSOLE_ACCOUNT_MAX_FAILURES = 12
    username = officer_baghdad.user.username
    for number in range(12):
        guesser = Client(REMOTE_ADDR=f"198.51.100.{number + 1}")
        password_login(guesser, username, "guess")
    assert _lockouts("user").count() == 1
    assert _lockouts("user").get().actor == officer_baghdad.user
    newcomer = Client(REMOTE_ADDR="203.0.113.7")
    assert LOCKED in password_login(newcomer, username).content.decode()


def test_staff_lockout__the_ceiling_is_much_higher_than_the_pair_limit(officer_baghdad):
    """Twenty clients each spending their five guesses do not lock the officer out."""
    username = officer_baghdad.user.username
    for number in range(19):
        guesser = Client(REMOTE_ADDR=f"198.51.100.{number + 1}")
        for _ in range(5):
            password_login(guesser, username, "guess")
    assert not _lockouts("user").exists()
    officer = Client(REMOTE_ADDR="203.0.113.7")
    password_login(officer, username)
    code_login(officer, totp(totp_device(officer_baghdad)).now())
    assert officer.get(CONSOLE).status_code == 200
