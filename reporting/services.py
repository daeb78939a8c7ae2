"""Public-side writes: drafts of a report, advice pages, the victim's follow-up login.

The follow-up login is the door an attacker would hammer, so its checks are
ordered cheapest first: input length, then the lockouts, and only then the
Argon2id hash (~0.2 s of CPU).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from casework.audit import audit_record
from casework.crypto import Sealer, client_fingerprint
from casework.identifiers import passphrase_normalise, passphrase_verify, reference_normalise
from casework.key_checks import sealer_new
from casework.models import AuditEvent, Case, FollowUpLockout
from casework.throttle import throttle_clear, throttle_hit, throttle_key, throttle_state
from reporting.advice_content import ADVICE_PAGES
from reporting.models import AdvicePage, ReportDraft

# --- drafts ---------------------------------------------------------------------


def draft_create() -> ReportDraft:
    owner = uuid.uuid4()
    _sealer, wrapped = sealer_new(owner=owner)  # refuses a wrong key (casework.key_checks)
    return ReportDraft.objects.create(uuid=owner, wrapped_key=wrapped)


def draft_sealer(draft: ReportDraft) -> Sealer:
    return Sealer.of(draft)


def draft_answers(draft: ReportDraft) -> dict:
    return draft_sealer(draft).open_json("draft/answers", draft.answers_enc, default={})


@transaction.atomic
def draft_save_step(*, draft: ReportDraft, step: str, data: dict) -> dict:
    """Merge one step's answers into the draft (encrypted as a whole)."""
    draft = ReportDraft.objects.select_for_update().get(pk=draft.pk)
    sealer = draft_sealer(draft)
    answers = sealer.open_json("draft/answers", draft.answers_enc, default={})
    answers[step] = data
    draft.answers_enc = sealer.seal_json("draft/answers", answers)
    draft.save(update_fields=["answers_enc", "updated_at"])
    return answers


def draft_is_expired(draft: ReportDraft) -> bool:
    return draft.created_at < timezone.now() - dt.timedelta(
        seconds=settings.SANAD_DRAFT_MAX_AGE_SECONDS
    )


# --- advice ---------------------------------------------------------------------


def advice_pages_install() -> int:
    """Create or refresh the built-in advice pages in all three languages."""
    for order, page in enumerate(ADVICE_PAGES):
        defaults = {"sort_order": order, "is_published": True}
        for lang in ("ar", "ckb", "en"):
            defaults[f"title_{lang}"] = page["title"][lang]
            defaults[f"summary_{lang}"] = page["summary"][lang]
            defaults[f"body_{lang}"] = page["body"][lang]
        AdvicePage.objects.update_or_create(slug=page["slug"], defaults=defaults)
    return len(ADVICE_PAGES)


# --- follow-up login ------------------------------------------------------------


class FollowUpOutcome:
    OK = "ok"
    INVALID = "invalid"  # wrong reference or passphrase: one answer for both
    LOCKED = "locked"  # this reference is locked after too many wrong guesses
    CLIENT_LOCKED = "client_locked"  # this client guessed too much across references


@dataclass(frozen=True)
class FollowUpResult:
    outcome: str
    case: Case | None = None


def _record_lockout(*, scope: str, case: Case | None, client: str, until: dt.datetime) -> None:
    FollowUpLockout.objects.create(
        scope=scope, case=case, client_fingerprint=client if scope == "client" else "", until=until
    )
    audit_record(
        action=AuditEvent.Action.FOLLOWUP_LOCKOUT,
        actor_label="system",
        case=case,
        details={"scope": scope},
    )


def followup_authenticate(
    *, reference: str, passphrase: str, client_address: str
) -> FollowUpResult:
    """Check a reference + passphrase, throttled per reference and per client.

    Five wrong passphrases for one reference within 15 minutes lock that
    reference for 15 minutes: even the right passphrase is refused then. A
    client making many wrong guesses across references is locked too (stops
    enumeration). Locked or over-long input is refused before any hashing, and
    a reference that does not exist costs the same hash as one that does.
    """
    client = client_fingerprint(client_address, purpose="followup")
    client_key = throttle_key("followup-client", client)
    if throttle_state(client_key).locked:
        return FollowUpResult(FollowUpOutcome.CLIENT_LOCKED)

    canonical_reference = reference_normalise(reference)
    digits = passphrase_normalise(passphrase)
    reference_key = throttle_key("followup-ref", canonical_reference or "invalid")
    if canonical_reference is not None and throttle_state(reference_key).locked:
        return FollowUpResult(FollowUpOutcome.LOCKED)

    case = None
    stored_hash = None
    if canonical_reference is not None:
        case = (
            Case.objects.select_related("credential").filter(reference=canonical_reference).first()
        )
        credential = getattr(case, "credential", None) if case is not None else None
        stored_hash = credential.passphrase_hash if credential is not None else None

    if digits is None:
        # Cannot be right; still counts as a guess, but costs no hashing.
        verified = False
    else:
        verified = passphrase_verify(stored_hash, digits) and case is not None

    if verified:
        throttle_clear(reference_key)
        case.credential.last_used_at = timezone.now()
        case.credential.save(update_fields=["last_used_at"])
        audit_record(action=AuditEvent.Action.FOLLOWUP_LOGIN, actor_label="victim", case=case)
        return FollowUpResult(FollowUpOutcome.OK, case)

    lock_seconds = settings.SANAD_FOLLOWUP_LOCKOUT_SECONDS
    if canonical_reference is not None:
        state = throttle_hit(
            key=reference_key,
            limit=settings.SANAD_FOLLOWUP_MAX_FAILURES,
            window_seconds=lock_seconds,
            lock_seconds=lock_seconds,
        )
        if state.just_locked:
            _record_lockout(
                scope=FollowUpLockout.Scope.REFERENCE,
                case=case,
                client="",
                until=state.locked_until,
            )
    client_state = throttle_hit(
        key=client_key,
        limit=settings.SANAD_FOLLOWUP_CLIENT_MAX_FAILURES,
        window_seconds=lock_seconds,
        lock_seconds=lock_seconds,
    )
    if client_state.just_locked:
        _record_lockout(
            scope=FollowUpLockout.Scope.CLIENT,
            case=None,
            client=client,
            until=client_state.locked_until,
        )
    return FollowUpResult(FollowUpOutcome.INVALID)


def drafts_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete unfinished reports older than SANAD_DRAFT_MAX_AGE_SECONDS, with
    their encrypted evidence: the form promises they do not linger."""
    from casework.evidence import evidence_discard_for_owner

    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.SANAD_DRAFT_MAX_AGE_SECONDS)
    purged = 0
    for draft in ReportDraft.objects.filter(created_at__lt=cutoff).only("pk", "uuid").iterator():
        evidence_discard_for_owner(owner_uuid=draft.uuid)
        draft.delete()
        purged += 1
    return purged
