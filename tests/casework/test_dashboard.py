"""Dashboard figures equal numbers worked out by hand on a small fixture."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from casework import dashboard
from casework.models import Case

BAGHDAD = ZoneInfo("Asia/Baghdad")


def _place(
    case, *, filed, contact_after=None, resolved_after=None, status=None, priority=None, due=None
):
    case.filed_at = filed
    case.first_contact_at = (
        filed + dt.timedelta(hours=contact_after) if contact_after is not None else None
    )
    case.resolved_at = (
        filed + dt.timedelta(hours=resolved_after) if resolved_after is not None else None
    )
    case.first_contact_due_at = due or filed + dt.timedelta(hours=72)
    if status:
        case.status = status
    if priority:
        case.priority = priority
    case.save()
    return case


@pytest.fixture
def fixture_cases(file_report):
    march = dt.datetime(2026, 3, 10, 12, tzinfo=BAGHDAD)
    april = dt.datetime(2026, 4, 2, 9, tzinfo=BAGHDAD)
    cases = [
        # March, Baghdad: first contact after 2, 4, 9 hours -> median 4; resolved after 48, 100 -> median 74
        _place(
            file_report(governorate_code="baghdad").case,
            filed=march,
            contact_after=2,
            resolved_after=48,
            status="resolved",
        ),
        _place(
            file_report(governorate_code="baghdad").case,
            filed=march,
            contact_after=4,
            resolved_after=100,
            status="resolved",
        ),
        _place(file_report(governorate_code="baghdad").case, filed=march, contact_after=9),
        # March, Karbala: one case, contact after 1 hour, not resolved
        _place(file_report(governorate_code="karbala").case, filed=march, contact_after=1),
        # April, Baghdad: two cases, none contacted -> no medians
        _place(file_report(governorate_code="baghdad").case, filed=april),
        _place(file_report(governorate_code="baghdad").case, filed=april),
        # Last day of April 23:30 in Baghdad is still April there (20:30 UTC).
        _place(
            file_report(governorate_code="karbala").case,
            filed=dt.datetime(2026, 4, 30, 23, 30, tzinfo=BAGHDAD),
        ),
    ]
    return cases


@pytest.mark.django_db
def test_monthly_figures__equal_hand_computed_numbers(fixture_cases):
    from django.utils import translation

    translation.activate("ar")
    rows = dashboard.monthly_figures(
        Case.objects.all(), start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 30)
    )
    table = {
        (r.month.isoformat(), r.governorate): (
            r.filed,
            r.first_contact_median_hours,
            r.resolution_median_hours,
        )
        for r in rows
    }
    assert table == {
        ("2026-03-01", "بغداد"): (3, 4.0, 74.0),
        ("2026-03-01", "كربلاء"): (1, 1.0, None),
        ("2026-04-01", "بغداد"): (2, None, None),
        ("2026-04-01", "كربلاء"): (1, None, None),
    }
    assert dashboard.monthly_totals(rows) == [(dt.date(2026, 3, 1), 4), (dt.date(2026, 4, 1), 3)]


@pytest.mark.django_db
def test_open_counts_and_queues__hand_computed(fixture_cases):
    now = timezone.now()
    overdue = fixture_cases[4]  # April, never contacted, due long ago
    counts = dashboard.open_counts(Case.objects.all())
    assert counts.total == 5  # two resolved are not open
    assert counts.overdue == 3  # the three never-contacted open cases, all past due
    assert dashboard.cases_overdue(Case.objects.all(), now=now).filter(pk=overdue.pk).exists()
    assert dict(counts.by_status)[Case.Status.NEW.label] == 5


@pytest.mark.django_db
def test_urgent_and_overdue_sort_first(file_report):
    now = timezone.now()
    normal_future = _place(
        file_report().case, filed=now, due=now + dt.timedelta(hours=5), priority="normal"
    )
    normal_overdue = _place(
        file_report().case, filed=now, due=now - dt.timedelta(hours=1), priority="normal"
    )
    urgent_future = _place(
        file_report().case, filed=now, due=now + dt.timedelta(hours=1), priority="urgent"
    )
    high_overdue = _place(
        file_report().case, filed=now, due=now - dt.timedelta(hours=3), priority="high"
    )
    ordered = list(dashboard.cases_urgent_and_overdue_first(Case.objects.all(), now=now))
    assert ordered == [urgent_future, high_overdue, normal_overdue, normal_future]


@pytest.mark.django_db
def test_monthly_csv__counts_only(fixture_cases):
    from django.utils import translation

    # Arabic names on purpose, not left over from whichever test ran before.
    with translation.override("ar"):
        rows = dashboard.monthly_figures(
            Case.objects.all(), start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 30)
        )
    text = dashboard.monthly_figures_csv(
        rows, headers=["month", "governorate", "filed", "contact", "resolution"]
    )
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert parsed[0] == ["month", "governorate", "filed", "contact", "resolution"]
    assert ["2026-03", "بغداد", "3", "4.0", "74.0"] in parsed
    for case in fixture_cases:
        assert case.reference not in text
    assert "He says" not in text  # no narrative
