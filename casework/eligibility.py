"""Who may hold, and read, which case: the female-officer rule and the officer's scope.

The victim's request for a female officer is a hard rule. It decides, from this
module only:

- whom ``case_assign`` refuses (``officer_refusals``) and whom the auto-assigner
  may choose (``officer_filter_for_case``);
- who sees such a case unredacted (``female_rule_allows``, used by
  ``casework.selectors.case_access_for``): the assigned officer only while she is
  female, and a supervisor's reveal only by a female supervisor;
- who may open possibly intimate evidence of such a case (same rule);
- which cases a staff change must take away from someone
  (``cases_held_ineligibly``, used by ``casework.staffing``).

The PostgreSQL trigger of migration ``0008_staff_female_rule_trigger`` holds the
same line in the database for open cases, whatever writes the row.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from casework.models import OPEN_STATUSES, Case, Sex, StaffProfile

ASSIGN_FEMALE_OFFICER_REQUIRED = _("This case may only be assigned to a female officer.")
ASSIGN_OFFICER_INACTIVE = _("This officer's account is not active.")
ASSIGN_OFFICER_OUT_OF_SCOPE = _(
    "This officer does not work in the unit and governorate of this case."
)
ASSIGN_NOT_AN_OFFICER = _("Cases can only be assigned to officers.")


def female_rule_allows(*, case: Case, staff: StaffProfile | None) -> bool:
    """May ``staff`` hold or read in full a case, as far as the victim's
    request for a female officer goes?"""
    if not case.wants_female_officer:
        return True
    return staff is not None and staff.sex == Sex.FEMALE


def female_rule_broken(*, case: Case, officer: StaffProfile | None) -> bool:
    """Would ``case`` with ``officer`` assigned break the rule? Finished cases
    keep their history (nobody works them, and redaction still hides them)."""
    if officer is None or case.status not in OPEN_STATUSES:
        return False
    return not female_rule_allows(case=case, staff=officer)


def officer_refusals(*, case: Case, officer: StaffProfile) -> list[ValidationError]:
    """Every reason ``officer`` may not hold ``case``, most important first."""
    refusals = []
    # Cases go to officers, not supervisors, outreach staff or administrators.
    if officer.role != StaffProfile.Role.OFFICER:
        refusals.append(ValidationError(ASSIGN_NOT_AN_OFFICER, code="not_an_officer"))
    # The victim's request for a female officer is a hard rule.
    if not female_rule_allows(case=case, staff=officer):
        refusals.append(
            ValidationError(ASSIGN_FEMALE_OFFICER_REQUIRED, code="female_officer_required")
        )
    # A deactivated (or no longer staff) account takes no case.
    if not (officer.user.is_active and officer.user.is_staff):
        refusals.append(ValidationError(ASSIGN_OFFICER_INACTIVE, code="officer_inactive"))
    # The officer must work the case's unit and, when known, its governorate.
    if officer.unit_id != case.unit_id or (
        case.governorate_id is not None and not _serves_governorate(officer, case.governorate_id)
    ):
        refusals.append(ValidationError(ASSIGN_OFFICER_OUT_OF_SCOPE, code="officer_out_of_scope"))
    return refusals


def _serves_governorate(officer: StaffProfile, governorate_id: int) -> bool:
    # case_assign reads the officer with this answer (annotated) under its lock.
    if getattr(officer, "serves_case_governorate_of", None) == governorate_id:
        return bool(officer.serves_case_governorate)
    return officer.governorates.filter(pk=governorate_id).exists()


def officer_filter_for_case(case: Case) -> Q:
    """The same rule as ``officer_refusals``, as a filter on StaffProfile."""
    eligible = Q(
        role=StaffProfile.Role.OFFICER,
        user__is_active=True,
        user__is_staff=True,
        unit_id=case.unit_id,
    )
    if case.governorate_id is None:
        # Nobody is placed to take a case whose governorate is unknown: it is
        # routed first (national intake), never given at random.
        return Q(pk__in=[])
    eligible &= Q(governorates=case.governorate_id)
    if case.wants_female_officer:
        eligible &= Q(sex=Sex.FEMALE)
    return eligible


def cases_held_ineligibly(*, officer: StaffProfile) -> QuerySet[Case]:
    """Open cases assigned to ``officer`` that the officer may not hold as the
    profile stands now (after a change of sex, unit, governorates, role or
    active state)."""
    held = Case.objects.filter(assigned_officer=officer, status__in=OPEN_STATUSES)
    if not (
        officer.role == StaffProfile.Role.OFFICER
        and officer.user.is_active
        and officer.user.is_staff
        and officer.unit_id is not None
    ):
        return held
    in_scope = Q(unit_id=officer.unit_id) & (
        Q(governorate__isnull=True) | Q(governorate__in=officer.governorates.all())
    )
    if officer.sex != Sex.FEMALE:
        in_scope &= Q(wants_female_officer=False)
    return held.exclude(in_scope)
