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

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
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


def audit_mac(message: str) -> str:
    """HMAC-SHA256 under SANAD_AUDIT_KEY, which never enters the database."""
    return hmac.new(settings.SANAD_AUDIT_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


def _event_mac(digest: str) -> str:
    return audit_mac(f"event:{digest}")


def _head_mac(*, sequence: int, digest: str, count: int) -> str:
    return audit_mac(f"head:{sequence}:{digest}:{count}")


@dataclass(frozen=True)
class PendingEvent:
    """One event to append with ``audit_record_many`` (same fields as ``audit_record``)."""

    action: str
    actor: Any = None
    actor_label: str = ""
    case: Case | None = None
    details: dict[str, Any] | None = None
    occurred_at: dt.datetime | None = None  # when it happened; now when None


# Events recorded inside ``audit_deferred``, per thread: appended at its end.
_deferred = threading.local()


class DeferredAudit:
    """The handle ``audit_deferred`` yields."""

    def __init__(self) -> None:
        self.events: list[PendingEvent] = []
        self.cases_inserted: set[int] = set()

    def case_inserted(self, case: Case) -> None:
        """``case`` was inserted by this transaction: nobody else can lock its
        row before the commit, so the KEY SHARE lock on it is skipped."""
        self.cases_inserted.add(case.pk)


@contextmanager
def audit_deferred() -> Iterator[DeferredAudit]:
    """Collect the events recorded inside the block; append them all at its end.

    The same events, in the same order, each with the time it was recorded,
    under one lock of the chain head and one INSERT, instead of a lock, an
    INSERT and an UPDATE per event. The head is then locked after every row
    the block locked (lock order: case rows, staff profile rows, chain head).
    Only for the whole body of an ``atomic`` block: an exception leaving the
    block appends nothing, and must roll the transaction back. Nested blocks
    join the outermost one.
    """
    outer = getattr(_deferred, "batch", None)
    if outer is not None:
        yield outer
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_deferred needs a transaction around it")
    batch = _deferred.batch = DeferredAudit()
    try:
        yield batch
    finally:
        _deferred.batch = None
    _append(batch.events, cases_held=batch.cases_inserted)


# savepoint=False: an append that fails aborts the caller's whole transaction
# (nothing audited may be committed without its event), so a savepoint around
# it would only cost two round trips per event.
@transaction.atomic(savepoint=False)
def audit_record(
    *,
    action: str,
    actor=None,
    actor_label: str = "",
    case: Case | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. ``details`` must never hold victim data: ids and codes only."""
    (event,) = audit_record_many(
        [
            PendingEvent(
                action=action, actor=actor, actor_label=actor_label, case=case, details=details
            )
        ]
    )
    return event


@transaction.atomic(savepoint=False)
def audit_record_many(pending: list[PendingEvent]) -> list[AuditEvent]:
    """Append several events, in order, under one lock of the chain head.

    The same events, hashes and MACs as calling ``audit_record`` once per
    event: each event's previous hash is the one before it. The rows they
    reference are locked first (KEY SHARE), the head last, then one INSERT.
    """
    now = timezone.now()
    pending = [
        item if item.occurred_at is not None else dataclasses.replace(item, occurred_at=now)
        for item in pending
    ]
    batch = getattr(_deferred, "batch", None)
    if batch is not None:
        batch.events.extend(pending)
        return [_unsaved(item) for item in pending]
    return _append(pending)


def _unsaved(item: PendingEvent) -> AuditEvent:
    return AuditEvent(
        occurred_at=item.occurred_at,
        action=item.action,
        actor_id=item.actor.pk if item.actor is not None else None,
        case=item.case,
        details=item.details or {},
    )


def _append(pending: list[PendingEvent], *, cases_held: set[int] = frozenset()) -> list[AuditEvent]:
    if not pending:
        return []
    cases = {
        event.case.pk: event.case
        for event in pending
        if event.case is not None and event.case.pk not in cases_held
    }
    actors = {event.actor.pk: event.actor for event in pending if event.actor is not None}
    if len(cases) <= 1 and len(actors) <= 1:
        _lock_referenced_rows(
            case=next(iter(cases.values()), None), actor=next(iter(actors.values()), None)
        )
    else:
        for pk in sorted(cases):
            _lock_referenced_rows(case=cases[pk], actor=None)
        for pk in sorted(actors):
            _lock_referenced_rows(case=None, actor=actors[pk])
    # The head last: nothing else is locked after it in this transaction.
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    events = []
    for item in pending:
        details = item.details or {}
        sequence = head.sequence + 1
        occurred_at = item.occurred_at or timezone.now()
        actor_id = item.actor.pk if item.actor is not None else None
        actor_label = item.actor_label or ("staff" if item.actor is not None else "system")
        digest = _event_digest(
            previous_hash=head.hash,
            sequence=sequence,
            occurred_at=occurred_at,
            action=item.action,
            actor_id=actor_id,
            actor_label=actor_label,
            case_id=item.case.pk if item.case is not None else None,
            details=details,
        )
        events.append(
            AuditEvent(
                sequence=sequence,
                occurred_at=occurred_at,
                action=item.action,
                actor_id=actor_id,
                actor_label=actor_label,
                case=item.case,
                details=details,
                previous_hash=head.hash,
                hash=digest,
                mac=_event_mac(digest),
            )
        )
        head.sequence = sequence
        head.hash = digest
    if len(events) == 1:
        events[0].save(force_insert=True)
    else:
        events = AuditEvent.objects.bulk_create(events)
    head.save(update_fields=["sequence", "hash"])
    return events


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    reason: str


def audit_verify_chain() -> ChainBreak | None:
    """Walk the chain in order; return the first broken event, or None.

    Each event's MAC is checked too: rewriting events and recomputing the
    plain hashes breaks them. Events written before MACs existed have none;
    once one event carries a MAC every later one must.
    """
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    macs_started = False
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
        "mac",
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
        if event["mac"] or macs_started:
            macs_started = True
            if not hmac.compare_digest(event["mac"], _event_mac(digest)):
                return ChainBreak(event["sequence"], "its MAC does not match (rewritten)")
        expected_previous = event["hash"]
        expected_sequence += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and head.sequence != expected_sequence - 1:
        return ChainBreak(expected_sequence, "events missing at the end of the chain")
    return None


# --- the head, exported outside the database --------------------------------------


def audit_head_export(*, path: Path | None = None) -> dict[str, Any]:
    """Append the chain head (sequence, hash, event count, MAC) to the head log.

    The log (``SANAD_AUDIT_HEAD_LOG``) is opened append-only and only ever
    grows; ``purge_expired`` calls this on its timer. Someone who rewinds or
    rewrites the chain in the database cannot make it match a head written
    earlier, nor forge a new line without SANAD_AUDIT_KEY.
    """
    path = Path(path or settings.SANAD_AUDIT_HEAD_LOG)
    head = AuditChainHead.objects.filter(id=1).first()
    sequence = head.sequence if head else 0
    digest = head.hash if head else GENESIS_HASH
    count = AuditEvent.objects.count()
    line = {
        "sequence": sequence,
        "hash": digest,
        "count": count,
        "exported_at": timezone.now().isoformat(),
        "mac": _head_mac(sequence=sequence, digest=digest, count=count),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, sort_keys=True) + "\n")
    return line


def _newest_exported_head(path: Path) -> dict[str, Any] | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    for text in reversed(lines):
        if text.strip():
            return json.loads(text)
    return None


def audit_verify_exported_head(*, path: Path | None = None) -> ChainBreak | None:
    """Check the chain against the newest head in the head log; None when it holds.

    Tampered: the line's MAC is wrong (the log was edited), the chain has
    fewer events than the line counted (rows deleted at the end, the head
    row deleted, TRUNCATE), or the event at that sequence has another hash
    (the chain rewritten from an earlier point). No log yet: nothing to check.
    """
    path = Path(path or settings.SANAD_AUDIT_HEAD_LOG)
    try:
        exported = _newest_exported_head(path)
        if exported is None:
            return None
        sequence = int(exported["sequence"])
        digest = str(exported["hash"])
        count = int(exported["count"])
        mac = str(exported["mac"])
    except (ValueError, KeyError, TypeError):
        return ChainBreak(0, "the exported head log is unreadable")
    if not hmac.compare_digest(mac, _head_mac(sequence=sequence, digest=digest, count=count)):
        return ChainBreak(sequence, "the exported head's MAC does not match (log edited)")
    if AuditEvent.objects.count() < count:
        return ChainBreak(sequence, "the chain is shorter than the exported head")
    if sequence == 0:
        return None
    stored = AuditEvent.objects.filter(sequence=sequence).values_list("hash", flat=True).first()
    if stored is None:
        return ChainBreak(sequence, "the exported head is missing from the chain")
    if stored != digest:
        return ChainBreak(sequence, "its hash differs from the exported head")
    return None
