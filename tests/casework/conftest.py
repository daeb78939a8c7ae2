"""Evidence fixtures: an owner and its sealer, a case, a private temp dir, uploads."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.utils import timezone

from casework.crypto import Sealer
from casework.models import Case, Unit
from casework.uploads import EncryptingUploadHandler
from tests.casework.evidence_samples import multipart_body


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
