"""Assignment: one service, every entry point, the female-officer rule always."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from casework.auth import staff_deactivate
from casework.models import AuditEvent, Case, Sex, StaffProfile
from casework.services import case_assign, case_auto_assign
from tests.casework.helpers import console_url

CHANGELIST = "/en/console/casework/case/"


def _refusals(case, *, via=None):
    events = AuditEvent.objects.filter(case=case, action=AuditEvent.Action.CASE_ASSIGN_REFUSED)
    if via is not None:
        events = [event for event in events if event.details.get("via") == via]
    return list(events)


def _assign_url(case):
    return console_url("casework_case_assign", case.pk)


# --- the service ------------------------------------------------------------------


@pytest.mark.django_db
def test_case_assign__refuses_male_officer_when_female_requested(
    cp_case, male_officer_baghdad, supervisor_baghdad
):
    case = cp_case(wants_female_officer=True)
    assert case.assigned_officer is None  # the only officer is male: it waits
    with pytest.raises(ValidationError) as refused:
        case_assign(case=case, officer=male_officer_baghdad, by=supervisor_baghdad)
    assert refused.value.code == "female_officer_required"
    case.refresh_from_db()
    assert case.assigned_officer is None
    assert case.assignment_state == Case.AssignmentState.AWAITING_FEMALE_OFFICER
    (event,) = _refusals(case)
    assert event.details["code"] == "female_officer_required"
    assert event.details["officer"] == male_officer_baghdad.pk
    assert event.actor == supervisor_baghdad.user


@pytest.mark.django_db
def test_case_assign__allows_female_officer_when_female_requested(
    cp_case, staff, supervisor_baghdad
):
    case = cp_case(wants_female_officer=True)
    female = staff("late.female", sex=Sex.FEMALE, governorates=["baghdad"])
    case = case_assign(case=case, officer=female, by=supervisor_baghdad)
    assert case.assigned_officer == female
    assert case.assignment_state == Case.AssignmentState.ASSIGNED
    assert case.status == Case.Status.ASSIGNED
    assigned = AuditEvent.objects.get(case=case, action=AuditEvent.Action.CASE_ASSIGNED)
    assert assigned.details == {"officer": female.pk, "previous": None, "via": "service"}
    assert AuditEvent.objects.filter(
        case=case, action=AuditEvent.Action.CASE_STATUS_CHANGED
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scenario", "code"),
    [
        ("inactive_officer", "officer_inactive"),
        ("officer_other_governorate", "officer_out_of_scope"),
        ("officer_other_unit", "officer_out_of_scope"),
        ("supervisor_as_officer", "not_an_officer"),
        ("closed_case", "case_closed"),
        ("by_an_officer", "by_not_allowed"),
        ("by_supervisor_elsewhere", "by_not_allowed"),
        ("by_outreach", "by_not_allowed"),
        ("seen_someone_else", "assignment_changed"),
    ],
)
def test_case_assign__refusal_codes(
    scenario,
    code,
    cp_case,
    staff,
    supervisor_baghdad,
    supervisor_basra,
    officer_karbala,
    nss_officer_baghdad,
    outreach_baghdad,
):
    case = cp_case()  # no officer of CP Baghdad yet: awaiting officer
    officer = staff("target", sex=Sex.FEMALE, governorates=["baghdad"])
    by = supervisor_baghdad
    kwargs = {}
    if scenario == "inactive_officer":
        officer.user.is_active = False
        officer.user.save()
    elif scenario == "officer_other_governorate":
        officer = officer_karbala
    elif scenario == "officer_other_unit":
        officer = nss_officer_baghdad
    elif scenario == "supervisor_as_officer":
        officer = supervisor_baghdad
    elif scenario == "closed_case":
        case.status = Case.Status.CLOSED
        case.save(update_fields=["status"])
    elif scenario == "by_an_officer":
        by = staff("colleague", governorates=["baghdad"])
    elif scenario == "by_supervisor_elsewhere":
        by = supervisor_basra
    elif scenario == "by_outreach":
        by = outreach_baghdad
    elif scenario == "seen_someone_else":
        kwargs["expected_officer"] = officer_karbala
    with pytest.raises(ValidationError) as refused:
        case_assign(case=case, officer=officer, by=by, **kwargs)
    assert refused.value.code == code
    case.refresh_from_db()
    assert case.assigned_officer is None
    (event,) = _refusals(case)
    assert event.details["code"] == code


@pytest.mark.django_db
def test_case_assign__reassigns_when_what_was_seen_is_current(
    cp_case, female_officer_baghdad, staff, supervisor_baghdad
):
    case = cp_case()
    assert case.assigned_officer == female_officer_baghdad
    other = staff("other.f", sex=Sex.FEMALE, governorates=["baghdad"])
    case = case_assign(
        case=case,
        officer=other,
        by=supervisor_baghdad,
        expected_officer=female_officer_baghdad,
    )
    assert case.assigned_officer == other
    event = AuditEvent.objects.filter(case=case, action=AuditEvent.Action.CASE_ASSIGNED).last()
    assert event.details["previous"] == female_officer_baghdad.pk


# --- the female-officer rule, at every door --------------------------------------------


@pytest.mark.django_db
def test_female_rule__change_form_refuses_male_officer(
    cp_case, male_officer_baghdad, supervisor_baghdad, console_client
):
    case = cp_case(wants_female_officer=True)
    client = console_client(supervisor_baghdad)
    response = client.post(
        _assign_url(case), {"officer": male_officer_baghdad.pk, "expected_officer": ""}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "may only be assigned to a female officer" in page
    case.refresh_from_db()
    assert case.assigned_officer is None
    assert len(_refusals(case, via="console_form")) == 1


@pytest.mark.django_db
def test_female_rule__change_form_assigns_female_officer(
    cp_case, male_officer_baghdad, staff, supervisor_baghdad, console_client
):
    case = cp_case(wants_female_officer=True)
    female = staff("late.female", sex=Sex.FEMALE, governorates=["baghdad"])
    client = console_client(supervisor_baghdad)
    page = client.get(console_url("casework_case_change", case.pk)).content.decode()
    # The form offers only eligible officers.
    assert f'value="{female.pk}"' in page
    assert f'value="{male_officer_baghdad.pk}"' not in page
    response = client.post(_assign_url(case), {"officer": female.pk, "expected_officer": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assigned_officer == female


@pytest.mark.django_db
def test_female_rule__change_form_tells_the_loser_of_a_race(
    cp_case, staff, supervisor_baghdad, console_client
):
    case = cp_case()
    first = staff("first.f", sex=Sex.FEMALE, governorates=["baghdad"])
    second = staff("second.f", sex=Sex.FEMALE, governorates=["baghdad"])
    client = console_client(supervisor_baghdad)
    # Both supervisors saw "nobody"; the first one wins.
    client.post(_assign_url(case), {"officer": first.pk, "expected_officer": ""})
    response = client.post(_assign_url(case), {"officer": second.pk, "expected_officer": ""})
    page = client.get(response["Location"]).content.decode()
    assert "Someone else changed this case" in page
    case.refresh_from_db()
    assert case.assigned_officer == first


def _bulk_assign(client, cases, officer):
    data = {
        "action": "assign_to",
        "apply": "1",
        "officer": officer.pk,
        "_selected_action": [case.pk for case in cases],
    }
    return client.post(CHANGELIST, data)


@pytest.mark.django_db
def test_female_rule__bulk_action_mixed_selection_never_gives_male_officer(
    cp_case, staff, supervisor_baghdad, console_client
):
    wants_female = [cp_case(wants_female_officer=True) for _ in range(2)]
    no_preference = [cp_case() for _ in range(2)]
    male = staff("male.officer", sex=Sex.MALE, governorates=["baghdad"])
    client = console_client(supervisor_baghdad)

    # The intermediate page first: the officer is chosen there.
    chooser = client.post(
        CHANGELIST,
        {"action": "assign_to", "index": "0", "_selected_action": [c.pk for c in wants_female]},
    )
    assert chooser.status_code == 200
    assert f'value="{male.pk}"' in chooser.content.decode()

    response = _bulk_assign(client, wants_female + no_preference, male)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    for case in wants_female:
        case.refresh_from_db()
        assert case.assigned_officer is None
        assert case.assignment_state == Case.AssignmentState.AWAITING_FEMALE_OFFICER
        assert len(_refusals(case, via="console_bulk")) == 1
        assert f"Case {case.reference} was not assigned" in page
    for case in no_preference:
        case.refresh_from_db()
        assert case.assigned_officer == male
    assert "2 cases were assigned to male.officer" in page

    # The same batch to a female officer: every case is assigned.
    female = staff("female.officer", sex=Sex.FEMALE, governorates=["baghdad"])
    _bulk_assign(client, wants_female + no_preference, female)
    for case in wants_female + no_preference:
        case.refresh_from_db()
        assert case.assigned_officer == female


@pytest.mark.django_db
def test_female_rule__bulk_action_of_only_female_requests_assigns_none_to_male(
    cp_case, male_officer_baghdad, supervisor_baghdad, console_client
):
    cases = [cp_case(wants_female_officer=True) for _ in range(3)]
    _bulk_assign(console_client(supervisor_baghdad), cases, male_officer_baghdad)
    assert not Case.objects.filter(assigned_officer=male_officer_baghdad).exists()
    assert sum(len(_refusals(case)) for case in cases) == 3


@pytest.mark.django_db
def test_female_rule__management_command(cp_case, male_officer_baghdad, staff, supervisor_baghdad):
    case = cp_case(wants_female_officer=True)
    with pytest.raises(CommandError, match="female_officer_required"):
        call_command(
            "assign_case", case.reference, male_officer_baghdad.user.username, by="supervisor.cp.m"
        )
    case.refresh_from_db()
    assert case.assigned_officer is None
    assert len(_refusals(case, via="command")) == 1

    female = staff("late.female", sex=Sex.FEMALE, governorates=["baghdad"])
    call_command("assign_case", case.reference, "late.female", by="supervisor.cp.m")
    case.refresh_from_db()
    assert case.assigned_officer == female


@pytest.mark.django_db
def test_assign_command__refuses_an_officer_as_assigner(cp_case, female_officer_baghdad, staff):
    case = cp_case()
    colleague = staff("colleague.f", sex=Sex.FEMALE, governorates=["baghdad"])
    with pytest.raises(CommandError, match="by_not_allowed"):
        call_command(
            "assign_case",
            case.reference,
            colleague.user.username,
            by=female_officer_baghdad.user.username,
        )


@pytest.mark.django_db
def test_female_rule__auto_assigner_leaves_case_awaiting(cp_case, male_officer_baghdad):
    case = cp_case(wants_female_officer=True)
    assert case.assigned_officer is None
    assert case.assignment_state == Case.AssignmentState.AWAITING_FEMALE_OFFICER
    awaiting = AuditEvent.objects.get(case=case, action=AuditEvent.Action.CASE_AWAITING)
    assert awaiting.details == {"state": "awaiting_female_officer", "reason": "filed"}
    # Offered again, it still waits: never silently given to someone else.
    case = case_auto_assign(case=case)
    assert case.assigned_officer is None


@pytest.mark.django_db
def test_female_rule__direct_model_save_is_refused_and_audited(cp_case, male_officer_baghdad):
    case = cp_case(wants_female_officer=True)
    case.assigned_officer = male_officer_baghdad
    with pytest.raises(ValidationError) as refused:
        case.save()
    assert refused.value.code == "female_officer_required"
    assert Case.objects.get(pk=case.pk).assigned_officer is None
    assert len(_refusals(case, via="model_save")) == 1


# --- auto-assignment ---------------------------------------------------------------


@pytest.mark.django_db
def test_auto_assign__picks_least_loaded_eligible_officer(cp_case, staff, supervisor_baghdad):
    backlog = [cp_case() for _ in range(6)]  # filed before any officer: awaiting
    busy = staff("busy.f", sex=Sex.FEMALE, governorates=["baghdad"])
    closed_heavy = staff("closed.heavy.f", sex=Sex.FEMALE, governorates=["baghdad"])
    light = staff("light.f", sex=Sex.FEMALE, governorates=["baghdad"])
    staff("idle.male", sex=Sex.MALE, governorates=["baghdad"]).user.save()
    inactive = staff("inactive.f", sex=Sex.FEMALE, governorates=["baghdad"])
    inactive.user.is_active = False
    inactive.user.save()
    staff("idle.karbala.f", sex=Sex.FEMALE, governorates=["karbala"])
    staff("idle.nss.f", sex=Sex.FEMALE, unit="national_security", governorates=["baghdad"])

    for case in backlog[:2]:
        case_assign(case=case, officer=busy, by=supervisor_baghdad)
    # Three cases, but closed ones are no load.
    for case in backlog[2:5]:
        case_assign(case=case, officer=closed_heavy, by=supervisor_baghdad)
    for case in backlog[2:4]:
        case.refresh_from_db()
        case.status = Case.Status.CLOSED
        case.save(update_fields=["status"])
    case_assign(case=backlog[5], officer=light, by=supervisor_baghdad)

    # Loads: busy 2, closed_heavy 1, light 1, idle.male 0 (not eligible: female
    # requested), inactive/karbala/NSS not eligible. Tie -> lowest pk.
    case = cp_case(wants_female_officer=True)
    assert case.assigned_officer == closed_heavy
    assert case.status == Case.Status.ASSIGNED
    event = AuditEvent.objects.get(case=case, action=AuditEvent.Action.CASE_ASSIGNED)
    assert event.details["via"] == "auto"
    assert event.actor is None

    # Without the preference, the idle male officer is the least loaded.
    assert cp_case().assigned_officer.user.username == "idle.male"


@pytest.mark.django_db
def test_auto_assign__awaiting_officer_when_nobody_works_there(file_report, staff):
    staff("karbala.only", governorates=["karbala"])
    case = file_report(knows_blackmailer="yes", governorate_code="basra").case
    assert case.assigned_officer is None
    assert case.assignment_state == Case.AssignmentState.AWAITING_OFFICER


@pytest.mark.django_db
def test_auto_assign__no_governorate_waits_for_a_supervisor(file_report, staff):
    staff("anywhere", governorates=["baghdad"])
    case = file_report(knows_blackmailer="yes", governorate_code="").case
    assert case.governorate is None
    assert case.assignment_state == Case.AssignmentState.AWAITING_OFFICER


@pytest.mark.django_db
def test_deactivation__cases_go_back_through_the_same_rule(cp_case, staff):
    administrator = staff("admin", role=StaffProfile.Role.ADMINISTRATOR, unit=None)
    leaving = staff("leaving.f", sex=Sex.FEMALE, governorates=["baghdad"])
    female_case = cp_case(wants_female_officer=True)
    plain_case = cp_case()
    assert female_case.assigned_officer == leaving == plain_case.assigned_officer
    male = staff("stays.m", sex=Sex.MALE, governorates=["baghdad"])

    staff_deactivate(profile=leaving, by=administrator)

    female_case.refresh_from_db()
    plain_case.refresh_from_db()
    assert female_case.assigned_officer is None
    assert female_case.assignment_state == Case.AssignmentState.AWAITING_FEMALE_OFFICER
    assert plain_case.assigned_officer == male


# --- two supervisors at once (PostgreSQL row lock) -----------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_case_assign__concurrent_supervisors_exactly_one_wins(
    reference_data, cp_case, staff, monkeypatch
):
    import threading
    import time

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    import casework.services as services

    case = cp_case()  # awaiting: nobody works CP Baghdad yet
    officers = [staff(f"racer{i}.f", sex=Sex.FEMALE, governorates=["baghdad"]) for i in range(2)]
    supervisors = [
        staff(f"sup{i}", role=StaffProfile.Role.SUPERVISOR, governorates=["baghdad"])
        for i in range(2)
    ]

    # Widen the window between reading the row and writing it: without the row
    # lock both supervisors would see "nobody" and both would "win".
    original = services._assign_refusals

    def slow_refusals(**kwargs):
        result = original(**kwargs)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(services, "_assign_refusals", slow_refusals)
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def attempt(i):
        try:
            barrier.wait()
            services.case_assign(
                case=case, officer=officers[i], by=supervisors[i], expected_officer=None
            )
            outcomes[i] = "assigned"
        except ValidationError as error:
            outcomes[i] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["assigned", "assignment_changed"]
    winner = officers[outcomes.index("assigned")]
    case.refresh_from_db()
    assert case.assigned_officer == winner
    assert AuditEvent.objects.filter(
        case=case, action=AuditEvent.Action.CASE_ASSIGN_REFUSED, details__code="assignment_changed"
    ).exists()


@pytest.mark.django_db
def test_assign_command__refusal_is_one_arabic_sentence(cp_case, male_officer_baghdad, staff):
    from django.utils import translation

    staff("supervisor.cp.m", role=StaffProfile.Role.SUPERVISOR, governorates=["baghdad"])
    case = cp_case(wants_female_officer=True)
    with translation.override("ar"), pytest.raises(CommandError) as refused:
        call_command(
            "assign_case", case.reference, male_officer_baghdad.user.username, by="supervisor.cp.m"
        )
    assert str(refused.value).startswith("مرفوض (female_officer_required): ")
    assert "Refused" not in str(refused.value)
