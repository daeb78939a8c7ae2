"""A staff change racing an assignment (PostgreSQL row locks): whatever the
order, an officer made male never ends up holding a case whose victim asked
for a female officer, and neither request fails with a database error."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from casework.models import Case, Sex, StaffProfile
from tests.casework.factories import StaffProfileFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _person(
    username: str, *, sex: str = Sex.FEMALE, role: str = "officer", unit="community_police"
):
    return StaffProfileFactory(
        username=username, sex=sex, role=role, unit=unit, governorates=["baghdad"]
    )


@pytest.mark.parametrize("assignment_first", [True, False])
def test_staff_profile_change__racing_an_assignment_never_leaves_a_man_on_the_case(
    reference_data, file_report, monkeypatch, assignment_first
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    import casework.services as services
    from casework.staffing import staff_profile_change

    case = file_report(
        knows_blackmailer="yes", governorate_code="baghdad", wants_female_officer=True
    ).case
    assert case.assignment_state == Case.AssignmentState.AWAITING_FEMALE_OFFICER
    officer = _person("racer.f")
    supervisor = _person("sup.race", role=StaffProfile.Role.SUPERVISOR)
    admin = _person("admin.race", sex=Sex.MALE, role=StaffProfile.Role.ADMINISTRATOR, unit=None)

    # Widen the window between the assigner reading the officer and writing
    # the case: without the lock on the officer's row, the sex change would
    # slip in between.
    original = services._assign_refusals

    def slow_refusals(**kwargs):
        result = original(**kwargs)
        time.sleep(0.5)
        return result

    monkeypatch.setattr(services, "_assign_refusals", slow_refusals)
    outcomes: dict[str, object] = {}

    def assign():
        try:
            services.case_assign(case=case, officer=officer, by=supervisor)
            outcomes["assign"] = "assigned"
        except ValidationError as error:
            outcomes["assign"] = error.code
        except Exception as error:  # noqa: BLE001 - the test reports what failed
            outcomes["assign"] = repr(error)
        finally:
            connection.close()

    def change():
        try:
            staff_profile_change(profile=officer, by=admin, sex=Sex.MALE)
            outcomes["change"] = "changed"
        except Exception as error:  # noqa: BLE001 - the test reports what failed
            outcomes["change"] = repr(error)
        finally:
            connection.close()

    first, second = (assign, change) if assignment_first else (change, assign)
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    time.sleep(0.15)
    threads[1].start()
    for thread in threads:
        thread.join()

    assert outcomes["change"] == "changed"
    assert outcomes["assign"] in {"assigned", "female_officer_required"}
    case.refresh_from_db()
    officer.refresh_from_db()
    assert officer.sex == Sex.MALE
    assert case.assigned_officer_id is None
    assert case.assignment_state == Case.AssignmentState.AWAITING_FEMALE_OFFICER
