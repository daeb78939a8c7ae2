"""Personas and helpers for the console's authentication tests.

Imported by tests/casework/test_console_*.py (``from tests.casework.console_fixtures
import *``) so the fixtures stay next to the tests that use them.
"""

from __future__ import annotations

import base64
import re

import pyotp
import pytest
from django.urls import URLPattern, URLResolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.console import console_site
from casework.models import Governorate, Sex, StaffProfile, Unit
from casework.services import staff_account_upsert

PASSWORD = "a long staff password 2026"
LANG = "en"
CONSOLE = f"/{LANG}/console/"
LOGIN = f"{CONSOLE}login/"
VERIFY = f"{CONSOLE}login/verify/"
ENROL = f"{CONSOLE}enrol/"
LOGOUT = f"{CONSOLE}logout/"
REFUSED = "Please check your details and try again."

# The pages a session that is not verified may see; everything else is refused.
AUTH_FLOW_URL_NAMES = {"login", "login_verify", "enrol", "logout"}


def make_staff(
    username: str,
    *,
    role: str = StaffProfile.Role.OFFICER,
    sex: str = Sex.FEMALE,
    unit_kind: str | None = Unit.Kind.COMMUNITY_POLICE,
    governorates: tuple[str, ...] = ("baghdad",),
    enrolled: bool = True,
) -> StaffProfile:
    profile = staff_account_upsert(
        username=username,
        first_name=username.split(".")[0].title(),
        role=role,
        sex=sex,
        unit=Unit.objects.get(kind=unit_kind) if unit_kind else None,
        governorates=list(Governorate.objects.filter(code__in=governorates)),
        password=PASSWORD,
    )
    if enrolled:
        TOTPDevice.objects.create(user=profile.user, name="authenticator", confirmed=True)
    return profile


def issue_enrolment_code(profile: StaffProfile) -> str:
    """An administrator issues ``profile`` an enrolment code (casework.enrolment)."""
    from casework.enrolment import staff_enrolment_issue

    issuer = StaffProfile.objects.filter(user__username="issuer.admin").first() or make_staff(
        "issuer.admin",
        role=StaffProfile.Role.ADMINISTRATOR,
        sex=Sex.MALE,
        unit_kind=None,
        governorates=(),
    )
    return staff_enrolment_issue(profile=profile, by=issuer)


def redeem_enrolment_code(client, profile: StaffProfile, code: str | None = None):
    """Post an enrolment code (a fresh one unless given) on the enrolment page."""
    code = code if code is not None else issue_enrolment_code(profile)
    return client.post(ENROL, {"enrolment_code": code})


def totp_device(profile: StaffProfile) -> TOTPDevice:
    return TOTPDevice.objects.get(user=profile.user, confirmed=True)


def totp(device: TOTPDevice) -> pyotp.TOTP:
    return pyotp.TOTP(base64.b32encode(bytes.fromhex(device.key)).decode())


def password_login(client, username: str, password: str = PASSWORD, *, next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def code_login(client, code: str):
    return client.post(VERIFY, {"code": code})


def full_login(client, profile: StaffProfile):
    """Both steps with the current TOTP code; the device's replay guard is reset
    first so one test may log the same person in more than once."""
    device = totp_device(profile)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    response = password_login(client, profile.user.username)
    assert response.status_code == 302, response
    response = code_login(client, totp(device).now())
    assert response.status_code == 302 and response["Location"] == CONSOLE, response
    return response


@pytest.fixture
def officer_baghdad(reference_data) -> StaffProfile:
    return make_staff("zainab.baghdad")


@pytest.fixture
def officer_karbala(reference_data) -> StaffProfile:
    return make_staff("hussein.karbala", sex=Sex.MALE, governorates=("karbala",))


@pytest.fixture
def supervisor_cp(reference_data) -> StaffProfile:
    return make_staff(
        "samira.supervisor",
        role=StaffProfile.Role.SUPERVISOR,
        governorates=("baghdad", "karbala"),
    )


@pytest.fixture
def administrator(reference_data) -> StaffProfile:
    return make_staff(
        "admin.sanad",
        role=StaffProfile.Role.ADMINISTRATOR,
        sex=Sex.MALE,
        unit_kind=None,
        governorates=(),
    )


@pytest.fixture
def newcomer(reference_data) -> StaffProfile:
    """A staff member whose account exists but who has not enrolled yet."""
    return make_staff("noor.new", enrolled=False)


# --- every URL the console exposes, from the resolver --------------------------------

_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_REGEX_APP_LABEL = re.compile(r"\(\?P<app_label>([^|)]+)[^)]*\)")
_REGEX_GROUP = re.compile(r"\(\?P<\w+>[^)]*\)")


def _sample(pattern) -> str:
    """A concrete path for one URL pattern, with a dummy value for every parameter."""
    if isinstance(pattern, RoutePattern):
        return _ROUTE_PARAM.sub(
            lambda m: "casework" if m["name"] == "app_label" else "1", str(pattern)
        )
    assert isinstance(pattern, RegexPattern), pattern
    text = str(pattern).lstrip("^").rstrip("$")
    text = _REGEX_APP_LABEL.sub(lambda m: m[1], text)
    text = _REGEX_GROUP.sub("1", text)
    return text.replace("\\", "")


def console_urls() -> list[tuple[str, str]]:
    """(url name or "", path) for every pattern of the console site, however deep."""
    found = []

    def walk(patterns, prefix):
        for entry in patterns:
            here = prefix + _sample(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, here)
            elif isinstance(entry, URLPattern):
                found.append((entry.name or "", CONSOLE + here))

    walk(console_site.urls[0], "")
    return found
