"""The audit log: hash-chained, append-only, verifiable, readable by supervisors."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from casework.audit import _event_digest, audit_record, audit_verify_chain
from casework.models import AuditChainHead, AuditEvent, StaffProfile
from tests.casework.helpers import console_url

TRIGGER = "casework_auditevent_append_only"


@pytest.fixture(autouse=True)
def _cheap_passphrase_hashing(settings):
    settings.SANAD_PASSPHRASE_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def chain(cp_case, female_officer_baghdad, supervisor_baghdad, console_client):
    """A realistic stretch of log: filings, assignment, views, a reveal, a message."""
    case = cp_case()
    other = cp_case(wants_female_officer=True)
    client = console_client(supervisor_baghdad)
    client.get(console_url("casework_case_change", case.pk))
    client.post(console_url("casework_case_reveal", other.pk), {"reason": "Weekly review"})
    client.post(console_url("casework_case_message", case.pk), {"body": "We are here."})
    events = list(AuditEvent.objects.order_by("sequence"))
    assert len(events) >= 8
    return events


def _verify_fails_at(sequence: int) -> str:
    with pytest.raises(CommandError) as broken:
        call_command("verify_audit")
    message = str(broken.value)
    assert f"#{sequence}:" in message, message
    assert broken.value.returncode == 1
    return message


def _tamper(sql: str, params) -> None:
    """Change the table as someone with database rights would: around the trigger."""
    with connection.cursor() as cursor:
        if _is_postgres():
            # The test's own transaction holds deferred foreign-key checks;
            # run them now, or PostgreSQL refuses to ALTER the table.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE casework_auditevent DISABLE TRIGGER {TRIGGER}")
        cursor.execute(sql, params)
        if _is_postgres():
            cursor.execute(f"ALTER TABLE casework_auditevent ENABLE TRIGGER {TRIGGER}")


@pytest.mark.django_db
def test_audit_chain__verifies(chain, capsys):
    assert audit_verify_chain() is None
    call_command("verify_audit")
    assert f"Audit chain intact: {len(chain)} events" in capsys.readouterr().out
    for previous, event in zip(chain, chain[1:], strict=False):
        assert event.previous_hash == previous.hash
        assert event.sequence == previous.sequence + 1


@pytest.mark.django_db
@pytest.mark.parametrize("index", range(8))
def test_audit_chain__editing_any_event_is_named(chain, index):
    event = chain[index]
    _tamper(
        "UPDATE casework_auditevent SET actor_label = %s WHERE sequence = %s",
        ["tampered", event.sequence],
    )
    message = _verify_fails_at(event.sequence)
    assert "does not match its hash" in message


@pytest.mark.django_db
@pytest.mark.parametrize("index", [*range(7), -1])
def test_audit_chain__deleting_any_event_is_named(chain, index):
    event = chain[index]
    _tamper("DELETE FROM casework_auditevent WHERE sequence = %s", [event.sequence])
    _verify_fails_at(event.sequence)


@pytest.mark.django_db
def test_audit_chain__rewritten_tail_is_caught_by_the_exported_head(chain, tmp_path, capsys):
    call_command("export_audit_head")
    exported = json.loads(capsys.readouterr().out)
    head = AuditChainHead.objects.get()
    assert exported["sequence"] == head.sequence == chain[-1].sequence
    assert exported["hash"] == head.hash == chain[-1].hash
    assert exported["occurred_at"] == chain[-1].occurred_at.isoformat()
    saved = tmp_path / "head.json"
    saved.write_text(json.dumps(exported))
    call_command("verify_audit", head=str(saved))

    # An attacker edits event 3 and recomputes every hash after it, and the head.
    previous = chain[1].hash
    for event in chain[2:]:
        label = "forged" if event is chain[2] else event.actor_label
        digest = _event_digest(
            previous_hash=previous,
            sequence=event.sequence,
            occurred_at=event.occurred_at,
            action=event.action,
            actor_id=event.actor_id,
            actor_label=label,
            case_id=event.case_id,
            details=event.details,
        )
        _tamper(
            "UPDATE casework_auditevent SET actor_label = %s, previous_hash = %s, hash = %s "
            "WHERE sequence = %s",
            [label, previous, digest, event.sequence],
        )
        previous = digest
    AuditChainHead.objects.filter(id=1).update(hash=previous)

    # The chain alone tells, by the events' MACs (tests/security/test_audit_tamper.py) ...
    _verify_fails_at(chain[2].sequence)
    # ... and the exported head too.
    from casework.audit import _event_mac

    for event in AuditEvent.objects.filter(sequence__gte=chain[2].sequence):
        _tamper(
            "UPDATE casework_auditevent SET mac = %s WHERE sequence = %s",
            [_event_mac(event.hash), event.sequence],
        )
    call_command("verify_audit")  # with the key, the chain alone cannot tell
    with pytest.raises(CommandError, match=f"#{chain[-1].sequence}:"):
        call_command("verify_audit", head=str(saved))


@pytest.mark.postgres
@pytest.mark.django_db
def test_audit_trigger__refuses_update_and_delete(chain):
    if not _is_postgres():
        pytest.skip("the append-only trigger is PostgreSQL's")
    event = chain[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor_label="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM casework_auditevent")
    assert AuditEvent.objects.count() == len(chain)
    assert audit_verify_chain() is None


@pytest.mark.django_db(transaction=True)
def test_audit_chain__concurrent_appends_do_not_fork(reference_data):
    """20 appends from 20 threads, each on its own connection, one unbroken chain.

    On PostgreSQL they serialise on the chain head's row lock. On SQLite the
    database lock serialises writers (IMMEDIATE transactions), which is the
    same guarantee, so the test runs there too.
    """
    import threading

    from django.db import connections

    audit_record(action=AuditEvent.Action.KEYS_ROTATED, details={"seed": True})
    barrier = threading.Barrier(20)
    errors = []

    def append(i):
        try:
            barrier.wait()
            audit_record(action=AuditEvent.Action.STAFF_LOGIN, details={"thread": i})
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    sequences = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, 22))
    assert len(set(AuditEvent.objects.values_list("previous_hash", flat=True))) == 21
    assert audit_verify_chain() is None
    assert AuditChainHead.objects.get().sequence == 21


@pytest.mark.django_db
def test_audit_console__read_only_and_scoped(chain, staff, console_client, supervisor_baghdad):
    baghdad_events = AuditEvent.objects.filter(case__governorate__code="baghdad")
    client = console_client(supervisor_baghdad)
    listing = client.get(console_url("casework_auditevent_changelist"))
    assert listing.status_code == 200
    html = listing.content.decode()
    for event in baghdad_events:
        assert event.case.reference in html
    event = chain[0]
    assert client.get(console_url("casework_auditevent_change", event.pk)).status_code == 404
    assert client.post(console_url("casework_auditevent_change", event.pk)).status_code == 404
    assert client.post(console_url("casework_auditevent_delete", event.pk)).status_code == 404
    assert client.get(console_url("casework_auditevent_add")).status_code == 403

    elsewhere = staff("sup.basra", role=StaffProfile.Role.SUPERVISOR, governorates=["basra"])
    html = console_client(elsewhere).get(console_url("casework_auditevent_changelist"))
    for event in baghdad_events:
        assert event.case.reference not in html.content.decode()

    officer = staff("officer.x", governorates=["baghdad"])
    listing = console_client(officer).get(console_url("casework_auditevent_changelist"))
    assert listing.status_code == 404


@pytest.mark.django_db
def test_case_history__lists_the_case_events_for_its_supervisor(
    chain, supervisor_baghdad, console_client
):
    case = chain[0].case
    html = console_client(supervisor_baghdad).get(console_url("casework_case_history", case.pk))
    html = html.content.decode()
    for event in AuditEvent.objects.filter(case=case):
        assert f"<td>{event.sequence}</td>" in html
    assert "Case filed" in html
