"""Retention: what a finished case keeps, and for how long.

Policy (``SANAD_RETENTION_DAYS``, default 365):
- a closed case's protected content (identity, narrative, threat details,
  external references, messages, notes, suspect identifiers, feedback text,
  the follow-up credential) and its evidence are purged that many days after
  it was closed;
- a withdrawn report's evidence is purged at once, and its content that many
  days after withdrawal;
- a court referral (the checklist's "referred to court") holds everything:
  nothing of such a case is purged automatically.

What stays is what statistics need: the case row with its reference, dates,
status, unit, governorate, category, priority and flags; the checklist; the
audit log (append-only, so its chain stays verifiable). Every purge is
audited. ``purge_retention`` (a daily timer) runs ``retention_purge``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from casework.audit import audit_record
from casework.models import (
    AuditEvent,
    Case,
    CaseFeedback,
    CaseNote,
    ChecklistItem,
    Evidence,
    Message,
    ReporterCredential,
    SuspectIdentifier,
)

logger = logging.getLogger(__name__)


def _held_by_court(case: Case) -> bool:
    return case.checklist.filter(code=ChecklistItem.Code.COURT_REFERRAL).exists()


def _evidence_delete(case: Case) -> int:
    """Delete the case's stored objects, then its rows (a failure leaves at
    worst a row without an object, which verify_storage reports)."""
    files = list(Evidence.objects.select_for_update().filter(case=case))
    storage = storages["evidence"]
    for evidence in files:
        storage.delete(evidence.storage_name)
    Evidence.objects.filter(pk__in=[evidence.pk for evidence in files]).delete()
    return len(files)


@transaction.atomic
def case_evidence_purge(*, case: Case, reason: str) -> int:
    """Delete every evidence file of ``case``; audited with the count. Returns it.

    Refused (ValueError) for a case held by a court referral.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    if _held_by_court(case):
        raise ValueError("a court referral holds this case's evidence")
    files = _evidence_delete(case)
    if files:
        audit_record(
            action=AuditEvent.Action.EVIDENCE_PURGED,
            actor_label="system",
            case=case,
            details={"files": files, "reason": reason},
        )
    return files


@transaction.atomic
def case_content_purge(*, case: Case, reason: str) -> Case:
    """Purge a finished case's protected content and evidence; audited.

    Only closed or withdrawn cases, never one held by a court referral
    (ValueError). Idempotent: a case already purged is returned unchanged.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.content_purged_at is not None:
        return case
    if case.status not in (Case.Status.CLOSED, Case.Status.WITHDRAWN):
        raise ValueError("only closed or withdrawn cases are purged")
    if _held_by_court(case):
        raise ValueError("a court referral holds this case")
    files = _evidence_delete(case)
    counts = {
        "messages": Message.objects.filter(case=case).delete()[0],
        "notes": CaseNote.objects.filter(case=case).delete()[0],
        "suspects": SuspectIdentifier.objects.filter(case=case).delete()[0],
        "credentials": ReporterCredential.objects.filter(case=case).delete()[0],
        "feedback_texts": CaseFeedback.objects.filter(case=case, body_enc__isnull=False).update(
            body_enc=None
        ),
    }
    case.identity_enc = None
    case.narrative_enc = None
    case.threat_enc = None
    case.external_refs_enc = None
    case.content_purged_at = timezone.now()
    case.save(
        update_fields=[
            "identity_enc",
            "narrative_enc",
            "threat_enc",
            "external_refs_enc",
            "content_purged_at",
            "updated_at",
        ]
    )
    audit_record(
        action=AuditEvent.Action.CASE_CONTENT_PURGED,
        actor_label="system",
        case=case,
        details={"reason": reason, "files": files, **counts},
    )
    return case


@dataclass
class RetentionCounts:
    closed_purged: int = 0
    withdrawn_purged: int = 0
    withdrawn_evidence_purged: int = 0
    files: int = 0
    held_by_court: int = 0


def retention_purge(*, now: dt.datetime | None = None) -> RetentionCounts:
    """Apply the retention policy to every case it is due for (one case per
    transaction, so a long run holds no long locks and a failure loses none)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.SANAD_RETENTION_DAYS)
    counts = RetentionCounts()
    held = set(
        ChecklistItem.objects.filter(code=ChecklistItem.Code.COURT_REFERRAL).values_list(
            "case_id", flat=True
        )
    )
    unpurged = Case.objects.filter(content_purged_at__isnull=True)

    # A withdrawn report's evidence goes at once.
    withdrawn_with_files = (
        unpurged.filter(status=Case.Status.WITHDRAWN, evidence__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    for pk in list(withdrawn_with_files):
        if pk in held:
            continue
        files = case_evidence_purge(case=Case(pk=pk), reason="withdrawn")
        counts.withdrawn_evidence_purged += 1
        counts.files += files

    due = unpurged.filter(status=Case.Status.CLOSED, closed_at__lt=cutoff) | unpurged.filter(
        status=Case.Status.WITHDRAWN, withdrawn_at__lt=cutoff
    )
    for pk, status in list(due.values_list("pk", "status")):
        if pk in held:
            counts.held_by_court += 1
            continue
        case_content_purge(case=Case(pk=pk), reason="retention")
        if status == Case.Status.CLOSED:
            counts.closed_purged += 1
        else:
            counts.withdrawn_purged += 1
    if counts.closed_purged or counts.withdrawn_purged or counts.files:
        logger.info(
            "retention: %d closed and %d withdrawn cases purged, %d files",
            counts.closed_purged,
            counts.withdrawn_purged,
            counts.files,
        )
    return counts
