"""Demo accounts have public passwords and TOTP secrets: they never work outside a demo.

The suite runs on production settings (DEBUG off), as the attack did.
"""

from __future__ import annotations

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from casework import demo
from casework.models import Case, DemoAccount, StaffProfile
from tests.casework.console_fixtures import CONSOLE, LOGIN, REFUSED, VERIFY, make_staff

pytestmark = pytest.mark.django_db
ACK = "--i-understand-this-is-a-demo"


def _seed(*extra):
    call_command("seed_demo", "--quiet-logins", "--without-history", *extra)


def _demo_login(client, username: str):
    """Both steps with the public demo secrets; returns the password step's response."""
    first = client.post(LOGIN, {"username": username, "password": demo.DEMO_PASSWORD})
    code = pyotp.TOTP(demo.demo_totp_base32(username)).now()
    client.post(VERIFY, {"code": code})
    return first


def test_seed_demo__refuses_under_production_settings(settings):
    assert not settings.DEBUG
    with pytest.raises(CommandError, match="SANAD_DEBUG=1"):
        _seed()
    assert not get_user_model().objects.exists()
    assert not StaffProfile.objects.exists()


def test_seed_demo__acknowledged_still_refuses_when_real_cases_exist(settings, file_report):
    file_report()
    with pytest.raises(CommandError, match="real cases"):
        _seed(ACK)
    assert not DemoAccount.objects.exists()


def test_seed_demo__acknowledged_never_resets_a_real_account_with_a_demo_username(
    settings, reference_data
):
    real = make_staff("admin", role=StaffProfile.Role.ADMINISTRATOR, unit_kind=None)
    password_hash = real.user.password
    with pytest.raises(CommandError, match="real account"):
        _seed(ACK)
    real.user.refresh_from_db()
    assert real.user.password == password_hash


def test_seed_demo__acknowledged_seeds_but_demo_logins_stay_refused_without_demo_mode(
    client, settings
):
    _seed(ACK)
    assert DemoAccount.objects.count() == len(demo.DEMO_STAFF)
    assert Case.objects.filter(demo_mark__isnull=True).count() == 0
    response = _demo_login(client, "supervisor.cp")
    assert response.status_code == 200 and REFUSED in response.content.decode()
    assert client.get(CONSOLE).status_code == 302
    # Running it again is allowed (still only demo data), and still refused to log in.
    _seed(ACK)
    _demo_login(client, "admin")
    assert client.get(CONSOLE).status_code == 302


def test_seed_demo__demo_logins_work_in_a_demo(client, settings):
    settings.DEBUG = True
    _seed()
    settings.DEBUG = False
    settings.SANAD_DEMO = True
    _demo_login(client, "supervisor.cp")
    assert client.get(CONSOLE).status_code == 200


def test_demo_login__refused_when_debug_goes_off(client, settings):
    """A demo seeded on a development machine that is later run as production."""
    settings.DEBUG = True
    _seed()
    settings.DEBUG = False
    response = _demo_login(client, "officer.baghdad.f")
    assert REFUSED in response.content.decode()
    assert client.get(CONSOLE).status_code == 302


def test_demo_totp__refused_outside_a_demo(settings, capsys):
    settings.DEBUG = True
    _seed()
    capsys.readouterr()
    call_command("demo_totp", "admin")
    assert capsys.readouterr().out.strip().isdigit()
    settings.DEBUG = False
    with pytest.raises(CommandError, match="demo installation"):
        call_command("demo_totp", "admin")


def test_demo_totp__refused_for_a_real_account_with_a_demo_username(settings, reference_data):
    settings.DEBUG = True
    make_staff("admin", role=StaffProfile.Role.ADMINISTRATOR, unit_kind=None)
    with pytest.raises(CommandError, match="Not a demo account"):
        call_command("demo_totp", "admin")


def test_demo_session__stops_working_when_the_installation_is_no_longer_a_demo(client, settings):
    settings.DEBUG = True
    _seed()
    _demo_login(client, "supervisor.cp")
    assert client.get(CONSOLE).status_code == 200
    settings.DEBUG = False
    assert client.get(CONSOLE).status_code == 302
