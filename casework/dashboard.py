"""The supervisor dashboard's figures: counts and durations only, never contents.

Every function takes the queryset of cases the viewer may see (from
``casework.selectors``), so the dashboard can never count beyond its scope.
Counts are grouped in the database; medians are computed from two timestamps
per case of the chosen months (PostgreSQL and SQLite alike).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BooleanField, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models import Case as Conditional
from django.utils import timezone

from casework.models import OPEN_STATUSES, Case, Governorate, Unit

PRIORITY_ORDER = {Case.Priority.URGENT: 0, Case.Priority.HIGH: 1, Case.Priority.NORMAL: 2}


def cases_open(cases: QuerySet) -> QuerySet:
    return cases.filter(status__in=OPEN_STATUSES)


def overdue_condition(now: dt.datetime) -> Q:
    """Open, not yet contacted, and past the first-contact deadline."""
    return Q(first_contact_at__isnull=True, first_contact_due_at__lt=now, status__in=OPEN_STATUSES)


def cases_overdue(cases: QuerySet, *, now: dt.datetime | None = None) -> QuerySet:
    """Open cases whose first contact is late."""
    return cases.filter(overdue_condition(now or timezone.now()))


def cases_urgent_and_overdue_first(cases: QuerySet, *, now: dt.datetime | None = None) -> QuerySet:
    """The order of "My cases" and the dashboard: open cases before closed ones,
    then urgent first, then overdue, then the nearest first-contact deadline."""
    now = now or timezone.now()
    return cases.annotate(
        open_rank=Conditional(
            When(status__in=OPEN_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        priority_rank=Conditional(
            *[When(priority=p, then=Value(rank)) for p, rank in PRIORITY_ORDER.items()],
            default=Value(9),
            output_field=IntegerField(),
        ),
        overdue_flag=Conditional(
            When(overdue_condition(now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    ).order_by("open_rank", "priority_rank", "-overdue_flag", "first_contact_due_at", "pk")


def cases_awaiting_female_officer(cases: QuerySet) -> QuerySet:
    return cases_open(cases).filter(assignment_state=Case.AssignmentState.AWAITING_FEMALE_OFFICER)


@dataclass(frozen=True)
class OpenCounts:
    by_status: list[tuple[str, int]]
    by_priority: list[tuple[str, int]]
    by_unit: list[tuple[str, int]]
    total: int
    overdue: int
    awaiting_female: int
    awaiting_officer: int


def open_counts(cases: QuerySet) -> OpenCounts:
    open_cases = cases_open(cases)
    status_rows = dict(open_cases.values_list("status").annotate(n=Count("id")).order_by())
    priority_rows = dict(open_cases.values_list("priority").annotate(n=Count("id")).order_by())
    unit_rows = dict(open_cases.values_list("unit_id").annotate(n=Count("id")).order_by())
    units = {unit.pk: str(unit) for unit in Unit.objects.filter(pk__in=unit_rows)}
    return OpenCounts(
        by_status=[
            (Case.Status(s).label, status_rows[s]) for s in OPEN_STATUSES if s in status_rows
        ],
        by_priority=[
            (Case.Priority(p).label, priority_rows[p]) for p in PRIORITY_ORDER if p in priority_rows
        ],
        by_unit=[(units[pk], n) for pk, n in sorted(unit_rows.items())],
        total=sum(status_rows.values()),
        overdue=cases_overdue(cases).count(),
        awaiting_female=open_cases.filter(
            assignment_state=Case.AssignmentState.AWAITING_FEMALE_OFFICER
        ).count(),
        awaiting_officer=open_cases.filter(
            assignment_state=Case.AssignmentState.AWAITING_OFFICER
        ).count(),
    )


@dataclass(frozen=True)
class MonthRow:
    month: dt.date
    governorate_id: int | None
    governorate: str
    filed: int
    first_contact_median_hours: float | None
    resolution_median_hours: float | None


def _month_of(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    local = moment.astimezone(zone)
    return dt.date(local.year, local.month, 1)


def monthly_figures(cases: QuerySet, *, start: dt.date, end: dt.date) -> list[MonthRow]:
    """Per month (Iraq time) and governorate: cases filed, median hours from
    filing to first contact, and median hours from filing to resolution."""
    zone = ZoneInfo(settings.DISPLAY_TIME_ZONE)
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    rows = cases.filter(filed_at__gte=start_at, filed_at__lt=end_at).values_list(
        "governorate_id", "filed_at", "first_contact_at", "resolved_at"
    )
    filed: dict[tuple, int] = defaultdict(int)
    contact: dict[tuple, list[float]] = defaultdict(list)
    resolution: dict[tuple, list[float]] = defaultdict(list)
    for governorate_id, filed_at, first_contact_at, resolved_at in rows.iterator(chunk_size=5000):
        key = (_month_of(filed_at, zone), governorate_id)
        filed[key] += 1
        if first_contact_at is not None:
            contact[key].append((first_contact_at - filed_at).total_seconds() / 3600)
        if resolved_at is not None:
            resolution[key].append((resolved_at - filed_at).total_seconds() / 3600)
    names = {g.pk: str(g) for g in Governorate.objects.filter(pk__in={k[1] for k in filed})}
    result = []
    for key in sorted(filed, key=lambda k: (k[0], names.get(k[1], ""))):
        month, governorate_id = key
        result.append(
            MonthRow(
                month=month,
                governorate_id=governorate_id,
                governorate=names.get(governorate_id, "—"),
                filed=filed[key],
                first_contact_median_hours=round(statistics.median(contact[key]), 1)
                if contact[key]
                else None,
                resolution_median_hours=round(statistics.median(resolution[key]), 1)
                if resolution[key]
                else None,
            )
        )
    return result


def monthly_totals(rows: list[MonthRow]) -> list[tuple[dt.date, int]]:
    totals: dict[dt.date, int] = defaultdict(int)
    for row in rows:
        totals[row.month] += row.filed
    return sorted(totals.items())


def monthly_figures_csv(rows: list[MonthRow], *, headers: list[str]) -> str:
    """The figures as CSV: month, governorate, counts and medians. Nothing else."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(
            [
                row.month.strftime("%Y-%m"),
                row.governorate,
                row.filed,
                "" if row.first_contact_median_hours is None else row.first_contact_median_hours,
                "" if row.resolution_median_hours is None else row.resolution_median_hours,
            ]
        )
    return "\ufeff" + buffer.getvalue()


__all__ = [
    "MonthRow",
    "OpenCounts",
    "cases_awaiting_female_officer",
    "cases_open",
    "cases_overdue",
    "cases_urgent_and_overdue_first",
    "monthly_figures",
    "monthly_figures_csv",
    "monthly_totals",
    "open_counts",
]
