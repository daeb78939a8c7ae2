"""Staff accounts in the console: creation, deactivation that ends sessions,
two-factor reset, and no device secret on any page."""

from __future__ import annotations

import base64

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework import auth
from casework.models import AuditEvent, BackupCodeDevice, StaffProfile, StaffSession
from tests.casework.console_fixtures import *  # noqa: F403
from tests.casework.console_fixtures import (
    CONSOLE,
    ENROL,
    LOGIN,
    PASSWORD,
    console_urls,
    full_login,
    password_login,
    totp_device,
)

pytestmark = pytest.mark.django_db

STAFF_LIST = f"{CONSOLE}casework/staffprofile/"


def _redirected_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


# --- deactivation -------------------------------------------------------------------------


def test_staff_deactivate__ends_every_session_of_the_officer(officer_baghdad, administrator):
    phone, desktop = Client(), Client()
    full_login(phone, officer_baghdad)
    full_login(desktop, officer_baghdad)
    assert phone.get(CONSOLE).status_code == 200
    assert StaffSession.objects.filter(user=officer_baghdad.user).count() == 2
    keys = list(StaffSession.objects.values_list("session_key", flat=True))

    auth.staff_deactivate(profile=officer_baghdad, by=administrator)

    assert _redirected_to_login(phone.get(CONSOLE))
    assert _redirected_to_login(desktop.get(CONSOLE))
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not StaffSession.objects.filter(user=officer_baghdad.user).exists()
    officer_baghdad.user.refresh_from_db()
    assert not officer_baghdad.user.is_active
    event = AuditEvent.objects.filter(action=AuditEvent.Action.STAFF_LOCKOUT).get()
    assert event.actor == administrator.user
    assert event.details["reason"] == "deactivated"
    assert event.details["staff_profile"] == officer_baghdad.pk


def test_staff_deactivate__a_session_missing_from_the_index_still_cannot_act(
    officer_baghdad, administrator
):
    # Belt and braces: Django's ModelBackend refuses inactive users on every request.
    client = Client()
    full_login(client, officer_baghdad)
    StaffSession.objects.all().delete()
    auth.staff_deactivate(profile=officer_baghdad, by=administrator)
    assert _redirected_to_login(client.get(CONSOLE))


def test_staff_deactivate__leaves_other_staff_logged_in(
    officer_baghdad, officer_karbala, administrator
):
    other = Client()
    full_login(other, officer_karbala)
    auth.staff_deactivate(profile=officer_baghdad, by=administrator)
    assert other.get(CONSOLE).status_code == 200


def test_staff_deactivate__refused_unless_by_an_administrator(officer_baghdad, supervisor_cp):
    with pytest.raises(ValidationError) as refused:
        auth.staff_deactivate(profile=officer_baghdad, by=supervisor_cp)
    assert refused.value.code == "administrator_required"
    officer_baghdad.user.refresh_from_db()
    assert officer_baghdad.user.is_active


def test_staff_deactivate__refused_for_ones_own_account(administrator):
    with pytest.raises(ValidationError) as refused:
        auth.staff_deactivate(profile=administrator, by=administrator)
    assert refused.value.code == "own_account"


def test_staff_account_upsert__does_not_reactivate_a_deactivated_account(
    officer_baghdad, administrator
):
    from casework.services import staff_account_upsert

    auth.staff_deactivate(profile=officer_baghdad, by=administrator)
    staff_account_upsert(
        username=officer_baghdad.user.username,
        first_name="Zainab",
        role=StaffProfile.Role.OFFICER,
        sex=officer_baghdad.sex,
        unit=officer_baghdad.unit,
        governorates=[],
    )
    officer_baghdad.user.refresh_from_db()
    assert not officer_baghdad.user.is_active


def test_staff_two_factor_reset__removes_devices_and_sends_them_back_to_enrolment(
    client, officer_baghdad, administrator
):
    auth.staff_backup_codes_issue(user=officer_baghdad.user)
    full_login(client, officer_baghdad)
    auth.staff_two_factor_reset(profile=officer_baghdad, by=administrator)
    assert not TOTPDevice.objects.filter(user=officer_baghdad.user).exists()
    assert not BackupCodeDevice.objects.filter(user=officer_baghdad.user).exists()
    assert _redirected_to_login(client.get(CONSOLE))
    assert password_login(client, officer_baghdad.user.username)["Location"].startswith(ENROL)
    event = AuditEvent.objects.get(action=AuditEvent.Action.STAFF_LOCKOUT)
    assert event.details["reason"] == "two_factor_reset"


