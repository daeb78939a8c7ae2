"""manage.py rotate_keys: every wrapped data key re-wrapped under the newest KEK."""

from __future__ import annotations

import base64
import io
import uuid

import pytest
from django.core.management import CommandError, call_command

from casework import crypto
from casework.audit import audit_verify_chain
from casework.evidence import evidence_open, evidence_preview, evidence_store
from casework.key_rotation import models_with_wrapped_keys
from casework.models import AuditEvent, Case
from tests.casework import evidence_samples as samples
from tests.casework.conftest import case_create

KEY_A = "a:" + base64.b64encode(b"A" * 32).decode()
KEY_B = "b:" + base64.b64encode(b"B" * 32).decode()
KEY_C = "c:" + base64.b64encode(b"C" * 32).decode()

pytestmark = pytest.mark.django_db


def _case_under(spec: str, settings, reference: str):
    settings.SANAD_KEYS = spec
    owner = uuid.uuid4()
    sealer, wrapped = crypto.Sealer.new(owner=owner)
    case = case_create(owner=owner, wrapped_key=wrapped, reference=reference)
    return case, sealer


def _rotate(*args) -> str:
    out = io.StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


def _reopen(case: Case) -> crypto.Sealer:
    case.refresh_from_db()
    return crypto.Sealer(owner=case.uuid, wrapped_key=case.wrapped_key)


def test_rotate_keys__data_under_old_key_readable_with_the_new_key_alone(
    settings, reference_data, post_evidence
):
    case, sealer = _case_under(KEY_A, settings, "SND-ROTA-0001")
    case.narrative_enc = sealer.seal_text("narrative", "he threatened to post the photos")
    case.save(update_fields=["narrative_enc"])
    photo = samples.jpeg(image=samples.checkerboard((300, 200)))
    _request, _handler, (upload,) = post_evidence(
        [("evidence", "photo.jpg", "image/jpeg", photo)], sealer=sealer
    )
    evidence = evidence_store(sealer=sealer, upload=upload, case=case)

    settings.SANAD_KEYS = f"{KEY_B},{KEY_A}"  # B is newest; A still unwraps
    assert _reopen(case).open_text("narrative", case.narrative_enc).startswith("he threatened")

    output = _rotate()
    assert "casework.case: 1 re-wrapped, 0 already current, 0 failed" in output
    assert "SND-ROTA" not in output and str(case.uuid) not in output

    settings.SANAD_KEYS = KEY_B  # A retired
    case.refresh_from_db()
    assert crypto.wrapped_key_id(case.wrapped_key) == "b"
    sealer_b = _reopen(case)
    assert sealer_b.open_text("narrative", case.narrative_enc).startswith("he threatened")
    # Evidence needed no re-encryption: its key derives from the same data key.
    assert b"".join(evidence_open(evidence=evidence, sealer=sealer_b)) == photo
    assert evidence_preview(evidence=evidence, sealer=sealer_b).startswith(b"\xff\xd8")


def test_rotate_keys__is_idempotent_and_audits_each_run_with_counts_only(settings, reference_data):
    for number in range(3):
        _case_under(KEY_A, settings, f"SND-IDEM-000{number}")
    settings.SANAD_KEYS = f"{KEY_B},{KEY_A}"

    assert "3 re-wrapped, 0 already current" in _rotate("--batch-size", "2")
    assert "0 re-wrapped, 3 already current" in _rotate()

    events = list(AuditEvent.objects.filter(action=AuditEvent.Action.KEYS_ROTATED))
    assert [event.details["models"]["casework.case"] for event in events] == [
        {"rewrapped": 3, "current": 0, "failed": 0},
        {"rewrapped": 0, "current": 3, "failed": 0},
    ]
    assert all(event.details["key_id"] == "b" and event.case is None for event in events)
    assert set(events[0].details) == {"key_id", "models"}
    assert audit_verify_chain() is None


def test_rotate_keys__reports_keys_it_cannot_unwrap_and_leaves_them(settings, reference_data):
    stranded, _ = _case_under(KEY_C, settings, "SND-LOST-0001")  # C is not kept below
    _case_under(KEY_A, settings, "SND-KEPT-0001")
    before = bytes(stranded.wrapped_key)
    settings.SANAD_KEYS = f"{KEY_B},{KEY_A}"

    with pytest.raises(CommandError):
        _rotate()

    stranded.refresh_from_db()
    assert bytes(stranded.wrapped_key) == before
    (event,) = AuditEvent.objects.filter(action=AuditEvent.Action.KEYS_ROTATED)
    assert event.details["models"]["casework.case"] == {"rewrapped": 1, "current": 0, "failed": 1}


def test_rotate_keys__finds_every_model_that_names_its_key_owner():
    assert Case in models_with_wrapped_keys()
    for model in models_with_wrapped_keys():
        model._meta.get_field(model.wrapped_key_owner_field)
        model._meta.get_field(getattr(model, "wrapped_key_field", "wrapped_key"))
