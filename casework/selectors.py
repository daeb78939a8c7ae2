"""Reads that carry a rule (who may see what, what may leave casework).

Other apps (outreach, reporting) read case data only through these functions.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.http import Http404

from casework.crypto import Sealer
from casework.eligibility import female_rule_allows, officer_filter_for_case
from casework.models import (
    OPEN_RANK_LIMIT,
    OPEN_STATUSES,
    AuditEvent,
    Case,
    Evidence,
    StaffProfile,
    SuspectIdentifier,
)


def case_intake_by_month(
    *,
    start: dt.date,
    end: dt.date,
    governorate_ids: list[int] | None = None,
) -> list[dict]:
    """Cases filed per calendar month and governorate, counts only.

    This is the only case figure outreach may see: nothing finer than
    month x governorate, never a case's contents. ``start`` and ``end`` are
    inclusive dates, read as calendar days in Iraq (Asia/Baghdad), like the
    months. One grouped query; months with no case are absent.
    Returns ``[{"month": date(YYYY, MM, 1), "governorate_id": int | None, "count": int}]``.
    """
    local = ZoneInfo(settings.DISPLAY_TIME_ZONE)
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=local)
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=local)
    cases = Case.objects.filter(filed_at__gte=start_at, filed_at__lt=end_at)
    if governorate_ids is not None:
        cases = cases.filter(governorate_id__in=governorate_ids)
    rows = (
        cases.annotate(month=TruncMonth("filed_at", tzinfo=local))
        .values("month", "governorate_id")
        .annotate(count=Count("id"))
        .order_by("month", "governorate_id")
    )
    return [
        {
            "month": row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"],
            "governorate_id": row["governorate_id"],
            "count": row["count"],
        }
        for row in rows
    ]


# --- the console: who may see and do what with a case ---------------------------
#
# Every console page (list, case page, history, evidence, messages, actions) and
# every service that acts for a member of staff asks these functions. They look
# only at ``is_active``/``is_staff`` and ``StaffProfile.role``, unit and
# governorates, never at Django's model permissions, so granting a group a
# permission cannot widen what anyone sees.


def staff_profile_of(user) -> StaffProfile | None:
    """The profile of an active staff user, or None (then nothing is visible)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not (user.is_active and user.is_staff):
        return None
    try:
        return user.staff_profile
    except StaffProfile.DoesNotExist:
        return None


def _is_active_staff(profile: StaffProfile | None) -> bool:
    return profile is not None and profile.user.is_active and profile.user.is_staff


def _governorate_ids(profile: StaffProfile) -> set[int]:
    return set(profile.governorates.values_list("pk", flat=True))


def staff_is_national_intake(profile: StaffProfile | None) -> bool:
    """A supervisor with no unit works the national intake queue."""
    return (
        profile is not None
        and profile.role == StaffProfile.Role.SUPERVISOR
        and profile.unit_id is None
    )


def national_intake_condition() -> Q:
    """Open cases nobody placed to act on them would see: not assigned, and
    either without a governorate, or of a unit with no active supervisor in
    their governorate (say, an unknown blackmailer sent to National Security
    where it has nobody). National intake supervisors route them."""
    covered = StaffProfile.objects.filter(
        role=StaffProfile.Role.SUPERVISOR,
        user__is_active=True,
        user__is_staff=True,
        unit_id=OuterRef("unit_id"),
        governorates=OuterRef("governorate_id"),
    )
    return Q(status__in=OPEN_STATUSES, assigned_officer__isnull=True) & (
        Q(governorate__isnull=True) | ~Q(Exists(covered))
    )


def case_list_national_intake() -> QuerySet[Case]:
    return Case.objects.filter(national_intake_condition())


