"""Casework fixtures: evidence owners, sealers and uploads; and console personas
(who works which cases), so each test reads like a story. Community Police (CP)
in Baghdad is where the story's cases are; everyone else is placed just outside it.
"""

from __future__ import annotations

import importlib
import sys
import tempfile
import types
import uuid
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.crypto import Sealer
from casework.models import Case, Evidence, Sex, StaffProfile, Unit
from casework.uploads import EncryptingUploadHandler
from tests.casework.evidence_samples import multipart_body
from tests.casework.factories import StaffProfileFactory


@pytest.fixture
def owner() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def sealer_and_wrapped(owner):
    return Sealer.new(owner=owner)


@pytest.fixture
def sealer(sealer_and_wrapped) -> Sealer:
    return sealer_and_wrapped[0]


def case_create(*, owner: uuid.UUID, wrapped_key: bytes, reference: str) -> Case:
    return Case.objects.create(
        uuid=owner,
        reference=reference,
        unit=Unit.objects.get(kind=Unit.Kind.COMMUNITY_POLICE),
        first_contact_due_at=timezone.now(),
        wrapped_key=wrapped_key,
    )


@pytest.fixture
def case(reference_data, owner, sealer_and_wrapped) -> Case:
    return case_create(owner=owner, wrapped_key=sealer_and_wrapped[1], reference="SND-TEST-0001")


@pytest.fixture
def upload_tmp(tmp_path, settings, monkeypatch) -> Path:
    """Every temporary file of the process goes here, so a test can read them all."""
    directory = tmp_path / "upload-tmp"
    directory.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(directory)
    settings.SANAD_EVIDENCE_TEMP_DIR = ""  # under FILE_UPLOAD_TEMP_DIR, as in production
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def files_under(directory: Path) -> list[Path]:
    return sorted(path for path in directory.rglob("*") if path.is_file())


@pytest.fixture
def post_evidence(sealer):
    """Parse a multipart POST through Django with only the encrypting handler.

    ``parts`` are (field, file name, declared type, bytes). Returns the
    request, the handler and the uploads of field "evidence".
    """

    requests = []

    def post(parts, *, sealer=sealer, fields=None, **handler_options):
        body, content_type = multipart_body(parts, fields)
        request = RequestFactory().generic(
            "POST", "/evidence/", data=body, content_type=content_type
        )
        handler = EncryptingUploadHandler(request, sealer=sealer, **handler_options)
        request.upload_handlers = [handler]
        requests.append(request)
        return request, handler, request.FILES.getlist("evidence")

    yield post
    for request in requests:
        request.close()  # as Django does when the response is done


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
# report_file keeps the victim's phone in E.164 form.
VICTIM_PHONE_STORED = "+9647701234589"
# What must never appear on a redacted page, in any form.
VICTIM_SECRETS = [
    "Layla",
    "Hassan",
    "0770 123 4589",
    VICTIM_PHONE_STORED,
    "7701234589",
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
            # Images stored with a preview (fake_evidence_store serves its bytes).
            preview_enc=b"faked" if kind == "image" else None,
        )

    return _add
