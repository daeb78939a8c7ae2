"""Public-side writes: drafts of a report, advice pages, the victim's follow-up login.

The follow-up login is the door an attacker would hammer, so its checks are
ordered cheapest first: input length, then the guards of
reporting.login_guard (which count the attempt), and only then the code's hash.
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
from casework.identifiers import (
    CodeCheck,
    code_check_cost,
    dummy_hash_for,
    passphrase_check,
    passphrase_hash,
    passphrase_normalise,
    reference_normalise,
)
from casework.key_checks import sealer_new
from casework.models import AuditEvent, Case, FollowUpLockout, ReporterCredential
from reporting.advice_content import ADVICE_PAGES
from reporting.login_guard import (
    LOGIN,
    GuardOutcome,
    Verdict,
    guard_reserve,
    guard_settle_failure,
    guard_settle_success,
)
from reporting.models import AdvicePage, ReportDraft

# --- drafts ---------------------------------------------------------------------


def draft_create(
    *, owner: uuid.UUID | None = None, wrapped_key: bytes | None = None
) -> ReportDraft:
    """A new draft; ``owner`` and ``wrapped_key`` when its key was made before
    the draft could be created (evidence encrypted before CSRF was checked)."""
    if owner is None or wrapped_key is None:
        owner = uuid.uuid4()
        _sealer, wrapped_key = sealer_new(owner=owner)  # refuses a wrong key (casework.key_checks)
    return ReportDraft.objects.create(uuid=owner, wrapped_key=wrapped_key)


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


class FollowUpOutcome(GuardOutcome):
    """What a follow-up login attempt came to (see reporting.login_guard)."""


@dataclass(frozen=True)
class FollowUpResult:
    outcome: str
    case: Case | None = None
    # When a lock or block ends (for the person to be told), and how many
    # wrong codes this reference still takes before it locks.
    until: dt.datetime | None = None
    tries_left: int | None = None


def _record_lockouts(
    *, scopes: tuple[tuple[str, dt.datetime], ...], case: Case | None, client: str
) -> None:
    for scope, until in scopes:
        FollowUpLockout.objects.create(
            scope=scope,
            case=case if scope == FollowUpLockout.Scope.REFERENCE else None,
            client_fingerprint=client if scope != FollowUpLockout.Scope.REFERENCE else "",
            until=until,
        )
        audit_record(
            action=AuditEvent.Action.FOLLOWUP_LOCKOUT,
            actor_label="system",
            case=case if scope == FollowUpLockout.Scope.REFERENCE else None,
            details={"scope": scope},
        )


@transaction.atomic
def _followup_login_succeeded(*, case: Case, digits: str, check: CodeCheck) -> None:
    credential = ReporterCredential.objects.select_for_update().get(case=case)
    credential.last_used_at = timezone.now()
    fields = ["last_used_at"]
    if check.needs_rehash:
        # Older parameters (or no pepper): move to today's, so old codes stop
        # costing more than new ones and stop standing out by their timing.
        credential.passphrase_hash = passphrase_hash(digits)
        fields.append("passphrase_hash")
    credential.save(update_fields=fields)
    audit_record(action=AuditEvent.Action.FOLLOWUP_LOGIN, actor_label="victim", case=case)


def followup_authenticate(
    *, reference: str, passphrase: str, client_address: str
) -> FollowUpResult:
    """Check a reference + code behind the guards of reporting.login_guard.

    Every attempt is counted before hashing (per reference, client address,
    network prefix and site-wide budget); five wrong codes for one reference in
    15 minutes lock it (even the right code is refused then, at most a few
    times a day). Over-long input costs no hashing, and a reference that does
    not exist costs the same hash as one that does and gets the same answer.
    """
    canonical_reference = reference_normalise(reference)
    digits = passphrase_normalise(passphrase)
    case = None
    stored_hash = None
    if canonical_reference is not None:
        case = (
            Case.objects.select_related("credential").filter(reference=canonical_reference).first()
        )
        credential = getattr(case, "credential", None) if case is not None else None
        stored_hash = credential.passphrase_hash if credential is not None else None
    # What the check will cost, known before hashing: the site's budget counts
    # an old, dearer hash (or the dummy standing in for one) for what it costs.
    cost = code_check_cost(stored_hash or dummy_hash_for(canonical_reference))
    reserved = guard_reserve(
        door=LOGIN,
        client_address=client_address,
        target=canonical_reference,
        hashing=digits is not None,
        cost=cost,
    )
    if isinstance(reserved, Verdict):
        return FollowUpResult(reserved.outcome, until=reserved.until)

    # A malformed code cannot be right: it counts as a guess but costs no hashing.
    check = (
        passphrase_check(stored_hash, digits, dummy_seed=canonical_reference)
        if digits is not None
        else CodeCheck(False)
    )
    if check.matches and case is not None:
        guard_settle_success(reserved)
        _followup_login_succeeded(case=case, digits=digits, check=check)
        return FollowUpResult(FollowUpOutcome.OK, case)

    verdict = guard_settle_failure(reserved)
    if verdict.locked_scopes:
        _record_lockouts(
            scopes=verdict.locked_scopes,
            case=case,
            client=client_fingerprint(client_address, purpose="followup"),
        )
    return FollowUpResult(
        FollowUpOutcome.INVALID, until=verdict.until, tries_left=verdict.tries_left
    )
