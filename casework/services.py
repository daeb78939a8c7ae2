"""Writes that carry a rule. Every entry point (views, admin, commands) calls these.

Each service takes keyword-only arguments, runs in a transaction, and writes
its own audit event: callers never write audit events themselves.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.audit import audit_record
from casework.crypto import Sealer, fingerprint
from casework.eligibility import officer_refusals
from casework.identifiers import (
    passphrase_hash,
    passphrase_new,
    phone_normalise,
    reference_new,
    suspect_identifier_normalise,
)
from casework.models import (
    Answer,
    AuditEvent,
    Case,
    CaseFeedback,
    CaseNote,
    Category,
    ChecklistItem,
    Evidence,
    Governorate,
    Message,
    ReporterCredential,
    StaffProfile,
    SuspectIdentifier,
    Unit,
)
from casework.reference_data import category_by_code, governorates_all, units_all
from casework.roles import staff_role_apply
from casework.selectors import (
    case_access_for,
    evidence_can_open,
    officer_list_for_case,
)
from casework.staffing import staff_profile_change, staff_profiles_share_lock
from casework.victim import case_require_victim_input_accepted


@transaction.atomic
def staff_account_upsert(
    *,
    username: str,
    first_name: str,
    role: str,
    sex: str,
    unit: Unit | None,
    governorates: Iterable[Governorate],
    password: str | None = None,
) -> StaffProfile:
    """Create or update a console account and its profile.

    Every console user is staff (``is_staff``); what they may do comes from the
    role (its group's permissions, ``casework.roles``), never from
    ``is_superuser``, which Sanad does not hand out.

    An update never reactivates an account: ``casework.auth.staff_deactivate``
    ends an account on purpose, and editing its unit must not undo that.

    This is the server's own door (seed_demo, bootstrap, benchmarks), with no
    acting administrator: an existing profile is changed through
    ``casework.staffing.staff_profile_change(by=None)``, so the change is
    audited and moves cases like any other. The console creates and edits
    accounts through ``casework.staffing`` (two-person rule).
    """
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username)
    user.first_name = first_name
    user.is_staff = True
    user.is_superuser = False
    if password is not None:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.save()
    existing = StaffProfile.objects.filter(user=user).first()
    if existing is not None:
        # The server's own commands (seed, bootstrap) change staff through the
        # same door as the console: audited, and cases moved when needed.
        profile = staff_profile_change(
            profile=existing,
            by=None,
            role=role,
            sex=sex,
            unit=unit,
            governorates=list(governorates),
            via="command",
        ).profile
        # Puts back a role group removed by hand (idempotent).
        staff_role_apply(user=user, role=role)
        return profile
    profile = StaffProfile.objects.create(user=user, role=role, sex=sex, unit=unit)
    profile.governorates.set(list(governorates))
    staff_role_apply(user=user, role=role)
    return profile


# --- filing ---------------------------------------------------------------------

# First-contact deadlines (SLA) per priority.
FIRST_CONTACT_SLA = {
    "urgent": dt.timedelta(hours=2),
    "high": dt.timedelta(hours=24),
    "normal": dt.timedelta(hours=72),
}
URGENT_DEADLINE_WINDOW = dt.timedelta(hours=48)

MESSAGE_EMPTY = _("Please write a message before sending.")
MESSAGE_TOO_LONG = _("This message is too long. Please keep it under %(limit)s characters.")
CASE_CLOSED_FOR_MESSAGES = _("This report is closed, so no new messages can be added.")
MAX_MESSAGE_LENGTH = 5000


@dataclass
class ReportAnswers:
    """Everything a victim may tell us. Each field is optional but the unit
    and priority rules need ``knows_blackmailer`` and the safety answers."""

    category_code: str = ""
    platform: str = ""
    narrative: str = ""
    knows_blackmailer: str = ""
    suspect_identifiers: list[str] = field(default_factory=list)
    threat_deadline: dt.datetime | None = None
    threat_details: str = ""
    money_demanded: str = Answer.UNANSWERED
    money_paid: str = Answer.UNANSWERED
    amount_paid: str = ""
    is_minor: str = Answer.UNANSWERED
    self_harm_risk: str = Answer.UNANSWERED
    device_shared: bool = False
    contact_method: str = Case.ContactMethod.MESSAGES_ONLY
    phone: str = ""
    safe_hours: str = ""
    contact_rules: list[str] = field(default_factory=list)
    name: str = ""
    governorate_code: str = ""
    wants_female_officer: bool = False

    def __post_init__(self) -> None:
        # The four yes/no questions keep their meaning (casework.models.Answer);
        # True/False still mean an explicit "yes"/"no" (demo data, fixtures).
        for name in ANSWER_FIELDS:
            value = getattr(self, name)
            if isinstance(value, bool):
                value = Answer.YES if value else Answer.NO
            setattr(self, name, value if value in Answer.values else Answer.UNANSWERED)


# ReportAnswers field -> Case field, for the questions answered yes / no /
# preferred not to say / not answered.
ANSWER_FIELDS = {
    "money_demanded": "money_demanded_answer",
    "money_paid": "money_paid_answer",
    "is_minor": "minor_answer",
    "self_harm_risk": "self_harm_answer",
}


@dataclass(frozen=True)
class FiledReport:
    case: Case
    passphrase: str  # shown once on the receipt, never stored


def route_unit_kind(*, category_code: str, knows_blackmailer: str) -> str:
    """Family violence -> Family Protection; a known blackmailer -> Community
    Police (497); unknown or unsure -> National Security Service (131), which
    has the means to identify an unknown person."""
    if category_code == Category.FAMILY_VIOLENCE:
        return Unit.Kind.FAMILY_PROTECTION
    if knows_blackmailer == Case.KnowsBlackmailer.YES:
        return Unit.Kind.COMMUNITY_POLICE
    return Unit.Kind.NATIONAL_SECURITY


def _counts_as_yes(answer: str | bool) -> bool:
    """A "yes", or a deliberate "preferred not to say", to a risk question.

    Someone who will not say whether they think of harming themselves, or
    whether they are under 18, may well be: the case is treated as if they
    had said yes (a first contact within 2 hours instead of 72) and the
    officer sees the real answer. A skipped question changes nothing: most
    people skip optional questions, and the urgent queue must stay urgent.
    """
    if isinstance(answer, bool):
        return answer
    return answer in {Answer.YES, Answer.PREFER_NOT}


def priority_for(
    *,
    self_harm_risk: str | bool,
    is_minor: str | bool,
    threat_deadline: dt.datetime | None,
    money_demanded: str | bool,
    money_paid: str | bool,
    now: dt.datetime,
) -> str:
    """Urgent: self-harm risk, a minor, or a deadline within 48 hours.
    High: money demanded or paid. Otherwise normal. "Preferred not to say"
    counts as yes (``_counts_as_yes``)."""
    if _counts_as_yes(self_harm_risk) or _counts_as_yes(is_minor):
        return Case.Priority.URGENT
    if threat_deadline is not None and threat_deadline - now <= URGENT_DEADLINE_WINDOW:
        return Case.Priority.URGENT
    if _counts_as_yes(money_demanded) or _counts_as_yes(money_paid):
        return Case.Priority.HIGH
    return Case.Priority.NORMAL


def _unique_reference() -> str:
    for _attempt in range(20):
        reference = reference_new()
        if not Case.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("could not draw a free case reference")


# No savepoint: every caller files inside its own transaction, which a
# failure here aborts as a whole (no case without its credential and event).
@transaction.atomic(savepoint=False)
def report_file(
    *,
    owner_uuid: uuid.UUID,
    wrapped_key: bytes,
    answers: ReportAnswers,
    demo_passphrase: str | None = None,
    demo_reference: str | None = None,
) -> FiledReport:
    """Create a case from a victim's answers: the one way a case comes to exist.

    ``owner_uuid``/``wrapped_key`` come from the draft, so evidence uploaded
    while drafting is already encrypted for this case. Routing, priority and the
    first-contact deadline are decided here, the passphrase is generated and only
    its Argon2id hash kept, the filing is audited, and the case is offered to
    the auto-assigner. ``demo_passphrase`` and ``demo_reference`` exist only for
    seed_demo, so the demo follow-up logins it prints stay the same from run to run.
    """
    now = timezone.now()
    sealer = Sealer(owner=owner_uuid, wrapped_key=wrapped_key)
    # Reference rows from this process's kept copies (casework.reference_data).
    category = category_by_code(answers.category_code)
    unit_kind = route_unit_kind(
        category_code=answers.category_code, knows_blackmailer=answers.knows_blackmailer
    )
    unit = next((unit for unit in units_all() if unit.kind == unit_kind), None)
    if unit is None:
        unit = Unit.objects.get(kind=unit_kind)
    governorate = next(
        (row for row in governorates_all() if row.code == answers.governorate_code), None
    )
    priority = priority_for(
        self_harm_risk=answers.self_harm_risk,
        is_minor=answers.is_minor,
        threat_deadline=answers.threat_deadline,
        money_demanded=answers.money_demanded,
        money_paid=answers.money_paid,
        now=now,
    )
    identity = {
        "name": answers.name.strip(),
        "phone": phone_normalise(answers.phone),
        "safe_hours": answers.safe_hours.strip(),
        "contact_rules": sorted(set(answers.contact_rules)),
    }
    case = Case(
        uuid=owner_uuid,
        reference=demo_reference or _unique_reference(),
        filed_at=now,
        priority=priority,
        unit=unit,
        governorate=governorate,
        category=category,
        platform=answers.platform,
        knows_blackmailer=answers.knows_blackmailer,
        threat_deadline=answers.threat_deadline,
        **{case_field: getattr(answers, name) for name, case_field in ANSWER_FIELDS.items()},
        device_shared=answers.device_shared,
        contact_method=answers.contact_method or Case.ContactMethod.MESSAGES_ONLY,
        wants_female_officer=answers.wants_female_officer,
        is_anonymous=not identity["name"],
        first_contact_due_at=now + FIRST_CONTACT_SLA[priority],
        wrapped_key=wrapped_key,
        identity_enc=sealer.seal_json("identity", identity),
        narrative_enc=sealer.seal_text("narrative", answers.narrative.strip()),
        threat_enc=sealer.seal_json(
            "threat",
            {"details": answers.threat_details.strip(), "amount_paid": answers.amount_paid.strip()},
        ),
    )
    case.save()
    seen = set()
    suspects = []
    for raw in answers.suspect_identifiers:
        normalised = suspect_identifier_normalise(raw)
        if normalised is None or normalised in seen:
            continue
        seen.add(normalised)
        kind, value = normalised
        suspects.append(
            SuspectIdentifier(
                case=case,
                kind=kind,
                value_enc=sealer.seal_text(f"suspect/{kind}", value),
                fingerprint=fingerprint(f"{kind}:{value}"),
            )
        )
    # One INSERT for all of them, in the order given (their ids keep that order).
    SuspectIdentifier.objects.bulk_create(suspects)
    passphrase = demo_passphrase or passphrase_new()
    ReporterCredential.objects.create(case=case, passphrase_hash=passphrase_hash(passphrase))
    audit_record(
        action=AuditEvent.Action.CASE_FILED,
        actor_label="victim",
        case=case,
        details={"unit": unit.kind, "priority": priority, "suspects": len(seen)},
    )
    # Straight to the auto-assigner, without case_auto_assign's locked read:
    # the row was inserted by this transaction, so it is held already (nobody
    # else can see it yet) and is open and unassigned.
    case = _auto_assign_locked(case=case, reason="filed", exclude=None)
    return FiledReport(case=case, passphrase=passphrase)


# --- the victim's side of a case ------------------------------------------------


def _clean_message_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError(MESSAGE_EMPTY, code="message_empty")
    if len(body) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            MESSAGE_TOO_LONG, code="message_too_long", params={"limit": MAX_MESSAGE_LENGTH}
        )
    return body


def _message_store(*, case: Case, sender: str, officer: StaffProfile | None, body: str) -> Message:
    """Store one message of a locked case, encrypted and bound to its own row.

    A withdrawn case takes no more messages, from either side.
    """
    if case.status == Case.Status.WITHDRAWN:
        raise ValidationError(CASE_CLOSED_FOR_MESSAGES, code="case_withdrawn")
    message = Message.objects.create(case=case, sender=sender, officer=officer, body_enc=b"")
    message.body_enc = Sealer.of(case).seal_text(f"message/{message.pk}", body)
    message.save(update_fields=["body_enc"])
    return message


@transaction.atomic
def message_send_by_victim(*, case: Case, body: str) -> Message:
    case = Case.objects.select_for_update().get(pk=case.pk)
    case_require_victim_input_accepted(case=case)
    body = _clean_message_body(body)
    message = _message_store(case=case, sender=Message.Sender.VICTIM, officer=None, body=body)
    audit_record(
        action=AuditEvent.Action.MESSAGE_SENT,
        actor_label="victim",
        case=case,
        details={"message": message.pk, "sender": "victim"},
    )
    return message


@transaction.atomic
def message_send_by_officer(*, case: Case, body: str, by: StaffProfile) -> Message:
    """An officer's message to the victim. The victim sees "Officer", never a name.

    Only the assigned officer or a supervisor of the case may write
    (``by_not_allowed`` otherwise), whichever page or command calls this.
    """
    body = _clean_message_body(body)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case_access_for(case=case, viewer=by).can_message:
        raise ValidationError(NOT_ALLOWED_TO_MESSAGE, code="by_not_allowed")
    message = _message_store(case=case, sender=Message.Sender.OFFICER, officer=by, body=body)
    if case.first_contact_at is None:
        case.first_contact_at = message.created_at
        case.save(update_fields=["first_contact_at", "updated_at"])
    audit_record(
        action=AuditEvent.Action.MESSAGE_SENT,
        actor=by.user,
        case=case,
        details={"message": message.pk, "sender": "officer"},
    )
    return message


@transaction.atomic
def case_withdraw_by_victim(*, case: Case) -> Case:
    """The victim may withdraw at any time; the case is kept (for the record and
    for linked cases) but no officer may message them any more."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == Case.Status.WITHDRAWN:
        return case
    case_require_victim_input_accepted(case=case)  # a closed case stays closed
    previous = case.status
    case.status = Case.Status.WITHDRAWN
    case.withdrawn_at = timezone.now()
    case.save(update_fields=["status", "withdrawn_at", "updated_at"])
    audit_record(
        action=AuditEvent.Action.CASE_WITHDRAWN,
        actor_label="victim",
        case=case,
        details={"from": previous},
    )
    return case


EXTERNAL_REF_TOO_LONG = _("This number is too long.")


@transaction.atomic
def case_record_external_reference(*, case: Case, service: str, number: str) -> Case:
    """Keep the case number StopNCII.org or Take It Down gave the victim (encrypted)."""
    if service not in {"stopncii", "takeitdown"}:
        raise ValidationError("unknown service", code="unknown_service")
    number = (number or "").strip()
    if len(number) > 80:
        raise ValidationError(EXTERNAL_REF_TOO_LONG, code="external_ref_too_long")
    case = Case.objects.select_for_update().get(pk=case.pk)
    case_require_victim_input_accepted(case=case)
    sealer = Sealer.of(case)
    refs = sealer.open_json("external_refs", case.external_refs_enc, default={})
    refs[service] = number
    case.external_refs_enc = sealer.seal_json("external_refs", refs)
    case.save(update_fields=["external_refs_enc", "updated_at"])
    return case


# --- assignment -------------------------------------------------------------------

ASSIGN_CASE_CLOSED = _("This case is closed, so it cannot be assigned.")
ASSIGN_BY_NOT_ALLOWED = _("Only a supervisor of this case's unit and governorate may assign it.")
ASSIGN_CHANGED = _(
    "Someone else changed this case's assignment while you were deciding. "
    "Nothing was changed: please look at the case again."
)
NOT_ALLOWED_TO_MESSAGE = _(
    "Only the assigned officer or a supervisor of this case may message the victim."
)


class _Unchanged:
    def __repr__(self) -> str:
        return "CURRENT"


# ``expected_officer`` default: the caller did not see the case, so nothing to compare.
CURRENT = _Unchanged()


def _assign_refusals(
    *, case: Case, officer: StaffProfile, by: StaffProfile | None, expected_officer
) -> list[ValidationError]:
    """Every reason ``case_assign`` would refuse, most important first."""
    refusals = []
    # Only a supervisor of the case's scope assigns; by=None is the auto-assigner.
    if by is not None and not case_access_for(case=case, viewer=by).can_assign:
        refusals.append(ValidationError(ASSIGN_BY_NOT_ALLOWED, code="by_not_allowed"))
    # Closed, resolved or withdrawn cases keep whoever they had.
    if not case.is_open:
        refusals.append(ValidationError(ASSIGN_CASE_CLOSED, code="case_closed"))
    # Someone else assigned the case since the caller looked at it.
    if expected_officer is not CURRENT:
        expected_pk = expected_officer.pk if expected_officer is not None else None
        if case.assigned_officer_id != expected_pk:
            refusals.append(ValidationError(ASSIGN_CHANGED, code="assignment_changed"))
    # Whether the officer may hold this case at all: casework.eligibility.
    refusals.extend(officer_refusals(case=case, officer=officer))
    return refusals


def case_assign(
    *,
    case: Case,
    officer: StaffProfile,
    by: StaffProfile | None,
    expected_officer: StaffProfile | None | _Unchanged = CURRENT,
    via: str = "service",
) -> Case:
    """Assign (or reassign) ``case`` to ``officer``: the only way a case changes hands.

    ``by`` is the supervisor acting, or None for the auto-assigner. Refused, with
    ``ValidationError`` and a stable ``code``, when: ``by`` is not a supervisor
    of the case (``by_not_allowed``); the case is closed (``case_closed``); the
    assignment changed since the caller saw ``expected_officer``
    (``assignment_changed``: two supervisors at once, one wins); the officer is
    not an officer (``not_an_officer``), is male while the victim asked for a
    female officer (``female_officer_required``), is deactivated
    (``officer_inactive``), or works another unit or governorate
    (``officer_out_of_scope``).

    Every refusal is audited with the entry point (``via``), so a pattern of
    attempts is visible. The refusal event is committed with the caller's
    transaction: callers catch the ValidationError and report it rather than
    letting it roll their transaction back. The case row is locked
    (``SELECT ... FOR UPDATE``) for the whole decision, then the officer's
    profile row (lock order: case, staff profile, audit chain head), so a
    concurrent ``staff_profile_change`` of the officer (say, of their sex)
    either sees this assignment or is seen by it.
    """
    # No savepoint: a refusal leaves the block normally (its event kept) and is
    # raised after it; any other error aborts the caller's transaction anyway.
    with transaction.atomic(savepoint=False):
        locked = Case.objects.select_for_update().get(pk=case.pk)
        assigned, refusal = _case_assign_holding_case(
            case=locked, officer=officer, by=by, expected_officer=expected_officer, via=via
        )
    if refusal is not None:
        raise refusal
    return assigned


def _case_assign_holding_case(
    *, case: Case, officer: StaffProfile, by: StaffProfile | None, expected_officer, via: str
) -> tuple[Case, ValidationError | None]:
    """``case_assign`` for a caller that holds the case row locked already
    (the auto-assigner): the officer's row next, then the decision. Returns
    the case and the refusal (audited here) for the caller to raise, if any."""
    actor = by.user if by is not None else None
    staff_profiles_share_lock([officer.pk])
    # Read again under the lock; whether the officer serves the case's
    # governorate comes with it (casework.eligibility reads it from there).
    officer = (
        StaffProfile.objects.select_related("user")
        .annotate(
            serves_case_governorate=Exists(
                StaffProfile.governorates.through.objects.filter(
                    staffprofile_id=OuterRef("pk"), governorate_id=case.governorate_id
                )
            )
        )
        .get(pk=officer.pk)
    )
    officer.serves_case_governorate_of = case.governorate_id
    refusals = _assign_refusals(
        case=case, officer=officer, by=by, expected_officer=expected_officer
    )
    if not refusals:
        return _case_assign_locked(case=case, officer=officer, actor=actor, via=via), None
    audit_record(
        action=AuditEvent.Action.CASE_ASSIGN_REFUSED,
        actor=actor,
        case=case,
        details={
            "code": refusals[0].code,
            "codes": [refusal.code for refusal in refusals],
            "officer": officer.pk,
            "via": via,
        },
    )
    return case, refusals[0]


def _case_assign_locked(*, case: Case, officer: StaffProfile, actor, via: str) -> Case:
    previous = case.assigned_officer_id
    if previous == officer.pk and case.assignment_state == Case.AssignmentState.ASSIGNED:
        return case
    previous_status = case.status
    case.assigned_officer = officer
    case.assignment_state = Case.AssignmentState.ASSIGNED
    if case.status in {Case.Status.NEW, Case.Status.TRIAGED}:
        case.status = Case.Status.ASSIGNED
    case.save(update_fields=["assigned_officer", "assignment_state", "status", "updated_at"])
    audit_record(
        action=AuditEvent.Action.CASE_ASSIGNED,
        actor=actor,
        case=case,
        details={"officer": officer.pk, "previous": previous, "via": via},
    )
    if case.status != previous_status:
        audit_record(
            action=AuditEvent.Action.CASE_STATUS_CHANGED,
            actor=actor,
            case=case,
            details={"from": previous_status, "to": case.status, "via": via},
        )
    return case


@transaction.atomic
def case_auto_assign(*, case: Case, reason: str = "filed") -> Case:
    """Give an open, unassigned case to the least-loaded eligible officer.

    Eligible: active, of the case's unit and governorate, and female when the
    victim asked for a female officer (``officer_list_for_case``). Load is the
    number of open cases; ties go to the lowest pk. When nobody is eligible the
    case waits as "awaiting female officer" (or "awaiting officer"), which the
    supervisors' list flags; it is never given to anyone else.
    """
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if not locked.is_open or locked.assigned_officer_id is not None:
        return locked
    return _auto_assign_locked(case=locked, reason=reason, exclude=None)


def _auto_assign_locked(*, case: Case, reason: str, exclude: StaffProfile | None) -> Case:
    candidates = officer_list_for_case(case=case)
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    officer = candidates.first()
    if officer is not None:
        # The caller holds the case row locked: no second read of it.
        assigned, refusal = _case_assign_holding_case(
            case=case, officer=officer, by=None, expected_officer=CURRENT, via="auto"
        )
        if refusal is not None:
            raise refusal
        return assigned
    state = (
        Case.AssignmentState.AWAITING_FEMALE_OFFICER
        if case.wants_female_officer
        else Case.AssignmentState.AWAITING_OFFICER
    )
    case.assignment_state = state
    case.save(update_fields=["assignment_state", "updated_at"])
    audit_record(
        action=AuditEvent.Action.CASE_AWAITING,
        case=case,
        details={"state": state, "reason": reason},
    )
    return case


def case_release_for_staff_change(
    *, case: Case, officer: StaffProfile, actor: StaffProfile | None
) -> Case:
    """Take an open case from an officer who may no longer hold it, and offer it
    to the auto-assigner (the female-officer rule included) or leave it flagged
    as awaiting one. Only ``casework.staffing`` calls this, inside the staff
    change's transaction, with the case row and the candidates' rows locked."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.assigned_officer_id != officer.pk or not case.is_open:
        return case
    case.assigned_officer = None
    case.assignment_state = Case.AssignmentState.UNASSIGNED
    case.save(update_fields=["assigned_officer", "assignment_state", "updated_at"])
    audit_record(
        action=AuditEvent.Action.CASE_ASSIGNED,
        actor=actor.user if actor is not None else None,
        case=case,
        details={"officer": None, "previous": officer.pk, "via": "staff_change"},
    )
    return _auto_assign_locked(case=case, reason="officer_no_longer_eligible", exclude=officer)


# --- audited looks at a case ----------------------------------------------------------

REVEAL_REASON_REQUIRED = _("Please write why you need to see the full case.")
EVIDENCE_REASON_REQUIRED = _("Please write why you need to open this file.")
REVEAL_NOT_ALLOWED = _("Only a supervisor of this case may reveal it.")
EVIDENCE_NOT_ALLOWED = _("You may not open this file.")
MAX_REASON_LENGTH = 500


def _clean_reason(reason: str, *, message) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(message, code="reason_required")
    return reason[:MAX_REASON_LENGTH]


def case_view_record(*, case: Case, by: StaffProfile, level: str) -> None:
    """One event per page view of a case: who looked, and how much they saw."""
    audit_record(
        action=AuditEvent.Action.CASE_VIEWED,
        actor=by.user,
        case=case,
        details={"level": level},
    )


def case_reveal(*, case: Case, by: StaffProfile, reason: str) -> None:
    """A supervisor's reveal of a case's full details, with a written reason.

    The reveal itself lasts one page view; this event, with the reason, stays.
    """
    if not case_access_for(case=case, viewer=by).can_reveal:
        raise ValidationError(REVEAL_NOT_ALLOWED, code="by_not_allowed")
    reason = _clean_reason(reason, message=REVEAL_REASON_REQUIRED)
    audit_record(
        action=AuditEvent.Action.CASE_REVEALED,
        actor=by.user,
        case=case,
        details={"reason": reason},
    )


def evidence_open_by_staff(*, evidence: Evidence, by: StaffProfile, reason: str) -> Iterator[bytes]:
    """Open an original evidence file: checked, reasoned and audited every time.

    Refused (``by_not_allowed``) unless ``evidence_can_open``: the assigned
    officer or a supervisor of the case, and female staff only for possibly
    intimate evidence of a victim who asked for a female officer. The first
    chunk is decrypted before the event is written, so a file that cannot be
    read is not recorded as opened.
    """
    if not evidence_can_open(evidence=evidence, viewer=by):
        raise ValidationError(EVIDENCE_NOT_ALLOWED, code="by_not_allowed")
    reason = _clean_reason(reason, message=EVIDENCE_REASON_REQUIRED)
    evidence_store = importlib.import_module("casework.evidence")
    case = evidence.case
    sealer = Sealer.of(case)
    chunks = iter(evidence_store.evidence_open(evidence=evidence, sealer=sealer))
    first = next(chunks, b"")
    audit_record(
        action=AuditEvent.Action.EVIDENCE_OPENED,
        actor=by.user,
        case=case,
        details={"evidence": evidence.pk, "reason": reason},
    )
    return itertools.chain([first], chunks)


# --- working a case: status workflow, notes, checklist, feedback -------------------

S = Case.Status
# Explicit allowed transitions. Withdrawal is the victim's own act
# (case_withdraw_by_victim) and can happen from any open state.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    S.NEW: {S.TRIAGED, S.ASSIGNED},
    S.TRIAGED: {S.ASSIGNED},
    S.ASSIGNED: {S.IN_CONTACT},
    S.IN_CONTACT: {S.ACCOUNTS_SECURED, S.SUSPECT_IDENTIFIED},
    S.ACCOUNTS_SECURED: {S.SUSPECT_IDENTIFIED, S.REFERRED_TO_COURT, S.RESOLVED},
    S.SUSPECT_IDENTIFIED: {S.ACCOUNTS_SECURED, S.REFERRED_TO_COURT, S.RESOLVED},
    S.REFERRED_TO_COURT: {S.RESOLVED},
    S.RESOLVED: {S.CLOSED},
    S.CLOSED: set(),
    S.WITHDRAWN: set(),
}

TRANSITION_NOT_ALLOWED = _("A case cannot move from “%(current)s” to “%(target)s”.")
NOT_YOUR_CASE = _("Only the officer assigned to this case, or a supervisor over it, can do this.")
ARTICLE_REQUIRED = _("Choose the Penal Code article (430, 431 or 432) for the court referral.")
ASSIGN_THROUGH_ASSIGNMENT = _("Assign the case to an officer to move it to “assigned”.")
NOTE_EMPTY = _("Please write the note before saving.")
FEEDBACK_EMPTY = _("Please choose a rating or write your complaint.")
RATING_OUT_OF_RANGE = _("Please choose a rating from 1 to 5.")


def staff_may_work_case(*, case: Case, staff: StaffProfile) -> bool:
    """The assigned officer, or a supervisor over the case (casework.selectors)."""
    return staff is not None and case_access_for(case=case, viewer=staff).can_work


def _require_worker(case: Case, by: StaffProfile) -> None:
    if not staff_may_work_case(case=case, staff=by):
        raise ValidationError(NOT_YOUR_CASE, code="not_your_case")


@transaction.atomic
def case_transition(*, case: Case, to: str, by: StaffProfile, article: str = "") -> Case:
    """Move a case along the workflow; refuses anything not in ALLOWED_TRANSITIONS.

    Referral to court needs the Penal Code article and ticks that checklist
    action. Entering "in contact" records the first contact; "resolved" and
    "closed" record their times. Every change is audited.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_worker(case, by)
    if to == Case.Status.ASSIGNED:
        raise ValidationError(ASSIGN_THROUGH_ASSIGNMENT, code="assign_through_assignment")
    if to not in ALLOWED_TRANSITIONS.get(case.status, set()):
        raise ValidationError(
            TRANSITION_NOT_ALLOWED,
            code="transition_not_allowed",
            params={
                "current": Case.Status(case.status).label,
                "target": Case.Status(to).label if to in Case.Status.values else to,
            },
        )
    if to == Case.Status.REFERRED_TO_COURT and article not in ChecklistItem.Article.values:
        raise ValidationError(ARTICLE_REQUIRED, code="article_required")
    now = timezone.now()
    previous = case.status
    case.status = to
    fields = ["status", "updated_at"]
    if to == Case.Status.IN_CONTACT and case.first_contact_at is None:
        case.first_contact_at = now
        fields.append("first_contact_at")
    if to == Case.Status.RESOLVED:
        case.resolved_at = now
        fields.append("resolved_at")
    if to == Case.Status.CLOSED:
        case.closed_at = now
        fields.append("closed_at")
    case.save(update_fields=fields)
    audit_record(
        action=AuditEvent.Action.CASE_STATUS_CHANGED,
        actor=by.user,
        case=case,
        details={"from": previous, "to": to},
    )
    if to == Case.Status.REFERRED_TO_COURT:
        checklist_tick(case=case, code=ChecklistItem.Code.COURT_REFERRAL, by=by, article=article)
    return case


@transaction.atomic
def case_note_add(*, case: Case, body: str, by: StaffProfile) -> CaseNote:
    body = (body or "").strip()
    if not body:
        raise ValidationError(NOTE_EMPTY, code="note_empty")
    if len(body) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            MESSAGE_TOO_LONG, code="note_too_long", params={"limit": MAX_MESSAGE_LENGTH}
        )
    _require_worker(case, by)
    note = CaseNote.objects.create(case=case, author=by, body_enc=b"")
    sealer = Sealer.of(case)
    note.body_enc = sealer.seal_text(f"note/{note.pk}", body)
    note.save(update_fields=["body_enc"])
    audit_record(
        action=AuditEvent.Action.CASE_NOTE_ADDED,
        actor=by.user,
        case=case,
        details={"note": note.pk},
    )
    return note


