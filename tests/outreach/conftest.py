"""Outreach personas and helpers, so each test reads like a story.

Personas: Rana logs sessions in Karbala, her colleague Karim too; Dilan does
outreach in Baghdad; Samira supervises Karbala and Najaf; Hussein is a
Karbala officer (cases, not outreach); Admin administers everything.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.auth import get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.models import Case, Governorate, Sex, StaffProfile, Unit
from casework.services import staff_account_upsert
from outreach.demo import ensure_topics
from outreach.services import SessionDetails, session_log


@pytest.fixture
def governorates(reference_data) -> dict[str, Governorate]:
    return {g.code: g for g in Governorate.objects.all()}


@pytest.fixture
def community_police(reference_data) -> Unit:
    return Unit.objects.get(kind=Unit.Kind.COMMUNITY_POLICE)


@pytest.fixture
def topics(db) -> dict:
    return {t.code: t for t in ensure_topics()}


def _staff(username, first_name, role, sex, codes, unit=None):
    profile = staff_account_upsert(
        username=username,
        first_name=first_name,
        role=role,
        sex=sex,
        unit=unit,
        governorates=list(Governorate.objects.filter(code__in=codes)),
    )
    return profile.user


@pytest.fixture
def outreach_karbala(reference_data, community_police):
    return _staff(
        "rana", "Rana", StaffProfile.Role.OUTREACH, Sex.FEMALE, ["karbala"], community_police
    )


@pytest.fixture
def outreach_karbala_colleague(reference_data, community_police):
    return _staff(
        "karim", "Karim", StaffProfile.Role.OUTREACH, Sex.MALE, ["karbala"], community_police
    )


@pytest.fixture
def outreach_baghdad(reference_data, community_police):
    return _staff(
        "dilan", "Dilan", StaffProfile.Role.OUTREACH, Sex.FEMALE, ["baghdad"], community_police
    )


@pytest.fixture
def supervisor_karbala(reference_data, community_police):
    return _staff(
        "samira",
        "Samira",
        StaffProfile.Role.SUPERVISOR,
        Sex.FEMALE,
        ["karbala", "najaf"],
        community_police,
    )


@pytest.fixture
def officer_karbala(reference_data, community_police):
    return _staff(
        "hussein", "Hussein", StaffProfile.Role.OFFICER, Sex.MALE, ["karbala"], community_police
    )


@pytest.fixture
def administrator(reference_data):
    return _staff("admin", "Admin", StaffProfile.Role.ADMINISTRATOR, Sex.MALE, [])


@pytest.fixture
def staff_without_profile(db):
    return get_user_model().objects.create_user(username="noprofile", is_staff=True)


@pytest.fixture
def login(client):
    """Log ``user`` in as the console will: password, then a verified TOTP device."""

    def _login(user, *, verified: bool = True):
        client.force_login(user)
        if verified:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return _login


@pytest.fixture
def make_details(governorates, community_police, topics):
    """A plausible school session in Karbala; override what the test is about."""

    def _make(**overrides) -> SessionDetails:
        values = {
            "held_on": dt.date(2024, 3, 10),
            "duration_minutes": 90,
            "governorate": governorates["karbala"],
            "district": "مركز كربلاء",
            "venue_type": "school",
            "venue_name": "إعدادية الفاطمية للبنات",
            "unit": community_police,
            "facilitators": [],
            "audience_female": 40,
            "audience_male": 0,
            "age_band": "15_17",
            "topics": [topics["how_to_report"], topics["evidence_no_payment"]],
        }
        if isinstance(overrides.get("governorate"), str):
            overrides["governorate"] = governorates[overrides["governorate"]]
        values.update(overrides)
        return SessionDetails(**values)

    return _make


@pytest.fixture
def log_session(make_details):
    """Log a session through the service, as ``by``."""

    def _log(by, **overrides):
        return session_log(by=by, details=make_details(**overrides))

    return _log


@pytest.fixture
def file_case(community_police):
    """A bare case row filed at an aware time (casework's filing service is not in this branch)."""

    def _file(governorate: Governorate | None, filed_at: dt.datetime, **extra) -> Case:
        return Case.objects.create(
            reference=f"SND-{uuid.uuid4().hex[:9].upper()}",
            unit=extra.pop("unit", community_police),
            governorate=governorate,
            filed_at=filed_at,
            first_contact_due_at=filed_at + dt.timedelta(days=1),
            wrapped_key=b"not-a-real-key",
            **extra,
        )

    return _file