def case_list_for_viewer(*, viewer: StaffProfile | None) -> QuerySet[Case]:
    """The cases ``viewer`` may see in the console, each still to be shown redacted
    unless ``case_view_for`` says otherwise.

    - officer: cases of their unit in their governorate, and the cases assigned
      to them;
    - supervisor: cases of their unit in any of their governorates, and the
      unit's cases that have no governorate yet (someone must route them);
    - national intake (a supervisor with no unit): the national intake queue
      (``national_intake_condition``), so no case waits unseen;
    - administrator: every case, but only ever redacted (they manage accounts);
    - outreach staff, inactive or non-staff accounts: nothing.
    """
    cases = Case.objects.all()
    # No active staff account: nothing, whatever the role says.
    if not _is_active_staff(viewer):
        return cases.none()
    role = viewer.role
    # Administrators list every case; case_view_for never unredacts for them.
    if role == StaffProfile.Role.ADMINISTRATOR:
        return cases
    # National intake: the cases no unit supervisor is placed to see.
    if staff_is_national_intake(viewer):
        return cases.filter(national_intake_condition())
    # Staff without a unit work no cases (and outreach staff never do).
    if viewer.unit_id is None or role not in {
        StaffProfile.Role.OFFICER,
        StaffProfile.Role.SUPERVISOR,
    }:
        return cases.none()
    # A subquery, not a list: the scope costs no extra query.
    own_unit_and_governorates = Q(unit_id=viewer.unit_id, governorate__in=viewer.governorates.all())
    if role == StaffProfile.Role.OFFICER:
        return cases.filter(own_unit_and_governorates | Q(assigned_officer=viewer))
    # Supervisor: also the unit's cases with no governorate, to route them.
    return cases.filter(
        own_unit_and_governorates | Q(unit_id=viewer.unit_id, governorate__isnull=True)
    )