@transaction.atomic
def checklist_tick(*, case: Case, code: str, by: StaffProfile, article: str = "") -> ChecklistItem:
    """Record one standard action with who and when (once per case)."""
    _require_worker(case, by)
    if code not in ChecklistItem.Code.values:
        raise ValidationError("unknown checklist action", code="unknown_action")
    if code == ChecklistItem.Code.COURT_REFERRAL and article not in ChecklistItem.Article.values:
        raise ValidationError(ARTICLE_REQUIRED, code="article_required")
    item, created = ChecklistItem.objects.get_or_create(
        case=case,
        code=code,
        defaults={
            "done_by": by,
            "article": article if code == ChecklistItem.Code.COURT_REFERRAL else "",
        },
    )
    if created:
        audit_record(
            action=AuditEvent.Action.CHECKLIST_TICKED,
            actor=by.user,
            case=case,
            details={"action": code, "article": item.article},
        )
    return item


@transaction.atomic
def feedback_submit(*, case: Case, rating: int | None, complaint: str) -> CaseFeedback:
    """From the victim's follow-up page. Addressed to supervisors, recorded
    against the officer assigned now, who will never see it. A withdrawn or
    closed report takes no more (``case_require_victim_input_accepted``)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    case_require_victim_input_accepted(case=case)
    complaint = (complaint or "").strip()
    if rating is None and not complaint:
        raise ValidationError(FEEDBACK_EMPTY, code="feedback_empty")
    if rating is not None and not 1 <= rating <= 5:
        raise ValidationError(RATING_OUT_OF_RANGE, code="rating_out_of_range")
    if len(complaint) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            MESSAGE_TOO_LONG, code="complaint_too_long", params={"limit": MAX_MESSAGE_LENGTH}
        )
    feedback = CaseFeedback.objects.create(
        case=case,
        kind=CaseFeedback.Kind.COMPLAINT if complaint else CaseFeedback.Kind.RATING,
        rating=rating,
        about_officer=case.assigned_officer,
    )
    if complaint:
        sealer = Sealer.of(case)
        feedback.body_enc = sealer.seal_text(f"feedback/{feedback.pk}", complaint)
        feedback.save(update_fields=["body_enc"])
    audit_record(
        action=AuditEvent.Action.FEEDBACK_RECEIVED,
        actor_label="victim",
        case=case,
        details={"feedback": feedback.pk, "kind": feedback.kind},
    )
    return feedback