# --- the staff admin -------------------------------------------------------------------------


def test_console_staff_admin__deactivate_action_ends_the_officers_session(
    client, officer_baghdad, administrator
):
    officer = Client()
    full_login(officer, officer_baghdad)
    full_login(client, administrator)
    response = client.post(
        STAFF_LIST,
        {"action": "deactivate_selected", "_selected_action": [officer_baghdad.pk]},
    )
    assert response.status_code == 302
    assert _redirected_to_login(officer.get(CONSOLE))
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.STAFF_LOCKOUT, details__reason="deactivated"
    ).exists()


def test_console_staff_admin__administrator_creates_an_account_that_must_enrol(
    client, administrator
):
    from casework.models import Governorate, Unit

    full_login(client, administrator)
    response = client.post(
        f"{STAFF_LIST}add/",
        {
            "username": "rana.new",
            "first_name": "Rana",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "role": StaffProfile.Role.OFFICER,
            "sex": "female",
            "unit": Unit.objects.get(kind=Unit.Kind.COMMUNITY_POLICE).pk,
            "governorates": [Governorate.objects.get(code="karbala").pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = StaffProfile.objects.get(user__username="rana.new")
    assert profile.user.is_staff and not profile.user.is_superuser
    assert list(profile.user.groups.values_list("name", flat=True)) == ["officer"]
    assert [g.code for g in profile.governorates.all()] == ["karbala"]

    newcomer = Client()
    assert password_login(newcomer, "rana.new")["Location"].startswith(ENROL)


def test_console_staff_admin__refuses_an_existing_username(client, officer_baghdad, administrator):
    full_login(client, administrator)
    response = client.post(
        f"{STAFF_LIST}add/",
        {
            "username": officer_baghdad.user.username.upper(),
            "password1": "another long password 99",
            "password2": "another long password 99",
            "role": StaffProfile.Role.ADMINISTRATOR,
            "sex": "male",
        },
    )
    assert response.status_code == 200
    assert "already taken" in response.content.decode()
    officer_baghdad.user.refresh_from_db()
    assert officer_baghdad.user.check_password(PASSWORD)


def test_console_staff_admin__supervisor_sees_staff_but_cannot_deactivate(
    client, officer_baghdad, supervisor_cp
):
    full_login(client, supervisor_cp)
    assert client.get(STAFF_LIST).status_code == 200
    client.post(
        STAFF_LIST, {"action": "deactivate_selected", "_selected_action": [officer_baghdad.pk]}
    )
    officer_baghdad.user.refresh_from_db()
    assert officer_baghdad.user.is_active


def test_console_staff_admin__officer_has_no_staff_pages(client, officer_baghdad):
    full_login(client, officer_baghdad)
    assert client.get(STAFF_LIST).status_code == 403


def test_console__no_page_renders_a_device_secret(client, officer_baghdad, administrator):
    """After enrolment the secret is never displayed: not on the enrolment
    page, not in any admin page, for the owner or an administrator."""
    device = totp_device(officer_baghdad)
    secrets_ = {
        device.key,
        base64.b32encode(device.bin_key).decode().rstrip("="),
        auth.totp_secret_display(device),
    }
    pk = str(officer_baghdad.pk)
    for who in (officer_baghdad, administrator):
        browser = Client()
        full_login(browser, who)
        assert browser.get(ENROL).status_code == 302
        for _name, url in console_urls():
            for candidate in {url, url.replace("/1/", f"/{pk}/")}:
                response = browser.get(candidate, follow=True)
                assert response.status_code in {200, 403, 404, 405}, candidate
                page = response.content.decode()
                for secret in secrets_:
                    assert secret not in page, candidate


def test_console_site__registers_no_device_or_session_admin():
    from django_otp.plugins.otp_static.models import StaticDevice

    from casework.console import console_site

    for model in (TOTPDevice, StaticDevice, BackupCodeDevice, StaffSession):
        assert model not in console_site._registry, model
    assert "key" not in str(console_site._registry[StaffProfile].get_fields(None))


def test_console_site__lives_at_console_not_admin(client):
    assert client.get("/en/admin/").status_code == 404
    assert client.get("/en/console/").status_code == 302
