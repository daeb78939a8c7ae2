"""Tampering with the audit log by someone with database rights but not SANAD_AUDIT_KEY.

Each case the outside attack used to rewind the chain unnoticed: delete the
last rows and the head row, TRUNCATE, rewrite every hash from one point with
plain SHA-256. ``verify_audit`` catches each, against the head ``purge_expired``
exported to the append-only head log. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from casework.audit import _event_digest, audit_record
from casework.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db
TRIGGER = "casework_auditevent_append_only"


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _tamper(*statements) -> None:
    """Run raw SQL as a database administrator would: around the trigger."""
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE casework_auditevent DISABLE TRIGGER {TRIGGER}")
        for sql, params in statements:
            cursor.execute(sql, params)
        if _postgres():
            cursor.execute(f"ALTER TABLE casework_auditevent ENABLE TRIGGER {TRIGGER}")


@pytest.fixture
def exported_chain(reference_data, _audit_head_log):
    for number in range(10):
        audit_record(action=AuditEvent.Action.STAFF_LOGIN, details={"n": number})
    call_command("purge_expired")
    line = json.loads(_audit_head_log.read_text().splitlines()[-1])
    assert line["sequence"] == line["count"] == 10
    call_command("verify_audit")
    return list(AuditEvent.objects.order_by("sequence"))


def _tampered() -> str:
    with pytest.raises(CommandError) as broken:
        call_command("verify_audit")
    assert broken.value.returncode == 1
    return str(broken.value)


def test_purge_expired__appends_the_head_and_never_rewrites_the_log(
    exported_chain, _audit_head_log
):
    before = _audit_head_log.read_text()
    audit_record(action=AuditEvent.Action.STAFF_LOGIN, details={"n": 99})
    call_command("purge_expired")
    after = _audit_head_log.read_text()
    assert after.startswith(before)
    newest = json.loads(after.splitlines()[-1])
    assert newest["sequence"] == 11 and len(newest["mac"]) == 64
    assert (_audit_head_log.stat().st_mode & 0o777) == 0o600


def test_audit_tamper__deleting_the_last_rows_and_the_head_row(exported_chain):
    _tamper(
        ("DELETE FROM casework_auditevent WHERE sequence > %s", [7]),
        ("DELETE FROM casework_auditchainhead", []),
    )
    assert "shorter than the exported head" in _tampered()


def test_audit_tamper__truncate(exported_chain):
    _tamper(
        ("DELETE FROM casework_auditchainhead", []),
        (
            "TRUNCATE casework_auditevent" if _postgres() else "DELETE FROM casework_auditevent",
            [],
        ),
    )
    assert "shorter than the exported head" in _tampered()


def _rewrite_from(events, index: int, *, with_macs_of=None) -> None:
    previous = events[index - 1].hash
    statements = []
    for event in events[index:]:
        details = {"n": "forged"} if event is events[index] else event.details
        digest = _event_digest(
            previous_hash=previous,
            sequence=event.sequence,
            occurred_at=event.occurred_at,
            action=event.action,
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            case_id=event.case_id,
            details=details,
        )
        mac = with_macs_of(digest) if with_macs_of else event.mac
        statements.append(
            (
                "UPDATE casework_auditevent SET details = %s, previous_hash = %s, hash = %s, "
                "mac = %s WHERE sequence = %s",
                [json.dumps(details), previous, digest, mac, event.sequence],
            )
        )
        previous = digest
    statements.append(("UPDATE casework_auditchainhead SET hash = %s", [previous]))
    _tamper(*statements)


def test_audit_tamper__rewriting_every_hash_from_one_point(exported_chain):
    _rewrite_from(exported_chain, 4)
    assert f"#{exported_chain[4].sequence}:" in _tampered()
    # Without the key the MACs cannot be made; even blanked, the later ones are missing.
    _rewrite_from(list(AuditEvent.objects.order_by("sequence")), 4, with_macs_of=lambda _: "")
    assert f"#{exported_chain[4].sequence}:" in _tampered()


def test_audit_tamper__rewriting_with_the_key_is_still_caught_by_the_exported_head(
    exported_chain,
):
    """The MACs alone fall to someone who also stole the key; the head log does not."""
    from casework.audit import _event_mac

    _rewrite_from(exported_chain, 4, with_macs_of=_event_mac)
    message = _tampered()
    assert f"#{exported_chain[-1].sequence}:" in message
    assert "differs from the exported head" in message


def test_audit_tamper__an_edited_head_log_is_caught(exported_chain, _audit_head_log):
    line = json.loads(_audit_head_log.read_text().splitlines()[-1])
    line["count"] = 3
    with _audit_head_log.open("a") as handle:
        handle.write(json.dumps(line) + "\n")
    assert "MAC does not match" in _tampered()


def test_audit_tamper__no_head_row_and_no_rows_removed_still_verifies(exported_chain):
    """Control: the check does not cry wolf on an intact chain."""
    assert AuditChainHead.objects.get().sequence == 10
    call_command("verify_audit")


@pytest.mark.postgres
def test_audit_trigger__replica_role_does_not_bypass_it(exported_chain):
    if not _postgres():
        pytest.skip("the append-only trigger is PostgreSQL's")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("DELETE FROM casework_auditevent WHERE sequence = 10")
    assert AuditEvent.objects.count() == 10
