"""Filing a report: the one door from a draft to a case, and its receipt.

``report_submit`` re-checks every step, files the case, attaches the draft's
evidence, seals the receipt and deletes the draft in one transaction, with the
draft row locked: a double press, a retry after a crash or two app servers at
once file one case, and every request gets to the same receipt.

The receipt's secret code is never stored in clear. For a few minutes it is
kept sealed under a key derived from a random value that only the filing
browser holds (a cookie) and the server's secret: the database alone, the
cookie alone, or a log of either, reveals nothing.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.audit import DeferredAudit, audit_deferred, audit_record
from casework.crypto import DecryptionError, field_decrypt, field_encrypt
from casework.evidence import evidence_attach_to_case, evidence_discard_for_owner
from casework.models import Answer, AuditEvent, Case, Platform
from casework.services import ReportAnswers, report_file
from reporting import forms
from reporting.models import FiledReceipt, ReportDraft
from reporting.services import draft_answers

RECEIPT_COOKIE = "rk"
RECEIPT_WINDOW = dt.timedelta(minutes=10)
RECEIPT_KEY_BYTES = 32

NOTHING_TO_ACT_ON = _(
    "Please tell us at least what is happening (the first step) so an officer can act."
)
STEP_NEEDS_CHECK = _("Please check this step before sending: something in it is not right.")
DRAFT_GONE = _("This report is no longer here to send.")

# Every step the person answers, with the form that parses it. The evidence
# step has only files, checked one by one as they arrive.
FILING_STEPS = (
    ("what", forms.WhatForm),
    ("blackmailer", forms.BlackmailerForm),
    ("threat", forms.ThreatForm),
    ("safety", forms.SafetyForm),
    ("contact", forms.ContactForm),
)

# What the yes/no questions' radio buttons send, and what is stored.
RAW_ANSWERS = {"yes": Answer.YES, "no": Answer.NO, "skip": Answer.PREFER_NOT}


# --- checking and reading a draft ----------------------------------------------------


def _first(raw: dict, name: str) -> str:
    values = raw.get(name) or [""]
    return values[0] or ""


def draft_step_as_form_data(raw: dict) -> QueryDict:
    """One step's saved answers as the form data the step's form was sent."""
    data = QueryDict(mutable=True)
    for name, values in raw.items():
        data.setlist(name, [value for value in values if isinstance(value, str)])
    return data


def draft_validate(answers: dict) -> None:
    """Refuse to file a draft whose answers a step would not accept.

    The steps' forms check what a person types; a draft can still hold an
    answer no step accepted (saved with its errors, then "Check and send"
    opened directly) or one written by a tampered request. Raises
    ValidationError with ``params["step"]``, the first step to look at again:
    ``nothing_to_act_on`` when the first step is empty, ``step_invalid`` for
    any step that was answered and is not right (say, phone contact without a
    phone). Steps never opened stay unanswered: everything is optional except
    enough to act on.
    """
    if not _first(answers.get("what", {}), "category"):
        raise ValidationError(NOTHING_TO_ACT_ON, code="nothing_to_act_on", params={"step": "what"})
    for slug, form_class in FILING_STEPS:
        raw = answers.get(slug)
        if raw is None:
            continue
        if (
            not isinstance(raw, dict)
            or not form_class(data=draft_step_as_form_data(raw)).is_valid()
        ):
            raise ValidationError(STEP_NEEDS_CHECK, code="step_invalid", params={"step": slug})


def answer_from_raw(raw: dict, name: str) -> str:
    return RAW_ANSWERS.get(_first(raw, name), Answer.UNANSWERED)


def answers_to_report(answers: dict, *, now: dt.datetime) -> ReportAnswers:
    what, who, threat = (
        answers.get("what", {}),
        answers.get("blackmailer", {}),
        answers.get("threat", {}),
    )
    safety, contact = answers.get("safety", {}), answers.get("contact", {})
    deadline = _first(threat, "deadline")
    hours = forms.DeadlineChoice.HOURS.get(deadline)
    valid_rules = {code for code, _label in forms.ContactRule.CHOICES}
    return ReportAnswers(
        category_code=_first(what, "category"),
        platform=_first(what, "platform") if _first(what, "platform") in Platform.values else "",
        narrative=_first(what, "narrative")[:10000],
        knows_blackmailer=_first(who, "knows_blackmailer")
        if _first(who, "knows_blackmailer") in Case.KnowsBlackmailer.values
        else "",
        suspect_identifiers=[
            line for line in _first(who, "identifiers").splitlines() if line.strip()
        ][: forms.MAX_IDENTIFIER_LINES],
        threat_deadline=now + dt.timedelta(hours=hours) if hours else None,
        threat_details=_first(threat, "demands")[:3000],
        money_demanded=answer_from_raw(threat, "money_demanded"),
        money_paid=answer_from_raw(threat, "money_paid"),
        amount_paid=_first(threat, "amount_paid")[:200],
        is_minor=answer_from_raw(safety, "is_minor"),
        self_harm_risk=answer_from_raw(safety, "self_harm"),
        device_shared=_first(safety, "device_shared") in {"yes", "unsure"},
        contact_method=_first(contact, "contact_method")
        if _first(contact, "contact_method") in Case.ContactMethod.values
        else Case.ContactMethod.MESSAGES_ONLY,
        phone=_first(contact, "phone")[:40],
        safe_hours=_first(contact, "safe_hours")[:200],
        contact_rules=[rule for rule in contact.get("contact_rules", []) if rule in valid_rules],
        name=_first(contact, "name")[:120],
        governorate_code=_first(contact, "governorate"),
        wants_female_officer=_first(contact, "female_officer") == "yes",
    )


# --- the sealed receipt --------------------------------------------------------------


def receipt_browser_key_new() -> str:
    """The browser's half of the receipt key, for its cookie (never stored here)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(RECEIPT_KEY_BYTES)).decode()


