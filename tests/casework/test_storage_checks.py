"""verify_storage (rows against objects, both directions) and purge_expired's
sweep of orphaned objects, on the filesystem and on S3 (moto's server)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.utils import timezone

from casework.evidence import evidence_store
from casework.models import Evidence
from tests.casework import evidence_samples as samples

pytestmark = pytest.mark.django_db


def _stored_evidence(post_evidence, sealer, case) -> Evidence:
    _request, _handler, (upload,) = post_evidence(
        [("evidence", "chat.txt", "text/plain", samples.chat_export(size=2_000))], sealer=sealer
    )
    return evidence_store(sealer=sealer, upload=upload, case=case)


def _verify() -> tuple[str, bool]:
    out = io.StringIO()
    try:
        call_command("verify_storage", stdout=out)
    except CommandError:
        return out.getvalue(), False
    return out.getvalue(), True


@pytest.fixture(params=["filesystem", pytest.param("s3", marks=pytest.mark.s3)])
def evidence_backend(request):
    if request.param == "s3":
        request.getfixturevalue("s3_evidence")
    return request.param


def test_verify_storage__reports_both_directions_with_opaque_keys_only(
    evidence_backend, post_evidence, sealer, case
):
    kept = _stored_evidence(post_evidence, sealer, case)
    lost = _stored_evidence(post_evidence, sealer, case)
    output, ok = _verify()
    assert ok and "2 evidence rows, 2 stored objects; 0 rows without an object" in output

    storages["evidence"].delete(lost.storage_name)
    orphan = storages["evidence"].save("ev/" + "0" * 32, io.BytesIO(b"SNDE1 debris"))
    output, ok = _verify()
    assert not ok
    assert "1 rows without an object, 1 objects without a row" in output
    assert f"missing object: {lost.storage_name}" in output
    assert f"orphaned object: {orphan}" in output
    assert kept.storage_name not in output
    assert case.reference not in output and "chat.txt" not in output


def test_purge_expired__deletes_orphaned_objects_only_once_old_enough(
    evidence_backend, post_evidence, sealer, case, settings
):
    kept = _stored_evidence(post_evidence, sealer, case)
    orphan = storages["evidence"].save("ev/" + "f" * 32, io.BytesIO(b"SNDE1 debris"))

    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    assert "Purged 0 orphaned evidence objects" in out.getvalue()  # could be an upload in flight
    assert storages["evidence"].exists(orphan)

    later = timezone.now() + dt.timedelta(
        seconds=settings.SANAD_STORAGE_ORPHAN_MIN_AGE_SECONDS + 60
    )
    with time_machine.travel(later, tick=False):
        out = io.StringIO()
        call_command("purge_expired", stdout=out)
    assert "Purged 1 orphaned evidence objects" in out.getvalue()
    assert not storages["evidence"].exists(orphan)
    assert storages["evidence"].exists(kept.storage_name)
    assert _verify()[1]
