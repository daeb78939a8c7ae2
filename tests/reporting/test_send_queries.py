"""What the final "Send" costs in SQL, through the HTTP view.

Counted with ``CaptureQueriesContext`` around the POST to /en/report/send/
alone (the steps are written before), in a real transaction (not the test's
wrapping one, which would turn every transaction into savepoints). Every
statement counts, SAVEPOINT and RELEASE SAVEPOINT included, except the
transaction boundaries BEGIN (BEGIN IMMEDIATE on SQLite) and COMMIT: one
pair per transaction (the filing's and the session's), whatever the filing
does. A running site: the audit chain has a head and this process has its
reference data (units, categories, governorates) kept already. A typical
report: two evidence files, three suspect identifiers, and an eligible
officer on duty who takes the case at once.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from casework.audit import audit_record, audit_verify_chain
from casework.models import AuditEvent, Case, Governorate, Sex, StaffProfile, Unit
from casework.reference_data import units_all
from casework.services import staff_account_upsert
from tests.reporting.filing_helpers import png_upload

SEND = "/en/report/send/"
# The target is 20 statements; SQLite sends 19. PostgreSQL sends the same 19
# plus two locks SQLite does without (it runs one writing transaction at a
# time): the evidence owner's advisory lock (casework.evidence) and the
# officer's profile row FOR SHARE before it is read again (casework.staffing).
# Neither can share a statement with that read: a read in the same statement
# would see the rows as they were before waiting for the lock.
SEND_QUERY_BUDGET = {"sqlite": 20, "postgresql": 21}


@pytest.fixture
def running_site(reference_data):
    """The chain head exists and this process keeps its reference data."""
    audit_record(action=AuditEvent.Action.DRAFTS_PURGED, actor_label="system", details={})
    units_all()


@pytest.fixture
def officer_on_duty(running_site) -> StaffProfile:
    return staff_account_upsert(
        username="officer.send.queries",
        first_name="Officer",
        role=StaffProfile.Role.OFFICER,
        sex=Sex.FEMALE,
        unit=Unit.objects.get(kind=Unit.Kind.NATIONAL_SECURITY),
        governorates=Governorate.objects.filter(code="baghdad"),
    )


def _write(client, *, files: int, identifiers: int) -> None:
    base = "/en/report"
    steps = {
        "what": {"category": "hacked_account", "narrative": "my story", "next": "1"},
        "blackmailer": {
            "knows_blackmailer": "no",
            "identifiers": "\n".join(f"@bad.actor.{n}" for n in range(identifiers)),
            "next": "1",
        },
        "safety": {"is_minor": "no", "self_harm": "no", "next": "1"},
        "contact": {"contact_method": "messages_only", "governorate": "baghdad", "next": "1"},
    }
    for slug, data in steps.items():
        client.post(f"{base}/{slug}/", data)
    for number in range(files):
        response = client.post(
            f"{base}/evidence/", {"files": [png_upload(f"shot{number}.png")], "upload": "1"}
        )
        assert response.status_code == 200


def _is_boundary(sql: str) -> bool:
    return sql.strip().upper() in {"BEGIN", "BEGIN IMMEDIATE", "COMMIT"}


def _send_queries(client, *, files: int, identifiers: int) -> list[str]:
    _write(client, files=files, identifiers=identifiers)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(SEND)
    assert response.status_code == 303
    return [query["sql"] for query in captured.captured_queries if not _is_boundary(query["sql"])]


@pytest.mark.django_db(transaction=True)
def test_report_send__typical_report_stays_within_the_query_budget(client, officer_on_duty):
    queries = _send_queries(client, files=2, identifiers=3)
    case = Case.objects.get()
    assert case.assigned_officer_id == officer_on_duty.pk
    assert case.evidence.count() == 2 and case.suspect_identifiers.count() == 3
    assert len(queries) <= SEND_QUERY_BUDGET[connection.vendor], "\n".join(queries)
    actions = list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))
    assert actions[1:] == [
        AuditEvent.Action.CASE_FILED,
        AuditEvent.Action.CASE_ASSIGNED,
        AuditEvent.Action.CASE_STATUS_CHANGED,
        AuditEvent.Action.EVIDENCE_ADDED,
        AuditEvent.Action.EVIDENCE_ADDED,
    ]
    assert audit_verify_chain() is None


@pytest.mark.django_db(transaction=True)
def test_report_send__cost_does_not_grow_with_files_or_identifiers(client, officer_on_duty):
    small = _send_queries(client, files=1, identifiers=1)
    large = _send_queries(Client(), files=5, identifiers=5)
    assert Case.objects.count() == 2
    assert sorted(case.evidence.count() for case in Case.objects.all()) == [1, 5]
    assert sorted(case.suspect_identifiers.count() for case in Case.objects.all()) == [1, 5]
    assert len(small) == len(large), "\n".join(large)
    assert audit_verify_chain() is None
