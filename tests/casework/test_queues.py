"""No case unseen: every open case sits in a queue that an active person can
see and act on (the unit's supervisors, or national intake), and the
dashboard shows each queue and the time until a person first opened a case."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from casework.models import Case, Sex, StaffProfile
from casework.selectors import case_access_for, case_list_for_viewer
from tests.casework.conftest import NSS
from tests.casework.helpers import console_url

pytestmark = pytest.mark.django_db

CHANGELIST = "/en/console/casework/case/"
FILED_AT = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def intake(staff):
    """A national intake supervisor: a supervisor with no unit."""
    return staff("intake.national", role=StaffProfile.Role.SUPERVISOR, sex=Sex.FEMALE, unit=None)


def _listed(client, case: Case) -> bool:
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    return case.reference in response.content.decode()


def _dashboard(client) -> str:
    response = client.get(console_url("casework_case_dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def _queue_count(page: str, label: str) -> int:
    """The count cell right after the queue's label in the queues table."""
    start = page.index(f">{label}</a></th><td>") + len(f">{label}</a></th><td>")
    return int(page[start : page.index("<", start)])


@time_machine.travel(FILED_AT, tick=False)
def test_queues__unknown_blackmailer_where_national_security_has_nobody_reaches_intake(
    file_report, supervisor_baghdad, intake, console_client
):
    case = file_report(knows_blackmailer="no", governorate_code="basra").case
    assert case.unit.kind == NSS
    assert case.assignment_state == Case.AssignmentState.AWAITING_OFFICER

    intake_client = console_client(intake)
    assert _listed(intake_client, case)
    page = _dashboard(intake_client)
    assert "National intake" in page
    assert _queue_count(page, "Waiting for an officer") == 1
    # The Community Police supervisor is not placed to act on it.
    assert not _listed(console_client(supervisor_baghdad), case)


def test_queues__a_case_without_a_governorate_reaches_intake(file_report, intake, console_client):
    case = file_report(knows_blackmailer="yes", governorate_code="").case
    assert case.governorate is None

    client = console_client(intake)

    assert _listed(client, case)
    assert case_access_for(case=case, viewer=intake).can_assign


def test_queues__a_unit_with_only_male_officers_sends_a_female_request_to_intake(
    cp_case, male_officer_baghdad, intake, console_client
):
    case = cp_case(wants_female_officer=True)  # no CP supervisor in Baghdad at all
    assert case.assignment_state == Case.AssignmentState.AWAITING_FEMALE_OFFICER

    page = _dashboard(console_client(intake))

    assert _queue_count(page, "Waiting for a female officer") == 1
    assert _listed(console_client(intake), case)


def test_queues__a_case_a_unit_supervisor_covers_is_theirs_not_intakes(
    cp_case, supervisor_baghdad, intake, console_client
):
    case = cp_case()  # nobody works CP Baghdad, but a supervisor covers it

    supervisor_client = console_client(supervisor_baghdad)
    assert _listed(supervisor_client, case)
    assert _queue_count(_dashboard(supervisor_client), "Waiting for an officer") == 1
    assert not _listed(console_client(intake), case)


def test_queues__dashboard_shows_the_age_of_the_oldest_waiting_case(
    file_report, supervisor_baghdad, console_client
):
    with time_machine.travel(FILED_AT, tick=False):
        file_report(knows_blackmailer="yes", governorate_code="baghdad")
    with time_machine.travel(FILED_AT + dt.timedelta(hours=30), tick=False):
        file_report(knows_blackmailer="yes", governorate_code="baghdad")
        page = _dashboard(console_client(supervisor_baghdad))

    assert _queue_count(page, "Waiting for an officer") == 2
    assert "<td>30.0</td>" in page


def test_case_route__intake_sends_a_case_where_an_officer_takes_it(
    file_report, female_officer_baghdad, intake, console_client
):
    from casework.models import Governorate, Unit

    case = file_report(knows_blackmailer="yes", governorate_code="").case
    client = console_client(intake)

    response = client.post(
        console_url("casework_case_route", case.pk),
        {
            "governorate": Governorate.objects.get(code="baghdad").pk,
            "unit": Unit.objects.get(kind="community_police").pk,
        },
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.governorate.code == "baghdad"
    assert case.assigned_officer_id == female_officer_baghdad.pk
    assert "now belongs to" in client.get(response["Location"]).content.decode()
    assert not _listed(client, case)  # it left the intake queue


def test_case_route__refused_for_an_officer(file_report, female_officer_baghdad, console_client):
    case = file_report(knows_blackmailer="yes", governorate_code="baghdad").case
    assert case.assigned_officer_id == female_officer_baghdad.pk

    response = console_client(female_officer_baghdad).post(
        console_url("casework_case_route", case.pk), {"governorate": "1", "unit": "1"}
    )

    assert response.status_code == 403


def test_first_opened__recorded_on_the_first_view_by_someone_who_can_act(
    cp_case, supervisor_baghdad, staff, console_client
):
    administrator = staff("admin", role=StaffProfile.Role.ADMINISTRATOR, unit=None)
    with time_machine.travel(FILED_AT, tick=False):
        case = cp_case()
    page_url = console_url("casework_case_change", case.pk)

    with time_machine.travel(FILED_AT + dt.timedelta(hours=1), tick=False):
        console_client(administrator).get(page_url)  # sees it redacted, cannot act
    case.refresh_from_db()
    assert case.first_opened_at is None

    with time_machine.travel(FILED_AT + dt.timedelta(hours=3), tick=False):
        console_client(supervisor_baghdad).get(page_url)
    with time_machine.travel(FILED_AT + dt.timedelta(hours=5), tick=False):
        console_client(supervisor_baghdad).get(page_url)
        page = _dashboard(console_client(supervisor_baghdad))
    case.refresh_from_db()
    assert case.first_opened_at == FILED_AT + dt.timedelta(hours=3)
    assert "Median hours until first opened</th><td>3.0</td>" in page


def test_seed_demo__every_open_case_is_in_a_queue_an_active_person_can_act_on(
    reference_data, settings
):
    settings.DEBUG = True  # seed_demo runs only in a demo (tests/security/test_demo_secrets.py)
    call_command("seed_demo", "--without-history", "--quiet-logins")
    people = [
        profile
        for profile in StaffProfile.objects.select_related("user")
        if profile.user.is_active and profile.role != StaffProfile.Role.ADMINISTRATOR
    ]
    open_cases = Case.objects.filter(status__in=["new", "triaged", "assigned"])
    assert open_cases.exists()
    for case in open_cases:
        assert any(
            case_list_for_viewer(viewer=person).filter(pk=case.pk).exists()
            and case_access_for(case=case, viewer=person).can_work
            for person in people
        ), case.reference
    # Every unit routing can send a case to has a supervisor, and intake has one.
    supervisors = StaffProfile.objects.filter(role=StaffProfile.Role.SUPERVISOR)
    assert set(supervisors.values_list("unit__kind", flat=True)) == {
        "community_police",
        "national_security",
        "family_protection",
        None,
    }
