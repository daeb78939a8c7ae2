"""Reads that carry a rule (who may see what, what may leave casework).

Other apps (outreach, reporting) read case data only through these functions.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncMonth

from casework.models import Case


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
