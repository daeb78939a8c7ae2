"""The hash-chained audit log: one function appends, one verifies.

Every append locks the single chain-head row, so two appends can never both
build on the same previous hash (no fork under concurrency).

Lock order, everywhere: the case row (and any other row an event points at)
first, the chain head last, just before the append. Inserting an event that
references a case takes a KEY SHARE lock on that case row (PostgreSQL's
foreign-key check); taken only after the head, it waited for an officer who
held the case row and was waiting for the head: a deadlock. So the append
takes those row locks itself, before the head.

Each event also carries a MAC of its hash under ``SANAD_AUDIT_KEY``, a key
kept outside the database, and ``audit_head_export`` writes the head with its
MAC to an append-only file: see docs/audit.md.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from casework.models import AuditChainHead, AuditEvent, Case

GENESIS_HASH = "0" * 64


def _event_digest(
    *,
    previous_hash: str,
    sequence: int,
    occurred_at,
    action: str,
    actor_id: int | None,
    actor_label: str,
    case_id: int | None,
    details: dict[str, Any],
) -> str:
    payload = json.dumps(
        {
            "previous": previous_hash,
            "sequence": sequence,
            "at": occurred_at.isoformat(timespec="microseconds"),
            "action": action,
            "actor": actor_id,
            "actor_label": actor_label,
            "case": case_id,
            "details": details,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _lock_referenced_rows(*, case: Case | None, actor) -> None:
    """KEY SHARE on the rows the event will reference, before the head.

    The same lock the foreign-key check takes at insert, only earlier: it
    waits for a writer holding the case row to finish instead of deadlocking
    with it. It does not block other readers or appenders of the same case.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if case is not None and case.pk is not None:
            cursor.execute(
                f"SELECT 1 FROM {Case._meta.db_table} WHERE id = %s FOR KEY SHARE",  # noqa: S608 - table name from the model
                [case.pk],
            )
        if actor is not None and actor.pk is not None:
            cursor.execute(
                f"SELECT 1 FROM {actor._meta.db_table} WHERE id = %s FOR KEY SHARE",  # noqa: S608 - table name from the model
                [actor.pk],
            )


@transaction.atomic
def audit_record(
    *,
    action: str,
    actor=None,
    actor_label: str = "",
    case: Case | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. ``details`` must never hold victim data: ids and codes only."""
    details = details or {}
    _lock_referenced_rows(case=case, actor=actor)
    # The head last: nothing else is locked after it in this transaction.
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    sequence = head.sequence + 1
    occurred_at = timezone.now()
    actor_id = actor.pk if actor is not None else None
    if not actor_label:
        actor_label = "staff" if actor is not None else "system"
    digest = _event_digest(
        previous_hash=head.hash,
        sequence=sequence,
        occurred_at=occurred_at,
        action=action,
        actor_id=actor_id,
        actor_label=actor_label,
        case_id=case.pk if case is not None else None,
        details=details,
    )
    event = AuditEvent.objects.create(
        sequence=sequence,
        occurred_at=occurred_at,
        action=action,
        actor_id=actor_id,
        actor_label=actor_label,
        case=case,
        details=details,
        previous_hash=head.hash,
        hash=digest,
    )
    head.sequence = sequence
    head.hash = digest
    head.save(update_fields=["sequence", "hash"])
    return event


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    reason: str


def audit_verify_chain() -> ChainBreak | None:
    """Walk the chain in order; return the first broken event, or None."""
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    events = AuditEvent.objects.order_by("sequence").values(
        "sequence",
        "occurred_at",
        "action",
        "actor_id",
        "actor_label",
        "case_id",
        "details",
        "previous_hash",
        "hash",
    )
    for event in events.iterator(chunk_size=2000):
        if event["sequence"] != expected_sequence:
            return ChainBreak(expected_sequence, "missing event")
        if event["previous_hash"] != expected_previous:
            return ChainBreak(event["sequence"], "previous hash does not match")
        digest = _event_digest(
            previous_hash=event["previous_hash"],
            sequence=event["sequence"],
            occurred_at=event["occurred_at"],
            action=event["action"],
            actor_id=event["actor_id"],
            actor_label=event["actor_label"],
            case_id=event["case_id"],
            details=event["details"],
        )
        if digest != event["hash"]:
            return ChainBreak(event["sequence"], "content does not match its hash")
        expected_previous = event["hash"]
        expected_sequence += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and head.sequence != expected_sequence - 1:
        return ChainBreak(expected_sequence, "events missing at the end of the chain")
    return None
