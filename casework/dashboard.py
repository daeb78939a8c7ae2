"""The supervisor dashboard's figures: counts and durations only, never contents.

Every function takes the queryset of cases the viewer may see (from
``casework.selectors``), so the dashboard can never count beyond its scope.
Counts and medians are grouped in the database on PostgreSQL (percentile_cont),
in a handful of queries whatever the number of cases; on SQLite the medians
are worked out in Python from two timestamps per case.
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
from django.db import connections
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from casework.models import OPEN_RANK_LIMIT, OPEN_STATUSES, Case, Governorate, Unit

PRIORITY_ORDER = {Case.Priority.URGENT: 0, Case.Priority.HIGH: 1, Case.Priority.NORMAL: 2}


# "Open" is asked as a range of the stored rank (below OPEN_RANK_LIMIT exactly
# when the status is one of OPEN_STATUSES; tests/casework/test_console_scale.py
# checks every status): the order index serves it, and the planner's estimate
# stays right (saying it twice, status and rank, made it guess 40x too few).


def cases_open(cases: QuerySet) -> QuerySet:
    return cases.filter(console_rank__lt=OPEN_RANK_LIMIT)


def overdue_condition(now: dt.datetime) -> Q:
    """Open, not yet contacted, and past the first-contact deadline."""
    return Q(
        first_contact_at__isnull=True,
        first_contact_due_at__lt=now,
        console_rank__lt=OPEN_RANK_LIMIT,
    )


def cases_overdue(cases: QuerySet, *, now: dt.datetime | None = None) -> QuerySet:
    """Open cases whose first contact is late."""
    return cases.filter(overdue_condition(now or timezone.now()))


# Open cases before finished ones, urgent > high > normal, cases still waiting
# for their first contact before contacted ones (Case.console_rank, stored);
# then the nearest first-contact deadline, so within a priority the overdue
# cases (deadline passed, no contact) come first; the id breaks ties. One
# index (case_console_order_idx) serves this order: no sort, no clock.
CONSOLE_ORDER = ("console_rank", "first_contact_due_at", "pk")


def cases_urgent_and_overdue_first(cases: QuerySet, *, now: dt.datetime | None = None) -> QuerySet:
    """The order of "My cases", the console list and the dashboard's queues.

    ``now`` is accepted for callers written when the order read the clock; it
    no longer does (overdue cases sort first by their earlier deadline).
    """
    return cases.order_by(*CONSOLE_ORDER)


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


def open_counts(cases: QuerySet, *, now: dt.datetime | None = None) -> OpenCounts:
    """Open cases by status, priority and unit, overdue and waiting: one grouped query."""
    now = now or timezone.now()
    groups = (
        cases_open(cases)
        .values_list("status", "priority", "unit_id", "assignment_state")
        .annotate(n=Count("id"), late=Count("id", filter=overdue_condition(now)))
        .order_by()
    )
    by_status: dict[str, int] = defaultdict(int)
    by_priority: dict[str, int] = defaultdict(int)
    by_unit: dict[int, int] = defaultdict(int)
    by_state: dict[str, int] = defaultdict(int)
    overdue = 0
    for status, priority, unit_id, state, n, late in groups:
        by_status[status] += n
        by_priority[priority] += n
        by_unit[unit_id] += n
        by_state[state] += n
        overdue += late
    units = {unit.pk: str(unit) for unit in Unit.objects.filter(pk__in=by_unit)}
    return OpenCounts(
        by_status=[(Case.Status(s).label, by_status[s]) for s in OPEN_STATUSES if s in by_status],
        by_priority=[
            (Case.Priority(p).label, by_priority[p]) for p in PRIORITY_ORDER if p in by_priority
        ],
        by_unit=[(units[pk], n) for pk, n in sorted(by_unit.items())],
        total=sum(by_status.values()),
        overdue=overdue,
        awaiting_female=by_state[Case.AssignmentState.AWAITING_FEMALE_OFFICER],
        awaiting_officer=by_state[Case.AssignmentState.AWAITING_OFFICER],
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


class Median(Aggregate):
    """PostgreSQL's exact median (the mean of the two middle values, as
    ``statistics.median``); NULLs are left out."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _hours(value: dt.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 1)


def monthly_figures(cases: QuerySet, *, start: dt.date, end: dt.date) -> list[MonthRow]:
    """Per month (Iraq time) and governorate: cases filed, median hours from
    filing to first contact, and median hours from filing to resolution.

    On PostgreSQL one grouped query computes everything (percentile_cont); other
    databases get the counts grouped and the medians worked out here.
    """
    zone = ZoneInfo(settings.DISPLAY_TIME_ZONE)
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    in_range = cases.filter(filed_at__gte=start_at, filed_at__lt=end_at)
    if connections[in_range.db].vendor == "postgresql":
        grouped = _monthly_grouped_in_sql(in_range, zone)
    else:
        grouped = _monthly_grouped_in_python(in_range, zone)
    names = {g.pk: str(g) for g in Governorate.objects.filter(pk__in={k[1] for k in grouped})}
    return [
        MonthRow(
            month=month,
            governorate_id=governorate_id,
            governorate=names.get(governorate_id, "—"),
            filed=filed,
            first_contact_median_hours=contact,
            resolution_median_hours=resolution,
        )
        for (month, governorate_id), (filed, contact, resolution) in sorted(
            grouped.items(), key=lambda item: (item[0][0], names.get(item[0][1], ""))
        )
    ]


def _monthly_grouped_in_sql(cases: QuerySet, zone: ZoneInfo) -> dict[tuple, tuple]:
    rows = (
        cases.annotate(month=TruncMonth("filed_at", tzinfo=zone))
        .values_list("month", "governorate_id")
        .annotate(
            # COUNT(*), not COUNT(id): the covering index has no id to read.
            filed=Count("*"),
            contact=Median(
                ExpressionWrapper(F("first_contact_at") - F("filed_at"), DurationField())
            ),
            resolution=Median(ExpressionWrapper(F("resolved_at") - F("filed_at"), DurationField())),
        )
        .order_by()
    )
    return {
        (_month_of(month, zone), governorate_id): (filed, _hours(contact), _hours(resolution))
        for month, governorate_id, filed, contact, resolution in rows
    }


def _monthly_grouped_in_python(cases: QuerySet, zone: ZoneInfo) -> dict[tuple, tuple]:
    rows = cases.values_list("governorate_id", "filed_at", "first_contact_at", "resolved_at")
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
    return {
        key: (
            count,
            round(statistics.median(contact[key]), 1) if contact[key] else None,
            round(statistics.median(resolution[key]), 1) if resolution[key] else None,
        )
        for key, count in filed.items()
    }


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
