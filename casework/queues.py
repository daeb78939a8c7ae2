"""No case unseen: the queues where open cases wait, and the acts that move them.

Every open case that no officer holds waits in a queue that at least one
active person can see and act on: the supervisors of its unit in its
governorate, or, when there are none or the case has no governorate, the
national intake queue (``casework.selectors.national_intake_condition``),
worked by national intake supervisors (supervisors with no unit). They route a
case (``case_route``) to the unit and governorate that can take it.

"Time until a person first opened it" is measured: the first view of the case
page by someone who can act on it (the assigned officer or a supervisor of the
case) records ``Case.first_opened_at`` (``case_first_open_record``), and the
supervisors' dashboard shows each queue's count and oldest case, and the
hours from filing to that first opening (``first_open_figures``).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.audit import audit_record
from casework.eligibility import officer_filter_for_case, officer_refusals
from casework.models import OPEN_STATUSES, AuditEvent, Case, Governorate, StaffProfile, Unit
from casework.selectors import case_access_for, staff_is_national_intake
from casework.staffing import staff_profiles_share_lock

ROUTE_NOT_ALLOWED = _("Only a supervisor of this case, or national intake, may route it.")
ROUTE_CASE_CLOSED = _("This case is closed, so it cannot be routed.")
ROUTE_NOTHING_CHOSEN = _("Choose the governorate and unit this case belongs to.")

QUEUE_LABELS = {
    Case.AssignmentState.UNASSIGNED: _("Not yet assigned"),
    Case.AssignmentState.AWAITING_OFFICER: _("Waiting for an officer"),
    Case.AssignmentState.AWAITING_FEMALE_OFFICER: _("Waiting for a female officer"),
}


@dataclass(frozen=True)
class QueueRow:
    state: str
    label: str
    count: int
    oldest_filed_at: dt.datetime | None
    oldest_age_hours: float | None


def queue_rows(cases: QuerySet, *, now: dt.datetime | None = None) -> list[QueueRow]:
    """Open cases nobody holds, per kind of wait: count and oldest, one grouped query.

    ``cases`` is the viewer's scope (``case_list_for_viewer``); every kind of
    wait is listed, empty ones with 0, so "nothing waits" is a fact, not a gap.
    """
    now = now or timezone.now()
    rows = {
        row["assignment_state"]: row
        for row in cases.filter(status__in=OPEN_STATUSES, assigned_officer__isnull=True)
        .values("assignment_state")
        .annotate(count=Count("pk"), oldest=Min("filed_at"))
        .order_by()
    }
    result = []
    for state, label in QUEUE_LABELS.items():
        row = rows.get(state, {"count": 0, "oldest": None})
        oldest = row["oldest"]
        result.append(
            QueueRow(
                state=str(state),
                label=str(label),
                count=row["count"],
                oldest_filed_at=oldest,
                oldest_age_hours=None
                if oldest is None
                else round((now - oldest).total_seconds() / 3600, 1),
            )
        )
    return result


@dataclass(frozen=True)
class FirstOpenFigures:
    filed: int
    opened: int
    median_hours: float | None
    # Open cases filed in the window that nobody who can act has opened yet.
    unopened: int
    oldest_unopened_hours: float | None


def first_open_figures(
    cases: QuerySet, *, start_at: dt.datetime, end_at: dt.datetime, now: dt.datetime | None = None
) -> FirstOpenFigures:
    """Hours from filing to the first opening by a person who can act on the case."""
    now = now or timezone.now()
    rows = cases.filter(filed_at__gte=start_at, filed_at__lt=end_at).values_list(
        "filed_at", "first_opened_at", "status"
    )
    waits, unopened_ages, filed = [], [], 0
    for filed_at, first_opened_at, status in rows.iterator(chunk_size=5000):
        filed += 1
        if first_opened_at is not None:
            waits.append((first_opened_at - filed_at).total_seconds() / 3600)
        elif status in OPEN_STATUSES:
            unopened_ages.append((now - filed_at).total_seconds() / 3600)
    return FirstOpenFigures(
        filed=filed,
        opened=len(waits),
        median_hours=round(statistics.median(waits), 1) if waits else None,
        unopened=len(unopened_ages),
        oldest_unopened_hours=round(max(unopened_ages), 1) if unopened_ages else None,
    )


def case_first_open_record(*, case: Case, by: StaffProfile) -> bool:
    """Record the first time a person who can act on ``case`` opened its page.

    One conditional UPDATE: two first views at once record one time. Returns
    whether this view was the first.
    """
    if case.first_opened_at is not None:
        return False
    if not case_access_for(case=case, viewer=by).can_work:
        return False
    now = timezone.now()
    first = Case.objects.filter(pk=case.pk, first_opened_at__isnull=True).update(
        first_opened_at=now
    )
    if first:
        case.first_opened_at = now
    return bool(first)


def route_choices(*, viewer: StaffProfile) -> tuple[QuerySet[Unit], QuerySet[Governorate]]:
    """Where ``viewer`` may send a case: national intake anywhere; a unit
    supervisor within their unit, to one of their governorates."""
    if staff_is_national_intake(viewer):
        return Unit.objects.all(), Governorate.objects.all()
    return Unit.objects.filter(pk=viewer.unit_id), viewer.governorates.all()


@transaction.atomic
def case_route(
    *, case: Case, by: StaffProfile, governorate: Governorate | None, unit: Unit | None = None
) -> Case:
    """Send an open case to the unit and governorate that can take it.

    For national intake supervisors (any unit, any governorate) and a unit's
    supervisors (their unit, their governorates). An assigned officer who may
    not hold the case where it now belongs is released; an unassigned case is
    offered to the auto-assigner there (or waits, flagged, for that unit's
    supervisors). Audited with the old and new unit and governorate.
    """
    from casework.services import _auto_assign_locked

    locked = Case.objects.select_for_update().get(pk=case.pk)
    access = case_access_for(case=locked, viewer=by)
    if not access.can_assign:
        raise ValidationError(ROUTE_NOT_ALLOWED, code="by_not_allowed")
    if not locked.is_open:
        raise ValidationError(ROUTE_CASE_CLOSED, code="case_closed")
    if governorate is None and unit is None:
        raise ValidationError(ROUTE_NOTHING_CHOSEN, code="route_empty")
    units, governorates = route_choices(viewer=by)
    if (unit is not None and not units.filter(pk=unit.pk).exists()) or (
        governorate is not None and not governorates.filter(pk=governorate.pk).exists()
    ):
        raise ValidationError(ROUTE_NOT_ALLOWED, code="by_not_allowed")
    before = {"unit": locked.unit.kind, "governorate": getattr(locked.governorate, "code", None)}
    if unit is not None:
        locked.unit = unit
    if governorate is not None:
        locked.governorate = governorate
    previous_officer = locked.assigned_officer
    if previous_officer is not None and officer_refusals(case=locked, officer=previous_officer):
        locked.assigned_officer = None
        locked.assignment_state = Case.AssignmentState.UNASSIGNED
    # Whoever could take it is held before the first audit write (lock order).
    staff_profiles_share_lock(
        StaffProfile.objects.filter(officer_filter_for_case(locked)).values_list("pk", flat=True)
    )
    locked.save(
        update_fields=["unit", "governorate", "assigned_officer", "assignment_state", "updated_at"]
    )
    audit_record(
        action=AuditEvent.Action.CASE_ROUTED,
        actor=by.user,
        case=locked,
        details={
            "from": before,
            "to": {
                "unit": locked.unit.kind,
                "governorate": getattr(locked.governorate, "code", None),
            },
            "released": previous_officer.pk
            if previous_officer is not None and locked.assigned_officer_id is None
            else None,
        },
    )
    if locked.assigned_officer_id is None:
        return _auto_assign_locked(case=locked, reason="routed", exclude=None)
    return locked