def receipt_browser_key_parse(value: str | None) -> bytes | None:
    if not value or len(value) > 64:
        return None
    try:
        key = base64.urlsafe_b64decode(value.encode())
    except (binascii.Error, ValueError):
        return None
    return key if len(key) == RECEIPT_KEY_BYTES else None


def _receipt_key(browser_key: bytes, case: Case) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=settings.SECRET_KEY.encode(),
        info=b"sanad/receipt/" + case.uuid.bytes,
    ).derive(browser_key)


def _receipt_seal(*, case: Case, browser_key: bytes, code: str) -> bytes:
    return field_encrypt(
        _receipt_key(browser_key, case), code.encode(), owner=case.uuid, field="receipt/code"
    )


def receipt_open(*, case: Case, browser_key: bytes | None, now: dt.datetime) -> str | None:
    """The code of a report this browser just filed, or None once the window
    has ended, the code was checked, or the browser is not the one that filed."""
    if browser_key is None:
        return None
    receipt = FiledReceipt.objects.filter(case=case, show_until__gt=now).first()
    if receipt is None:
        return None
    try:
        plain = field_decrypt(
            _receipt_key(browser_key, case),
            receipt.sealed_code,
            owner=case.uuid,
            field="receipt/code",
        )
    except DecryptionError:
        return None
    return plain.decode()


def receipt_forget(*, case: Case) -> None:
    """The person typed the code back correctly: it need not be shown again."""
    FiledReceipt.objects.filter(case=case).delete()


# --- filing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitResult:
    case: Case
    filed_now: bool  # False: this draft was filed already (a double press, a retry)


@transaction.atomic
def report_submit(
    *, draft: ReportDraft, browser_key: bytes, now: dt.datetime | None = None
) -> SubmitResult:
    """File ``draft`` as a case, once, whatever happens around it.

    In one transaction, with the draft row locked: every answered step is
    checked again (``draft_validate``: nothing is filed, nothing lost, and
    the person is sent back to the step), the case is filed (routing,
    priority, code: ``casework.services.report_file``), the draft's evidence
    is attached, the code is sealed for the receipt (``browser_key``) and the
    draft is deleted. A failure anywhere leaves no case and the draft as it
    was, so "Send" can be pressed again.

    Idempotent: a second request for the same draft waits for the lock and
    finds the case filed (``filed_now`` False). A draft whose case exists
    already (a worker that died mid-filing before filing was one transaction)
    gets its evidence attached and is deleted, never filed twice.
    ``draft_gone`` when neither the draft nor its case exists.
    """
    # Every event of the filing (filed, assigned, evidence added) is appended
    # at the end in one go, in the order recorded: one lock of the chain head,
    # taken after the case and staff profile rows.
    with audit_deferred() as audit:
        return _report_submit_locked(draft=draft, browser_key=browser_key, now=now, audit=audit)


