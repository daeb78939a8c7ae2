"""Writes that carry a rule. Every entry point (views, admin, commands) calls these.

Each service takes keyword-only arguments, runs in a transaction, and writes
its own audit event: callers never write audit events themselves.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.audit import audit_record
from casework.crypto import Sealer, fingerprint
from casework.identifiers import (
    passphrase_hash,
    passphrase_new,
    reference_new,
    suspect_identifier_normalise,
)
from casework.models import (
    AuditEvent,
    Case,
    Category,
    Governorate,
    Message,
    ReporterCredential,
    StaffProfile,
    SuspectIdentifier,
    Unit,
)
from casework.roles import staff_role_apply


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
    profile, _created = StaffProfile.objects.update_or_create(
        user=user, defaults={"role": role, "sex": sex, "unit": unit}
    )
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
    money_demanded: bool = False
    money_paid: bool = False
    amount_paid: str = ""
    is_minor: bool = False
    self_harm_risk: bool = False
    device_shared: bool = False
    contact_method: str = Case.ContactMethod.MESSAGES_ONLY
    phone: str = ""
    safe_hours: str = ""
    contact_rules: list[str] = field(default_factory=list)
    name: str = ""
    governorate_code: str = ""
    wants_female_officer: bool = False


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


def priority_for(
    *,
    self_harm_risk: bool,
    is_minor: bool,
    threat_deadline: dt.datetime | None,
    money_demanded: bool,
    money_paid: bool,
    now: dt.datetime,
) -> str:
    """Urgent: self-harm risk, a minor, or a deadline within 48 hours.
    High: money demanded or paid. Otherwise normal."""
    if self_harm_risk or is_minor:
        return Case.Priority.URGENT
    if threat_deadline is not None and threat_deadline - now <= URGENT_DEADLINE_WINDOW:
        return Case.Priority.URGENT
    if money_demanded or money_paid:
        return Case.Priority.HIGH
    return Case.Priority.NORMAL


def _unique_reference() -> str:
    for _attempt in range(20):
        reference = reference_new()
        if not Case.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("could not draw a free case reference")


@transaction.atomic
def report_file(
    *, owner_uuid: uuid.UUID, wrapped_key: bytes, answers: ReportAnswers
) -> FiledReport:
    """Create a case from a victim's answers: the one way a case comes to exist.

    ``owner_uuid``/``wrapped_key`` come from the draft, so evidence uploaded
    while drafting is already encrypted for this case. Routing, priority and the
    first-contact deadline are decided here, the passphrase is generated and only
    its Argon2id hash kept, the filing is audited, and the case is offered to
    the auto-assigner.
    """
    now = timezone.now()
    sealer = Sealer(owner=owner_uuid, wrapped_key=wrapped_key)
    category = Category.objects.filter(code=answers.category_code).first()
    unit = Unit.objects.get(
        kind=route_unit_kind(
            category_code=answers.category_code, knows_blackmailer=answers.knows_blackmailer
        )
    )
    governorate = Governorate.objects.filter(code=answers.governorate_code).first()
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
        "phone": answers.phone.strip(),
        "safe_hours": answers.safe_hours.strip(),
        "contact_rules": sorted(set(answers.contact_rules)),
    }
    case = Case(
        uuid=owner_uuid,
        reference=_unique_reference(),
        filed_at=now,
        priority=priority,
        unit=unit,
        governorate=governorate,
        category=category,
        platform=answers.platform,
        knows_blackmailer=answers.knows_blackmailer,
        threat_deadline=answers.threat_deadline,
        money_demanded=answers.money_demanded,
        money_paid=answers.money_paid,
        is_minor=answers.is_minor,
        self_harm_risk=answers.self_harm_risk,
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
    for raw in answers.suspect_identifiers:
        normalised = suspect_identifier_normalise(raw)
        if normalised is None or normalised in seen:
            continue
        seen.add(normalised)
        kind, value = normalised
        SuspectIdentifier.objects.create(
            case=case,
            kind=kind,
            value_enc=sealer.seal_text(f"suspect/{kind}", value),
            fingerprint=fingerprint(f"{kind}:{value}"),
        )
    passphrase = passphrase_new()
    ReporterCredential.objects.create(case=case, passphrase_hash=passphrase_hash(passphrase))
    audit_record(
        action=AuditEvent.Action.CASE_FILED,
        actor_label="victim",
        case=case,
        details={"unit": unit.kind, "priority": priority, "suspects": len(seen)},
    )
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


@transaction.atomic
def message_send_by_victim(*, case: Case, body: str) -> Message:
    body = _clean_message_body(body)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == Case.Status.WITHDRAWN:
        raise ValidationError(CASE_CLOSED_FOR_MESSAGES, code="case_withdrawn")
    sealer = Sealer(owner=case.uuid, wrapped_key=case.wrapped_key)
    message = Message.objects.create(case=case, sender=Message.Sender.VICTIM, body_enc=b"")
    message.body_enc = sealer.seal_text(f"message/{message.pk}", body)
    message.save(update_fields=["body_enc"])
    audit_record(
        action=AuditEvent.Action.MESSAGE_SENT,
        actor_label="victim",
        case=case,
        details={"message": message.pk, "sender": "victim"},
    )
    return message


@transaction.atomic
def message_send_by_officer(*, case: Case, body: str, by: StaffProfile) -> Message:
    """An officer's message to the victim. The victim sees "Officer", never a name."""
    body = _clean_message_body(body)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == Case.Status.WITHDRAWN:
        raise ValidationError(CASE_CLOSED_FOR_MESSAGES, code="case_withdrawn")
    sealer = Sealer(owner=case.uuid, wrapped_key=case.wrapped_key)
    message = Message.objects.create(
        case=case, sender=Message.Sender.OFFICER, officer=by, body_enc=b""
    )
    message.body_enc = sealer.seal_text(f"message/{message.pk}", body)
    message.save(update_fields=["body_enc"])
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
    sealer = Sealer(owner=case.uuid, wrapped_key=case.wrapped_key)
    refs = sealer.open_json("external_refs", case.external_refs_enc, default={})
    refs[service] = number
    case.external_refs_enc = sealer.seal_json("external_refs", refs)
    case.save(update_fields=["external_refs_enc", "updated_at"])
    return case
