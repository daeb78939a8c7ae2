"""Officer writes and supervisor views of the same case, at once, on PostgreSQL.

The outside attack saw 13 of 80 such requests fail with a 500: the officer
held the case row and waited for the audit chain head, while the supervisor's
view held the head and waited for the case row (the foreign-key check of its
audit event). One lock order everywhere (casework.audit) removes the cycle.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.casework.helpers import console_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 10
THREADS_PER_ROLE = 4


def _run(client, requests, outcomes, errors):
    try:
        for method, url, data in requests:
            response = client.post(url, data) if method == "post" else client.get(url)
            outcomes.append(response.status_code)
    except Exception as error:  # noqa: BLE001 - any failure is the finding
        errors.append(repr(error))
    finally:
        connection.close()


def test_case_lock_order__officer_writes_and_supervisor_views_never_fail(
    female_officer_baghdad, supervisor_baghdad, cp_case, console_client
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and deadlock detection are PostgreSQL's")
    case = cp_case()
    assert case.assigned_officer == female_officer_baghdad
    page = console_url("casework_case_change", case.pk)
    officer_requests = []
    for n in range(ROUNDS):
        if n % 2:
            officer_requests.append(
                ("post", console_url("casework_case_message", case.pk), {"body": f"Update {n}"})
            )
        else:
            officer_requests.append(
                ("post", console_url("casework_case_note", case.pk), {"note": f"Note {n}"})
            )
    supervisor_requests = [("get", page, None)] * ROUNDS

    outcomes: list[int] = []
    errors: list[str] = []
    threads = []
    for _ in range(THREADS_PER_ROLE):
        for profile, requests in (
            (female_officer_baghdad, officer_requests),
            (supervisor_baghdad, supervisor_requests),
        ):
            client = console_client(profile)
            threads.append(threading.Thread(target=_run, args=(client, requests, outcomes, errors)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert len(outcomes) == 2 * THREADS_PER_ROLE * ROUNDS
    assert set(outcomes) <= {200, 302}, sorted(outcomes)
