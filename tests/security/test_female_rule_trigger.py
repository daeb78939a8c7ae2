"""The female-officer rule held by PostgreSQL itself: raw SQL that goes around
every service cannot leave an open female-requested case with an officer who
is not female (migration 0008_staff_female_rule_trigger)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from casework.models import Case, Sex
from tests.casework.factories import StaffProfileFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")


def _officer(username: str, sex: str, role: str = "officer"):
    return StaffProfileFactory(
        username=username,
        sex=sex,
        role=role,
        unit="community_police" if role != "administrator" else None,
        governorates=["baghdad"],
    )


@pytest.fixture
def female_officer_baghdad(reference_data):
    return _officer("officer.baghdad.f", Sex.FEMALE)


@pytest.fixture
def male_officer_baghdad(reference_data):
    return _officer("officer.baghdad.m", Sex.MALE)


@pytest.fixture
def cp_case(file_report):
    def _file(**answers):
        return file_report(knows_blackmailer="yes", governorate_code="baghdad", **answers).case

    return _file


def _raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_female_rule_trigger__refuses_assigning_a_male_officer_by_raw_sql(
    cp_case, male_officer_baghdad
):
    case = cp_case(wants_female_officer=True)

    with pytest.raises(IntegrityError, match="female_officer_required"):
        _raw(
            "UPDATE casework_case SET assigned_officer_id = %s WHERE id = %s",
            [male_officer_baghdad.pk, case.pk],
        )

    case.refresh_from_db()
    assert case.assigned_officer_id is None


def test_female_rule_trigger__refuses_making_the_assigned_officer_male_by_raw_sql(
    cp_case, female_officer_baghdad
):
    case = cp_case(wants_female_officer=True)
    assert case.assigned_officer_id == female_officer_baghdad.pk

    with pytest.raises(IntegrityError, match="female_officer_required"):
        _raw(
            "UPDATE casework_staffprofile SET sex = 'male' WHERE id = %s",
            [female_officer_baghdad.pk],
        )

    female_officer_baghdad.refresh_from_db()
    assert female_officer_baghdad.sex == Sex.FEMALE


def test_female_rule_trigger__refuses_setting_the_request_on_a_case_a_man_holds(
    cp_case, male_officer_baghdad
):
    case = cp_case()
    assert case.assigned_officer_id == male_officer_baghdad.pk

    with pytest.raises(IntegrityError, match="female_officer_required"):
        _raw("UPDATE casework_case SET wants_female_officer = true WHERE id = %s", [case.pk])


def test_female_rule_trigger__allows_what_the_rule_allows(
    cp_case, male_officer_baghdad, female_officer_baghdad
):
    female_case = cp_case(wants_female_officer=True)
    plain_case = cp_case()
    # A male officer on a case without the request, and any change of sex of
    # someone holding no female-requested open case, are fine.
    _raw(
        "UPDATE casework_case SET assigned_officer_id = %s WHERE id = %s",
        [male_officer_baghdad.pk, plain_case.pk],
    )
    _raw("UPDATE casework_staffprofile SET sex = 'female' WHERE id = %s", [male_officer_baghdad.pk])
    # A finished case keeps its history.
    _raw("UPDATE casework_case SET status = 'closed' WHERE id = %s", [female_case.pk])
    _raw("UPDATE casework_staffprofile SET sex = 'male' WHERE id = %s", [female_officer_baghdad.pk])
    assert Case.objects.get(pk=female_case.pk).status == Case.Status.CLOSED


def test_staff_profile_change__passes_the_trigger_by_moving_the_cases_first(
    cp_case, female_officer_baghdad
):
    from casework.staffing import staff_profile_change

    admin = _officer("admin.pg", Sex.MALE, role="administrator")
    case = cp_case(wants_female_officer=True)
    assert case.assigned_officer_id == female_officer_baghdad.pk

    staff_profile_change(profile=female_officer_baghdad, by=admin, sex=Sex.MALE)

    case.refresh_from_db()
    assert case.assigned_officer_id is None
    assert case.assignment_state == Case.AssignmentState.AWAITING_FEMALE_OFFICER
