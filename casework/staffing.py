"""Staff changes: the one door for a staff member's sex, unit, governorates,
role and active state, with the acting administrator, audited old -> new.

Why one door: each of these decides who may hold and read which case
(``casework.eligibility``). Changed anywhere else, a male officer could keep a
case whose victim asked for a female officer. So ``staff_profile_change``
moves, in the same transaction, every open case the person may no longer hold
(through the auto-assigner, or back to "awaiting female officer"), and writes
the change to the hash-chained audit.

Two-person rule: an administrator never changes their own account, and a
change that lets someone reveal cases (becoming a supervisor, a supervisor's
wider unit or governorates, reactivating a supervisor) or approve such changes
(becoming an administrator) waits as a ``StaffChangeRequest`` until a different
administrator approves it. So an installation needs two administrators; the
first ones come from the server's own command, ``create_staff_account``.

Lock order, as everywhere: case rows, then staff profile rows, then the audit
chain head (the first audit write).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.audit import audit_record
from casework.eligibility import cases_held_ineligibly, officer_filter_for_case
from casework.models import (
    OPEN_STATUSES,
    AuditEvent,
    Case,
    Governorate,
    StaffChangeRequest,
    StaffProfile,
    Unit,
)
from casework.roles import staff_role_apply

NOT_ADMINISTRATOR = _("Only an administrator can change staff accounts.")
OWN_ACCOUNT = _("You cannot change your own account. Another administrator has to do it.")
SECOND_ADMINISTRATOR_REQUIRED = _(
    "This change must be approved by a different administrator than the one who asked for it."
)
ALREADY_DECIDED = _("This change has already been approved or rejected.")
UNKNOWN_ROLE = _("Unknown role.")
USERNAME_TAKEN = _("This username is already taken.")

FIELDS = ("sex", "unit", "governorates", "role", "is_active")


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()


@dataclass(frozen=True)
class StaffChangeResult:
    profile: StaffProfile
    # Field -> {"old": ..., "new": ...}, as written to the audit; empty if nothing changed.
    changes: dict = field(default_factory=dict)
    # Set when the change waits for a second administrator (nothing applied yet).
    pending: StaffChangeRequest | None = None
    # Open cases taken from the person because they may no longer hold them.
    cases_moved: list[int] = field(default_factory=list)


def staff_profiles_share_lock(pks) -> None:
    """Hold the rows of these staff profiles (FOR SHARE) until the transaction
    ends, so nobody's sex, unit or role changes under an assignment being made.

    Shared, so assignments never wait for each other; a ``staff_profile_change``
    (FOR UPDATE) waits for them, and they for it. PostgreSQL only: SQLite
    serialises every write anyway.
    """
    pks = sorted({int(pk) for pk in pks})
    if not pks or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM casework_staffprofile WHERE id = ANY(%s) ORDER BY id FOR SHARE",
            [pks],
        )


def _require_administrator(by: StaffProfile | None) -> None:
    if by is None or by.role != StaffProfile.Role.ADMINISTRATOR or not by.user.is_active:
        raise ValidationError(NOT_ADMINISTRATOR, code="administrator_required")


def _snapshot(profile: StaffProfile) -> dict:
    return {
        "sex": profile.sex,
        "unit": profile.unit_id,
        "governorates": sorted(profile.governorates.values_list("pk", flat=True)),
        "role": profile.role,
        "is_active": profile.user.is_active,
    }


def _wanted(old: dict, *, sex, unit, governorates, role, is_active) -> dict:
    new = dict(old)
    if sex is not UNCHANGED:
        new["sex"] = str(sex)
    if unit is not UNCHANGED:
        new["unit"] = unit.pk if isinstance(unit, Unit) else unit
    if governorates is not UNCHANGED:
        new["governorates"] = sorted(
            g.pk if isinstance(g, Governorate) else g for g in governorates
        )
    if role is not UNCHANGED:
        if role not in StaffProfile.Role.values:
            raise ValidationError(UNKNOWN_ROLE, code="unknown_role")
        new["role"] = str(role)
    if is_active is not UNCHANGED:
        new["is_active"] = bool(is_active)
    return new


# Roles whose grant needs a second administrator: supervisors reveal cases,
# administrators approve grants (one administrator making another would
# otherwise be a second pair of hands they control).
GUARDED_ROLES = {StaffProfile.Role.SUPERVISOR, StaffProfile.Role.ADMINISTRATOR}


def needs_second_administrator(old: dict, new: dict) -> bool:
    """Does going from ``old`` to ``new`` give someone a power they did not
    have: revealing cases (a supervisor, or a supervisor's wider unit or
    governorates) or approving such grants (an administrator)?"""
    if new["role"] not in GUARDED_ROLES or not new["is_active"]:
        return False
    if old["role"] != new["role"] or not old["is_active"]:
        return True
    if new["role"] == StaffProfile.Role.SUPERVISOR:
        return new["unit"] != old["unit"] or not set(new["governorates"]) <= set(
            old["governorates"]
        )
    return False


def _readable(values: dict) -> dict:
    """Ids -> codes for the audit, so the log reads without the database."""
    readable = dict(values)
    if "unit" in values:
        readable["unit"] = (
            Unit.objects.filter(pk=values["unit"]).values_list("kind", flat=True).first()
            if values["unit"]
            else None
        )
    if "governorates" in values:
        readable["governorates"] = sorted(
            Governorate.objects.filter(pk__in=values["governorates"]).values_list("code", flat=True)
        )
    return readable


def _held_cases_lock(profile_pk: int) -> list[int]:
    return list(
        Case.objects.select_for_update()
        .filter(assigned_officer_id=profile_pk, status__in=OPEN_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _lock(profile: StaffProfile) -> tuple[list[int], StaffProfile]:
    """Case rows first, then the profile and its user (the one lock order).

    The held cases are read again once the profile is locked: an assignment
    that was under way (it holds the profile FOR SHARE) has committed by then,
    and no new one can start until this transaction ends.
    """
    _held_cases_lock(profile.pk)
    locked = StaffProfile.objects.select_for_update(of=("self",)).get(pk=profile.pk)
    locked.user = get_user_model().objects.select_for_update().get(pk=locked.user_id)
    return _held_cases_lock(profile.pk), locked


def staff_profile_change(
    *,
    profile: StaffProfile,
    by: StaffProfile | None,
    sex=UNCHANGED,
    unit=UNCHANGED,
    governorates=UNCHANGED,
    role=UNCHANGED,
    is_active=UNCHANGED,
    via: str = "service",
) -> StaffChangeResult:
    """Change what decides which cases a staff member may hold and read.

    ``by`` is the acting administrator; ``None`` only for the server's own
    commands (seed and bootstrap, run by whoever already holds the database).
    Refused with ``administrator_required`` unless ``by`` is an active
    administrator, and ``own_account`` for one's own account. A change that
    grants the power to reveal cases is not applied: it is recorded as pending
    (``result.pending``) for a second administrator. Otherwise the new values
    are saved, audited (``casework.staff.changed``, old and new values), and
    every open case the person may no longer hold is released and offered to
    the auto-assigner (or left awaiting a (female) officer), all in one
    transaction.
    """
    with transaction.atomic():
        if by is not None:
            _require_administrator(by)
            if profile.pk == by.pk:
                raise ValidationError(OWN_ACCOUNT, code="own_account")
        held, locked = _lock(profile)
        old = _snapshot(locked)
        new = _wanted(
            old, sex=sex, unit=unit, governorates=governorates, role=role, is_active=is_active
        )
        changed = {name: new[name] for name in FIELDS if new[name] != old[name]}
        if not changed:
            return StaffChangeResult(profile=locked)
        if by is not None and needs_second_administrator(old, new):
            return _request_approval(profile=locked, by=by, old=old, changed=changed, via=via)
        return _apply(
            profile=locked, held=held, old=old, changed=changed, actor=by, via=via, details={}
        )


def _request_approval(*, profile, by, old, changed, via) -> StaffChangeResult:
    request = StaffChangeRequest.objects.create(profile=profile, changes=changed, requested_by=by)
    audit_record(
        action=AuditEvent.Action.STAFF_CHANGE_REQUESTED,
        actor=by.user,
        details={
            "staff_profile": profile.pk,
            "request": request.pk,
            "changes": _old_new(old, changed),
            "via": via,
        },
    )
    return StaffChangeResult(profile=profile, pending=request)


def _old_new(old: dict, changed: dict) -> dict:
    before = _readable({name: old[name] for name in changed})
    after = _readable(changed)
    return {name: {"old": before[name], "new": after[name]} for name in changed}


def _apply(*, profile, held, old, changed, actor, via, details) -> StaffChangeResult:
    user = profile.user
    # The new values in memory first: which held cases must go is decided on
    # them, and the cases are released before the profile row is written (the
    # database refuses a male officer holding a female-requested case).
    if "sex" in changed:
        profile.sex = changed["sex"]
    if "unit" in changed:
        profile.unit_id = changed["unit"]
    if "role" in changed:
        profile.role = changed["role"]
    if "is_active" in changed:
        user.is_active = changed["is_active"]
    if "governorates" in changed:
        profile.governorates.set(changed["governorates"])
    leaving = list(cases_held_ineligibly(officer=profile).filter(pk__in=held).order_by("pk"))
    # Whoever could take them: their profile rows are locked now, before the
    # first audit write takes the chain head.
    for case in leaving:
        staff_profiles_share_lock(
            StaffProfile.objects.filter(officer_filter_for_case(case))
            .exclude(pk=profile.pk)
            .values_list("pk", flat=True)
        )
    audit_record(
        action=AuditEvent.Action.STAFF_CHANGED,
        actor=actor.user if actor is not None else None,
        details={
            "staff_profile": profile.pk,
            "changes": _old_new(old, changed),
            "cases_moved": len(leaving),
            "via": via,
            **details,
        },
    )
    from casework.services import case_release_for_staff_change

    for case in leaving:
        case_release_for_staff_change(case=case, officer=profile, actor=actor)
    profile.save(update_fields=["sex", "unit", "role"])
    if "role" in changed:
        staff_role_apply(user=user, role=profile.role)
    if "is_active" in changed:
        user.save(update_fields=["is_active"])
    return StaffChangeResult(
        profile=profile,
        changes=_old_new(old, changed),
        cases_moved=[case.pk for case in leaving],
    )


def staff_change_approve(*, request: StaffChangeRequest, by: StaffProfile) -> StaffChangeResult:
    """The second administrator's approval: the pending change takes effect.

    Refused unless ``by`` is an active administrator other than the one who
    asked (``second_administrator_required``) and other than the person
    changed (``own_account``); once only (``already_decided``). Both the
    approval and the change itself are audited.
    """
    _require_administrator(by)
    with transaction.atomic():
        request = StaffChangeRequest.objects.select_for_update().get(pk=request.pk)
        if request.state != StaffChangeRequest.State.PENDING:
            raise ValidationError(ALREADY_DECIDED, code="already_decided")
        if request.requested_by_id == by.pk:
            raise ValidationError(
                SECOND_ADMINISTRATOR_REQUIRED, code="second_administrator_required"
            )
        if request.profile_id == by.pk:
            raise ValidationError(OWN_ACCOUNT, code="own_account")
        held, locked = _lock(request.profile)
        old = _snapshot(locked)
        changed = {name: value for name, value in request.changes.items() if old[name] != value}
        request.state = StaffChangeRequest.State.APPROVED
        request.decided_by = by
        request.decided_at = timezone.now()
        request.save(update_fields=["state", "decided_by", "decided_at"])
        if not changed:
            audit_record(
                action=AuditEvent.Action.STAFF_CHANGE_APPROVED,
                actor=by.user,
                details={"staff_profile": locked.pk, "request": request.pk, "changes": {}},
            )
            return StaffChangeResult(profile=locked)
        result = _apply(
            profile=locked,
            held=held,
            old=old,
            changed=changed,
            actor=by,
            via="approval",
            details={"request": request.pk, "requested_by": request.requested_by_id},
        )
        audit_record(
            action=AuditEvent.Action.STAFF_CHANGE_APPROVED,
            actor=by.user,
            details={"staff_profile": locked.pk, "request": request.pk, "changes": result.changes},
        )
        return result


@transaction.atomic
def staff_change_reject(*, request: StaffChangeRequest, by: StaffProfile) -> StaffChangeRequest:
    """Turn a pending change down (any administrator, the one who asked included)."""
    _require_administrator(by)
    request = StaffChangeRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != StaffChangeRequest.State.PENDING:
        raise ValidationError(ALREADY_DECIDED, code="already_decided")
    request.state = StaffChangeRequest.State.REJECTED
    request.decided_by = by
    request.decided_at = timezone.now()
    request.save(update_fields=["state", "decided_by", "decided_at"])
    audit_record(
        action=AuditEvent.Action.STAFF_CHANGE_REJECTED,
        actor=by.user,
        details={"staff_profile": request.profile_id, "request": request.pk},
    )
    return request


@transaction.atomic
def staff_account_create(
    *,
    by: StaffProfile | None,
    username: str,
    first_name: str,
    password: str,
    role: str,
    sex: str,
    unit: Unit | None,
    governorates,
    via: str = "console",
) -> StaffChangeResult:
    """A new console account, audited with who created it.

    Created by an administrator, an account that could reveal cases or approve
    grants (a supervisor, an administrator) starts inactive, and its activation
    waits for a second administrator: an administrator cannot make themselves
    a supervisor account to use. ``by=None`` is the server's own command
    (``create_staff_account``), for the first administrators.
    """
    from casework.services import staff_account_upsert

    if by is not None:
        _require_administrator(by)
    governorates = list(governorates)
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise ValidationError(USERNAME_TAKEN, code="username_taken")
    profile = staff_account_upsert(
        username=username,
        first_name=first_name,
        role=role,
        sex=sex,
        unit=unit,
        governorates=governorates,
        password=password,
    )
    needs_second = by is not None and role in GUARDED_ROLES
    if needs_second:
        profile.user.is_active = False
        profile.user.save(update_fields=["is_active"])
    created = _snapshot(profile)
    audit_record(
        action=AuditEvent.Action.STAFF_CHANGED,
        actor=by.user if by is not None else None,
        details={
            "staff_profile": profile.pk,
            "created": True,
            "changes": {name: {"old": None, "new": v} for name, v in _readable(created).items()},
            "via": via,
        },
    )
    if needs_second:
        return _request_approval(
            profile=profile, by=by, old=created, changed={"is_active": True}, via=via
        )
    return StaffChangeResult(profile=profile)
