"""Console personas: who works which cases, so each test reads like a story.

Community Police (CP) in Baghdad is where the story's cases are; everyone else
is placed just outside it (another governorate, another unit).
"""

from __future__ import annotations

import importlib
import sys
import types

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.models import Evidence, Sex, StaffProfile
from tests.casework.factories import StaffProfileFactory

CP = "community_police"
NSS = "national_security"

VICTIM = {
    "name": "Layla Hassan",
    "phone": "0770 123 4589",
    "safe_hours": "weekdays after four",
    "narrative": "He says he will send the photos to my brother",
    "suspect_identifiers": ["@bad.actor.77"],
    "threat_details": "He wants five hundred dollars by Friday",
    "contact_rules": ["never_through_family"],
}
# What must never appear on a redacted page, in any form.
VICTIM_SECRETS = [
    "Layla",
    "Hassan",
    "0770 123 4589",
    "07701234589",
    "123 4589",
    "weekdays after four",
    "send the photos to my brother",
    "bad.actor.77",
    "five hundred dollars",
]


@pytest.fixture
def console_client(db):
    """``console_client(profile)``: a client logged in as ``profile`` with a
    verified OTP device, as the console requires."""

    def _login(profile: StaffProfile) -> Client:
        client = Client()
        device = TOTPDevice.objects.create(user=profile.user, name="test", confirmed=True)
        client.force_login(profile.user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return _login


@pytest.fixture
def staff(reference_data):
    """``staff(username, role=..., sex=..., unit=..., governorates=[...])``."""

    def _make(username, *, role=StaffProfile.Role.OFFICER, sex=Sex.MALE, unit=CP, governorates=()):
        return StaffProfileFactory(
            username=username, role=role, sex=sex, unit=unit, governorates=list(governorates)
        )

    return _make


@pytest.fixture
def female_officer_baghdad(staff):
    return staff("officer.baghdad.f", sex=Sex.FEMALE, governorates=["baghdad"])


@pytest.fixture
def male_officer_baghdad(staff):
    return staff("officer.baghdad.m", sex=Sex.MALE, governorates=["baghdad"])


@pytest.fixture
def officer_karbala(staff):
    return staff("officer.karbala.m", sex=Sex.MALE, governorates=["karbala"])


@pytest.fixture
def nss_officer_baghdad(staff):
    return staff("nss.baghdad.m", sex=Sex.MALE, unit=NSS, governorates=["baghdad"])


@pytest.fixture
def supervisor_baghdad(staff):
    """A male CP supervisor for Baghdad and Karbala."""
    return staff(
        "supervisor.cp.m",
        role=StaffProfile.Role.SUPERVISOR,
        sex=Sex.MALE,
        governorates=["baghdad", "karbala"],
    )


@pytest.fixture
def female_supervisor_baghdad(staff):
    return staff(
        "supervisor.cp.f",
        role=StaffProfile.Role.SUPERVISOR,
        sex=Sex.FEMALE,
        governorates=["baghdad"],
    )


@pytest.fixture
def supervisor_basra(staff):
    return staff("supervisor.basra", role=StaffProfile.Role.SUPERVISOR, governorates=["basra"])


@pytest.fixture
def outreach_baghdad(staff):
    return staff("outreach.baghdad", role=StaffProfile.Role.OUTREACH, governorates=["baghdad"])


@pytest.fixture
def administrator(staff):
    return staff("admin", role=StaffProfile.Role.ADMINISTRATOR, unit=None)


@pytest.fixture
def cp_case(file_report):
    """``cp_case(**answers)``: a Community Police case in Baghdad with the victim's details."""

    def _file(**overrides):
        answers = {"knows_blackmailer": "yes", "governorate_code": "baghdad", **VICTIM}
        answers.update(overrides)
        return file_report(**answers).case

    return _file


@pytest.fixture
def fake_evidence_store(monkeypatch):
    """Stand-ins for casework.evidence (built elsewhere): previews and originals
    of known bytes. Works whether or not the real module is present."""
    try:
        module = importlib.import_module("casework.evidence")
    except ImportError:
        module = types.ModuleType("casework.evidence")
        monkeypatch.setitem(sys.modules, "casework.evidence", module)
    calls = {"open": [], "preview": []}

    def evidence_open(*, evidence, sealer):
        calls["open"].append(evidence.pk)
        assert sealer.owner == evidence.case.uuid
        yield b"ORIGINAL-"
        yield str(evidence.pk).encode()

    def evidence_preview(*, evidence, sealer):
        calls["preview"].append(evidence.pk)
        return b"\xff\xd8\xff\xe0BLURRED-JPEG"

    monkeypatch.setattr(module, "evidence_open", evidence_open, raising=False)
    monkeypatch.setattr(module, "evidence_preview", evidence_preview, raising=False)
    return calls


@pytest.fixture
def add_evidence():
    """``add_evidence(case, is_intimate=True)``: an Evidence row (file contents are faked)."""
    counter = {"n": 0}

    def _add(case, *, is_intimate=True, content_type="image/jpeg", kind="image"):
        counter["n"] += 1
        return Evidence.objects.create(
            owner_uuid=case.uuid,
            case=case,
            storage_name=f"test/{case.uuid}/{counter['n']}",
            kind=kind,
            content_type=content_type,
            size=1234,
            sha256="0" * 64,
            is_intimate=is_intimate,
        )

    return _add