def _report_submit_locked(
    *, draft: ReportDraft, browser_key: bytes, now: dt.datetime | None, audit: DeferredAudit
) -> SubmitResult:
    now = now or timezone.now()
    # Whether the draft's case exists comes with the locked read. A send that
    # held the lock deleted the draft with filing (then no row comes back and
    # the case is read on its own, after the lock); a draft row that does come
    # back was never filed since this statement began, as whoever files a
    # draft deletes it in the same transaction.
    locked = (
        ReportDraft.objects.select_for_update()
        .filter(pk=draft.pk)
        .annotate(case_filed=Exists(Case.objects.filter(uuid=OuterRef("uuid"))))
        .first()
    )
    case = None
    if locked is None or locked.case_filed:
        case = Case.objects.filter(uuid=draft.uuid).first()
    if case is not None:
        if locked is not None:
            evidence_attach_to_case(owner_uuid=locked.uuid, case=case)
            locked.delete()
        return SubmitResult(case=case, filed_now=False)
    if locked is None:
        raise ValidationError(DRAFT_GONE, code="draft_gone")
    answers = draft_answers(locked)
    draft_validate(answers)
    filed = report_file(
        owner_uuid=locked.uuid,
        wrapped_key=locked.wrapped_key,
        answers=answers_to_report(answers, now=now),
    )
    audit.case_inserted(filed.case)
    evidence_attach_to_case(owner_uuid=locked.uuid, case=filed.case)
    FiledReceipt.objects.create(
        case=filed.case,
        sealed_code=_receipt_seal(case=filed.case, browser_key=browser_key, code=filed.passphrase),
        show_until=now + RECEIPT_WINDOW,
    )
    locked.delete()
    return SubmitResult(case=filed.case, filed_now=True)


# --- what must not linger -------------------------------------------------------------


@dataclass
class PurgeCounts:
    drafts: int = 0
    files: int = 0
    files_kept_for_cases: int = 0
    receipts: int = 0


def _draft_purge_locked(draft: ReportDraft, counts: PurgeCounts) -> None:
    case = Case.objects.filter(uuid=draft.uuid).first()
    if case is not None:
        # Filed, but the draft outlived the filing (a worker died mid-filing
        # before filing was one transaction): its files are the case's evidence.
        counts.files_kept_for_cases += evidence_attach_to_case(owner_uuid=draft.uuid, case=case)
    else:
        counts.files += evidence_discard_for_owner(owner_uuid=draft.uuid)
    draft.delete()
    counts.drafts += 1


@transaction.atomic
def draft_discard_expired(*, draft: ReportDraft) -> None:
    """Delete one expired draft and its files (never a filed case's files)."""
    locked = ReportDraft.objects.select_for_update().filter(pk=draft.pk).first()
    if locked is not None:
        counts = PurgeCounts()
        _draft_purge_locked(locked, counts)
        _audit_purge(counts)


def _audit_purge(counts: PurgeCounts) -> None:
    if counts.drafts or counts.receipts:
        audit_record(
            action=AuditEvent.Action.DRAFTS_PURGED,
            actor_label="system",
            # Counts only: a draft is nobody's case yet, and has no reference.
            details={
                "drafts": counts.drafts,
                "files": counts.files,
                "files_kept_for_cases": counts.files_kept_for_cases,
                "receipts": counts.receipts,
            },
        )


def drafts_purge_expired(*, now: dt.datetime | None = None) -> PurgeCounts:
    """Delete unfinished reports older than SANAD_DRAFT_MAX_AGE_SECONDS with
    their encrypted files (the form promises they do not linger), and sealed
    receipts past their window. Evidence of a filed case is never deleted.
    One audit event records the counts."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.SANAD_DRAFT_MAX_AGE_SECONDS)
    counts = PurgeCounts()
    expired = ReportDraft.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)
    for pk in list(expired):
        with transaction.atomic():
            draft = ReportDraft.objects.select_for_update().filter(pk=pk).first()
            if draft is not None:
                _draft_purge_locked(draft, counts)
    counts.receipts, _by_model = FiledReceipt.objects.filter(show_until__lte=now).delete()
    _audit_purge(counts)
    return counts