def case_get_for_viewer(*, viewer: StaffProfile | None, pk) -> Case:
    """One case ``viewer`` may see; Http404 for "does not exist" and "not yours" alike."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    case = (
        case_list_for_viewer(viewer=viewer)
        .select_related("unit", "governorate", "category", "assigned_officer__user")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    return case


@dataclass(frozen=True)
class CaseAccess:
    """What one member of staff may do with one case. Computed in one place."""

    visible: bool = False
    # The assigned officer: the only one who sees the whole case without a reveal.
    assigned: bool = False
    # A supervisor whose unit and governorates cover the case.
    supervisor: bool = False
    administrator: bool = False
    # casework.eligibility: a case whose victim asked for a female officer is
    # read in full (assigned, or revealed) by female staff only.
    female_rule_ok: bool = True

    @property
    def can_see_full(self) -> bool:
        return self.assigned and self.female_rule_ok

    @property
    def can_reveal(self) -> bool:
        return self.supervisor and self.female_rule_ok

    @property
    def can_assign(self) -> bool:
        return self.supervisor

    @property
    def can_message(self) -> bool:
        return self.assigned or self.supervisor

    @property
    def can_work(self) -> bool:
        """Move the case along, add notes, tick the checklist."""
        return self.assigned or self.supervisor

    @property
    def can_read_history(self) -> bool:
        return self.supervisor

    @property
    def can_preview_evidence(self) -> bool:
        # Blurred previews for the officers and supervisors who work the case;
        # administrators manage accounts and see no images at all.
        return self.visible and not self.administrator

    @property
    def can_handle_evidence(self) -> bool:
        return self.assigned or self.supervisor


def case_access_for(*, case: Case, viewer: StaffProfile | None) -> CaseAccess:
    """The same rules as ``case_list_for_viewer``, answered for one loaded case."""
    # No active staff account: nothing.
    if not _is_active_staff(viewer):
        return CaseAccess()
    role = viewer.role
    # Administrators see every case, redacted, and may do nothing with it.
    if role == StaffProfile.Role.ADMINISTRATOR:
        return CaseAccess(visible=True, administrator=True)
    # National intake: a supervisor of the cases in the national intake queue.
    if staff_is_national_intake(viewer):
        covers = case_list_national_intake().filter(pk=case.pk).exists()
        return CaseAccess(
            visible=covers,
            supervisor=covers,
            female_rule_ok=female_rule_allows(case=case, staff=viewer),
        )
    # Outreach staff and staff without a unit see no case.
    if viewer.unit_id is None or role not in {
        StaffProfile.Role.OFFICER,
        StaffProfile.Role.SUPERVISOR,
    }:
        return CaseAccess()
    same_unit = case.unit_id == viewer.unit_id
    if role == StaffProfile.Role.OFFICER:
        assigned = case.assigned_officer_id == viewer.pk
        in_area = same_unit and case.governorate_id in _governorate_ids(viewer)
        return CaseAccess(
            visible=assigned or in_area,
            assigned=assigned,
            female_rule_ok=female_rule_allows(case=case, staff=viewer),
        )
    # Supervisor: their unit, in one of their governorates or not yet placed.
    covers = same_unit and (
        case.governorate_id is None or case.governorate_id in _governorate_ids(viewer)
    )
    return CaseAccess(
        visible=covers,
        supervisor=covers,
        female_rule_ok=female_rule_allows(case=case, staff=viewer),
    )


def evidence_can_preview(*, evidence: Evidence, viewer: StaffProfile | None) -> bool:
    """Blurred, metadata-free previews: for staff who work the case."""
    if evidence.case is None:
        return False
    return case_access_for(case=evidence.case, viewer=viewer).can_preview_evidence


def evidence_can_open(*, evidence: Evidence, viewer: StaffProfile | None) -> bool:
    """May ``viewer`` open the original file (an audited act)?

    Only the assigned officer or a supervisor of the case. When the victim asked
    for a female officer, evidence that may be intimate opens for female staff
    only: that is what the victim asked for, whoever is on the case.
    """
    case = evidence.case
    # Evidence not yet attached to a case (a draft's) is never opened here.
    if case is None:
        return False
    # Assigned officer or supervisor in scope.
    if not case_access_for(case=case, viewer=viewer).can_handle_evidence:
        return False
    # Female-officer request + possibly intimate material: female staff only.
    if evidence.is_intimate and not female_rule_allows(case=case, staff=viewer):
        return False
    return True


def evidence_preview_for_viewer(*, evidence: Evidence, viewer: StaffProfile | None) -> bytes | None:
    """The blurred preview (JPEG bytes) or None; PermissionDenied if not allowed."""
    if not evidence_can_preview(evidence=evidence, viewer=viewer):
        raise PermissionDenied
    evidence_store = importlib.import_module("casework.evidence")
    case = evidence.case
    sealer = Sealer.of(case)
    return evidence_store.evidence_preview(evidence=evidence, sealer=sealer)


# --- linked cases (a suspect with many victims) -----------------------------------


@dataclass(frozen=True)
class LinkedCases:
    # Every other case sharing a suspect identifier, in anyone's scope.
    count: int
    # The ones the viewer may open (shown redacted, like any case).
    visible: list[Case]


def case_list_sharing_suspect(*, case: Case, viewer: StaffProfile | None = None) -> LinkedCases:
    """Other cases that share a suspect identifier (by keyed fingerprint, so
    nothing is decrypted). The count covers all cases, so an officer learns that
    a network exists; links are only to cases in the viewer's own scope."""
    fingerprints = SuspectIdentifier.objects.filter(case=case).values("fingerprint")
    others = (
        Case.objects.filter(suspect_identifiers__fingerprint__in=Subquery(fingerprints))
        .exclude(pk=case.pk)
        .values("pk")
        .distinct()
    )
    count = Case.objects.filter(pk__in=Subquery(others)).count()
    if viewer is None or count == 0:
        return LinkedCases(count=count, visible=[])
    visible = list(
        case_list_for_viewer(viewer=viewer)
        .filter(pk__in=Subquery(others))
        .only("pk", "reference", "status", "filed_at")
        .order_by("-filed_at")
    )
    return LinkedCases(count=count, visible=visible)


