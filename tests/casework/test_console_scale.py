"""The console list at national scale: a stored order, reference search on
parts of a reference, pages that cost the same, and no ciphertext in the sort."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework import dashboard, models
from casework.admin import CaseAdmin
from casework.console_list import ConsoleListPaginator, reference_search_key
from casework.models import Case, StaffProfile
from tests.casework.helpers import console_url

pytestmark = pytest.mark.django_db

SUPERVISOR = StaffProfile.Role.SUPERVISOR
LIST = "casework_case_changelist"


def _rank(case) -> int:
    return Case.objects.values_list("console_rank", flat=True).get(pk=case.pk)


def test_console_rank__definition_matches_the_open_statuses_and_priorities():
    assert set(models._FINISHED) == models.FINISHED_STATUSES
    assert list(models._RANK_BY_PRIORITY) == list(dashboard.PRIORITY_ORDER)


def test_console_rank__below_the_limit_exactly_when_open(cp_case):
    case = cp_case()
    for status in Case.Status.values:
        for priority in Case.Priority.values:
            for contacted in (None, timezone.now()):
                Case.objects.filter(pk=case.pk).update(  # noqa: TID251
                    status=status, priority=priority, first_contact_at=contacted
                )
                is_open = _rank(case) < models.OPEN_RANK_LIMIT
                assert is_open == (status in models.OPEN_STATUSES), (status, priority)


def test_console_rank__kept_by_the_database_on_every_write(cp_case):
    case = cp_case()  # normal priority, open, not yet contacted
    assert _rank(case) == 4
    case.first_contact_at = timezone.now()
    case.save()
    assert _rank(case) == 5  # contacted: after the ones still waiting
    # Even a write that goes around services and save() keeps it right.
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)  # noqa: TID251
    assert _rank(case) == 12
    Case.objects.filter(pk=case.pk).update(priority=Case.Priority.URGENT)  # noqa: TID251
    assert _rank(case) == 10


def test_console_list__overdue_first_then_deadline_then_contacted(
    supervisor_baghdad, cp_case, console_client
):
    now = timezone.now()

    def place(*, due_hours, contacted=False, status=None):
        case = cp_case()
        Case.objects.filter(pk=case.pk).update(  # noqa: TID251
            first_contact_due_at=now + dt.timedelta(hours=due_hours),
            first_contact_at=now if contacted else None,
            status=status or case.status,
        )
        return case

    closed_overdue = place(due_hours=-50, status=Case.Status.CLOSED)
    contacted_long_ago = place(due_hours=-40, contacted=True)
    waiting_soon = place(due_hours=2)
    overdue = place(due_hours=-3)
    most_overdue = place(due_hours=-30)
    urgent_later = cp_case(self_harm_risk=True)
    # ?state=all: the default list shows open cases only (OpenOrClosedFilter).
    html = console_client(supervisor_baghdad).get(console_url(LIST) + "?state=all").content.decode()
    order = [urgent_later, most_overdue, overdue, waiting_soon, contacted_long_ago, closed_overdue]
    positions = [html.index(case.reference) for case in order]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("SND-7K3M-Q9XW", ("SND7K3MQ9XW", True)),
        ("snd 7k3", ("SND7K3", True)),
        ("7K3M", ("7K3M", False)),
        ("q9xw", ("Q9XW", False)),
        ("٧K٣M", ("7K3M", False)),  # Arabic-Indic digits
        ("7KOM", ("7K0M", False)),  # O read as zero
        ("7K", None),  # too short to search
        ("SND", None),
        ("7K3U", None),  # U is not in the alphabet
        ("x" * 40, None),
    ],
)
def test_reference_search_key(typed, expected):
    assert reference_search_key(typed) == expected


def test_console_search__finds_whole_and_partial_references_in_scope_only(
    supervisor_baghdad, cp_case, file_report, console_client
):
    case = cp_case()
    other = cp_case()
    elsewhere = file_report(knows_blackmailer="yes", governorate_code="basra").case
    client = console_client(supervisor_baghdad)
    reference = case.reference  # SND-XXXX-XXXX

    def listed(found, typed) -> bool:
        html = client.get(console_url(LIST), {"q": typed}).content.decode()
        return f">{found.reference}</a>" in html

    for typed in [
        reference,
        reference[:7],
        reference[4:8],
        reference[-4:].lower(),
        reference[5:11],
    ]:
        assert listed(case, typed), typed
    assert not listed(elsewhere, elsewhere.reference)  # outside the supervisor's governorates
    assert not listed(case, "SN") and not listed(other, "SN")


def test_console_list__pages_cost_the_same_and_the_count_stops_at_its_cap(
    supervisor_baghdad, cp_case, console_client, monkeypatch
):
    monkeypatch.setattr(ConsoleListPaginator, "count_cap", 4)
    monkeypatch.setattr(CaseAdmin, "list_per_page", 2)
    cases = [cp_case() for _ in range(7)]
    client = console_client(supervisor_baghdad)
    client.get(console_url(LIST))  # warm: content types, session

    def page(number):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(console_url(LIST), {"p": number})
        assert response.status_code == 200
        return response.content.decode(), queries

    first, first_queries = page(1)
    third, third_queries = page(3)
    assert "More than 4 cases" in first
    assert len(first_queries) == len(third_queries)
    shown = [c.reference for c in cases if c.reference in first + third]
    assert len(shown) == 4
    # The page is found by ids alone; only the rows shown are read whole, and
    # no query reads the narrative, threat or external references.
    sql = [q["sql"] for q in third_queries.captured_queries]
    id_walk = [s for s in sql if "OFFSET" in s and "casework_case" in s]
    assert id_walk and all("identity_enc" not in s for s in id_walk)
    for column in ("narrative_enc", "threat_enc", "external_refs_enc"):
        assert not [s for s in sql if column in s], column


def test_dashboard__query_count_does_not_grow_with_cases(
    supervisor_baghdad, cp_case, console_client
):
    client = console_client(supervisor_baghdad)
    cp_case()
    client.get(console_url("casework_case_dashboard"))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(console_url("casework_case_dashboard")).status_code == 200
        return len(queries)

    few = count()
    for index in range(6):
        case = cp_case(self_harm_risk=index % 2 == 0)
        case.first_contact_at = case.filed_at + dt.timedelta(hours=index)
        case.save()
    assert count() == few


@pytest.mark.postgres
def test_monthly_figures__sql_medians_equal_the_python_ones(supervisor_baghdad, cp_case):
    if connection.vendor != "postgresql":
        pytest.skip("percentile_cont is PostgreSQL's")
    for index in range(7):
        case = cp_case()
        case.first_contact_at = case.filed_at + dt.timedelta(hours=index * 1.5)
        if index % 2:
            case.resolved_at = case.filed_at + dt.timedelta(hours=40 + index)
        case.save()
    today = timezone.now().date()
    cases = Case.objects.all()
    start, end = today.replace(day=1) - dt.timedelta(days=40), today
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Asia/Baghdad")
    in_range = cases.filter(filed_at__gte=timezone.now() - dt.timedelta(days=60))
    assert dashboard._monthly_grouped_in_sql(in_range, zone) == (
        dashboard._monthly_grouped_in_python(in_range, zone)
    )
    with CaptureQueriesContext(connection) as queries:
        rows = dashboard.monthly_figures(cases, start=start, end=end)
    assert rows and len(queries) == 2  # grouped figures + governorate names


@pytest.mark.postgres
def test_console_search__partial_reference_uses_the_trigram_index(cp_case):
    if connection.vendor != "postgresql":
        pytest.skip("trigram index is PostgreSQL's")
    case = cp_case()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM casework_case WHERE reference_key LIKE %s",
            [f"%{case.reference[4:8]}%"],
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "case_reference_trgm_idx" in plan
