"""Console part 2 through the console itself: status, notes, checklist,
feedback, SLA order, the dashboard and its CSV, and the list's query count."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation

from casework.models import AuditEvent, Case, ChecklistItem
from casework.services import feedback_submit
from tests.casework.helpers import console_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(female_officer_baghdad, supervisor_baghdad, cp_case):
    case = cp_case()  # auto-assigned to the only CP officer in Baghdad
    assert case.assigned_officer == female_officer_baghdad
    return {"case": case, "officer": female_officer_baghdad, "supervisor": supervisor_baghdad}


def test_console__officer_moves_the_case_along_to_court(story, console_client):
    case, client = story["case"], console_client(story["officer"])
    for target in ["in_contact", "suspect_identified"]:
        response = client.post(console_url("casework_case_transition", case.pk), {"to": target})
        assert response.status_code == 302
    # Court referral without an article is refused, with a message, nothing changes.
    client.post(console_url("casework_case_transition", case.pk), {"to": "referred_to_court"})
    case.refresh_from_db()
    assert case.status == "suspect_identified"
    client.post(
        console_url("casework_case_transition", case.pk),
        {"to": "referred_to_court", "article": "430"},
    )
    case.refresh_from_db()
    assert case.status == "referred_to_court"
    assert ChecklistItem.objects.get(case=case, code="court_referral").article == "430"
    events = AuditEvent.objects.filter(case=case, action=AuditEvent.Action.CASE_STATUS_CHANGED)
    assert [e.details["to"] for e in events] == [
        "assigned",
        "in_contact",
        "suspect_identified",
        "referred_to_court",
    ]


def test_console__a_refused_transition_changes_nothing(story, console_client):
    case = story["case"]
    console_client(story["officer"]).post(
        console_url("casework_case_transition", case.pk), {"to": "closed"}
    )
    case.refresh_from_db()
    assert case.status == "assigned"


def test_console__checklist_and_notes_from_the_case_page(story, console_client):
    case, client = story["case"], console_client(story["officer"])
    client.post(console_url("casework_case_checklist", case.pk), {"code": "told_not_to_pay"})
    client.post(
        console_url("casework_case_note", case.pk), {"note": "Platform report filed, ticket 42"}
    )
    page = client.get(console_url("casework_case_change", case.pk)).content.decode()
    assert "Platform report filed, ticket 42" in page
    assert "told not to pay" in page.lower()
    item = ChecklistItem.objects.get(case=case, code="told_not_to_pay")
    assert item.done_by == story["officer"] and item.done_at is not None


def test_console__colleague_out_of_the_case_cannot_work_it(
    story, console_client, male_officer_baghdad
):
    case = story["case"]
    client = console_client(male_officer_baghdad)
    client.post(console_url("casework_case_transition", case.pk), {"to": "in_contact"})
    client.post(console_url("casework_case_note", case.pk), {"note": "should not be saved"})
    case.refresh_from_db()
    assert case.status == "assigned"
    assert not case.notes.exists()


def test_console__work_urls_are_404_outside_scope(story, console_client, supervisor_basra):
    case, client = story["case"], console_client(supervisor_basra)
    for name in ["casework_case_transition", "casework_case_note", "casework_case_checklist"]:
        assert client.post(console_url(name, case.pk), {"to": "in_contact"}).status_code == 404
        assert client.get(console_url(name, case.pk)).status_code == 404


def test_feedback__reaches_the_supervisor_never_the_officer_concerned(story, console_client):
    case = story["case"]
    feedback_submit(case=case, rating=1, complaint="The officer laughed at me")
    officer_page = console_client(story["officer"]).get(
        console_url("casework_case_change", case.pk)
    )
    assert "laughed at me" not in officer_page.content.decode()
    assert (
        console_client(story["officer"]).get(console_url("casework_case_feedback")).status_code
        == 404
    )
    supervisor = console_client(story["supervisor"])
    assert "laughed at me" in supervisor.get(console_url("casework_case_feedback")).content.decode()
    assert (
        "laughed at me"
        in supervisor.get(console_url("casework_case_change", case.pk)).content.decode()
    )


@pytest.mark.parametrize(
    "baghdad_clock",
    ["05:09", "14:09", "11:30"],  # before 10:00, after noon, and where a.m./p.m. switch
)
def test_sla__fresh_urgent_case_is_due_two_hours_after_filing(
    female_officer_baghdad, cp_case, console_client, baghdad_clock
):
    hour, minute = map(int, baghdad_clock.split(":"))
    frozen = dt.datetime(2026, 6, 15, hour, minute, tzinfo=ZoneInfo("Asia/Baghdad"))
    with time_machine.travel(frozen, tick=False):
        case = cp_case(self_harm_risk=True)
        assert case.priority == "urgent"
        assert case.first_contact_due_at - case.filed_at == dt.timedelta(hours=2)
        page = (
            console_client(female_officer_baghdad)
            .get(console_url("casework_case_change", case.pk))
            .content.decode()
        )
    local_due = timezone.localtime(case.first_contact_due_at, timezone=ZoneInfo("Asia/Baghdad"))
    assert local_due.hour == (hour + 2) % 24
    with translation.override("en"):
        assert formats.date_format(local_due, "DATETIME_FORMAT") in page


def test_sla__urgent_and_overdue_sort_first_in_my_cases(
    female_officer_baghdad, cp_case, console_client
):
    now = timezone.now()
    normal = cp_case()
    overdue = cp_case()
    urgent = cp_case(self_harm_risk=True)
    Case.objects.filter(pk=overdue.pk).update(first_contact_due_at=now - dt.timedelta(hours=5))  # noqa: TID251
    html = (
        console_client(female_officer_baghdad)
        .get(console_url("casework_case_changelist") + "?mine=yes")
        .content.decode()
    )
    positions = [html.index(c.reference) for c in (urgent, overdue, normal)]
    assert positions == sorted(positions)


@pytest.fixture
def mid_month():
    """Freeze the clock mid-month so "this month" is the same month in UTC and Baghdad."""
    with time_machine.travel(dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_dashboard__figures_and_csv_are_counts_only(mid_month, story, console_client, cp_case):
    cp_case()
    client = console_client(story["supervisor"])
    page = client.get(console_url("casework_case_dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Per month and governorate" in html
    csv_response = client.get(console_url("casework_case_dashboard_csv"))
    text = csv_response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("month,governorate,cases filed")
    assert any(",2," in line for line in lines[1:])  # two Baghdad cases this month
    for secret in ["Layla", "0770", "photos", story["case"].reference]:
        assert secret not in text
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CASE_EXPORTED).exists()


def test_dashboard__only_for_supervisors(story, console_client, outreach_baghdad):
    assert (
        console_client(story["officer"]).get(console_url("casework_case_dashboard")).status_code
        == 404
    )
    assert (
        console_client(outreach_baghdad).get(console_url("casework_case_dashboard")).status_code
        == 404
    )


@pytest.mark.parametrize("page_size", [5, 40])
def test_case_list__query_count_does_not_grow_with_page_size(
    supervisor_baghdad, cp_case, console_client, page_size, settings
):
    from casework.admin import CaseAdmin

    for _ in range(page_size):
        cp_case()
    client = console_client(supervisor_baghdad)
    client.get(console_url("casework_case_changelist"))  # warm caches (content types, sessions)
    CaseAdmin.list_per_page = page_size
    try:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(console_url("casework_case_changelist"))
    finally:
        CaseAdmin.list_per_page = 50
    assert response.status_code == 200
    assert response.content.decode().count("/change/") >= page_size
    test_case_list__query_count_does_not_grow_with_page_size.counts[page_size] = len(queries)
    if len(test_case_list__query_count_does_not_grow_with_page_size.counts) == 2:
        small, large = test_case_list__query_count_does_not_grow_with_page_size.counts.values()
        assert small == large


test_case_list__query_count_does_not_grow_with_page_size.counts = {}