# --- assignment ---------------------------------------------------------------------


def officer_list_for_case(*, case: Case) -> QuerySet[StaffProfile]:
    """Officers who could take ``case``: active, of its unit and governorate, and
    female when the victim asked for a female officer. Annotated with ``load``
    (their open cases) and ordered least-loaded first, then by pk, so the
    auto-assigner's choice is deterministic."""
    # Who is eligible is casework.eligibility's rule, shared with case_assign.
    officers = StaffProfile.objects.filter(officer_filter_for_case(case))
    return (
        officers.annotate(
            load=Count(
                "assigned_cases",
                filter=Q(assigned_cases__status__in=OPEN_STATUSES),
                distinct=True,
            )
        )
        .select_related("user")
        .order_by("load", "pk")
    )


def officer_list_for_supervisor(*, supervisor: StaffProfile) -> QuerySet[StaffProfile]:
    """Active officers a supervisor may choose from for a batch: same unit, a
    shared governorate. The service still checks each case on its own."""
    if supervisor.role != StaffProfile.Role.SUPERVISOR or supervisor.unit_id is None:
        return StaffProfile.objects.none()
    return (
        StaffProfile.objects.filter(
            role=StaffProfile.Role.OFFICER,
            user__is_active=True,
            unit_id=supervisor.unit_id,
            governorates__in=supervisor.governorates.all(),
        )
        .distinct()
        .select_related("user")
        .order_by("user__username")
    )


def case_awaiting_counts(*, viewer: StaffProfile | None) -> dict[str, int]:
    """Open cases in the viewer's scope waiting for an officer, by kind of wait:
    the flag on the supervisors' dashboard."""
    rows = (
        case_list_for_viewer(viewer=viewer)
        .filter(
            # Open: the stored rank's range (casework.dashboard says why).
            console_rank__lt=OPEN_RANK_LIMIT,
            assignment_state__in=[
                Case.AssignmentState.AWAITING_FEMALE_OFFICER,
                Case.AssignmentState.AWAITING_OFFICER,
            ],
        )
        .values("assignment_state")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts = {
        Case.AssignmentState.AWAITING_FEMALE_OFFICER: 0,
        Case.AssignmentState.AWAITING_OFFICER: 0,
    }
    for row in rows:
        counts[row["assignment_state"]] = row["count"]
    return counts


# --- the audit log --------------------------------------------------------------------


def audit_list_for_viewer(*, viewer: StaffProfile | None) -> QuerySet[AuditEvent]:
    """Audit events a member of staff may read.

    Supervisors: the events of the cases in their scope. Administrators: events
    about no case (logins, lockouts, key rotation), never a case's. Others: none.
    """
    events = AuditEvent.objects.all()
    if not _is_active_staff(viewer):
        return events.none()
    if viewer.role == StaffProfile.Role.SUPERVISOR:
        return events.filter(case__in=case_list_for_viewer(viewer=viewer).values("pk"))
    if viewer.role == StaffProfile.Role.ADMINISTRATOR:
        return events.filter(case__isnull=True)
    return events.none()


def audit_list_for_case(*, case: Case, viewer: StaffProfile | None) -> QuerySet[AuditEvent]:
    """A case's history, for supervisors of the case; PermissionDenied otherwise."""
    if not case_access_for(case=case, viewer=viewer).can_read_history:
        raise PermissionDenied
    return AuditEvent.objects.filter(case=case).select_related("actor").order_by("sequence")


def case_console_allowed(*, viewer: StaffProfile | None) -> bool:
    """Does ``viewer`` have case pages at all? Outreach staff do not (404 everywhere)."""
    if not _is_active_staff(viewer):
        return False
    if viewer.role == StaffProfile.Role.ADMINISTRATOR or staff_is_national_intake(viewer):
        return True
    return viewer.unit_id is not None and viewer.role in {
        StaffProfile.Role.OFFICER,
        StaffProfile.Role.SUPERVISOR,
    }
