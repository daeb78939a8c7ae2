"""Retention (purge_retention): finished cases lose their protected content and
evidence on time, statistics survive, the audit chain stays verifiable."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.storage import storages
from django.core.management import call_command
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from casework.audit import audit_verify_chain
from casework.crypto import Sealer
from casework.evidence import evidence_store
from casework.models import (
    AuditEvent,
    Case,
    ChecklistItem,
    Evidence,
    Message,
    ReporterCredential,
    SuspectIdentifier,
)
from casework.services import case_withdraw_by_victim, message_send_by_victim
from tests.casework import evidence_samples as samples
from tests.casework.factories import StaffProfileFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def filed_case(file_report, post_evidence):
    """A filed case with a message and one evidence file."""

    def _make(**overrides) -> Case:
        filed = file_report(**overrides)
        case = filed.case
        case.passphrase = filed.passphrase
        message_send_by_victim(case=case, body="he wrote again tonight")
        sealer = Sealer.of(case)
        _request, _handler, (upload,) = post_evidence(
            [("evidence", "chat.txt", "text/plain", samples.chat_export(size=2_000))],
            sealer=sealer,
        )
        evidence_store(sealer=sealer, upload=upload, case=case)
        return case

    return _make


def _close(case: Case, *, days_ago: int) -> None:
    at = NOW - dt.timedelta(days=days_ago)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED, closed_at=at)


def _statistics() -> list[tuple]:
    return list(
        Case.objects.annotate(month=TruncMonth("filed_at"))
        .values_list("month", "governorate__code", "category__code", "status")
        .annotate(count=Count("pk"))
        .order_by("month", "governorate__code", "category__code", "status")
    )


def _purge() -> str:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("purge_retention", stdout=out)
    return out.getvalue()


def _has_content(case: Case) -> bool:
    case.refresh_from_db()
    return bool(case.identity_enc or case.narrative_enc or case.threat_enc)


def test_purge_retention__closed_case_loses_content_and_evidence_after_the_period(filed_case):
    old = filed_case(governorate_code="karbala")
    recent = filed_case(governorate_code="baghdad")
    _close(old, days_ago=366)
    _close(recent, days_ago=364)
    old_objects = list(Evidence.objects.filter(case=old).values_list("storage_name", flat=True))
    statistics = _statistics()

    output = _purge()
    assert "content of 1 closed and 0 withdrawn cases purged" in output
    assert old.reference not in output

    assert not _has_content(old) and old.content_purged_at is not None
    assert not Evidence.objects.filter(case=old).exists()
    assert not any(storages["evidence"].exists(name) for name in old_objects)
    assert not Message.objects.filter(case=old).exists()
    assert not SuspectIdentifier.objects.filter(case=old).exists()
    assert not ReporterCredential.objects.filter(case=old).exists()
    assert _has_content(recent) and Evidence.objects.filter(case=recent).exists()

    assert _statistics() == statistics  # counts per month, governorate, category survive
    (event,) = AuditEvent.objects.filter(action=AuditEvent.Action.CASE_CONTENT_PURGED)
    assert event.case_id == old.pk
    assert event.details == {
        "reason": "retention",
        "files": 1,
        "messages": 1,
        "notes": 0,
        "suspects": 1,
        "credentials": 1,
        "feedback_texts": 0,
    }
    assert audit_verify_chain() is None

    assert "content of 0 closed" in _purge()  # nothing twice
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CASE_CONTENT_PURGED).count() == 1


def test_purge_retention__withdrawn_report_loses_evidence_at_once_and_content_later(filed_case):
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        case = filed_case()
        case_withdraw_by_victim(case=case)

    output = _purge()
    assert "evidence of 1 withdrawn reports purged (1 files in all)" in output
    assert not Evidence.objects.filter(case=case).exists()
    assert _has_content(case)  # the content waits for the period
    event = AuditEvent.objects.get(action=AuditEvent.Action.EVIDENCE_PURGED)
    assert event.details == {"files": 1, "reason": "withdrawn"}

    Case.objects.filter(pk=case.pk).update(withdrawn_at=NOW - dt.timedelta(days=400))
    assert "content of 0 closed and 1 withdrawn cases purged" in _purge()
    assert not _has_content(case)
    assert audit_verify_chain() is None


def test_purge_retention__court_referral_holds_evidence_and_content(filed_case, reference_data):
    officer = StaffProfileFactory(unit="community_police", governorates=["baghdad"])
    withdrawn = filed_case()
    ChecklistItem.objects.create(
        case=withdrawn, code=ChecklistItem.Code.COURT_REFERRAL, article="430", done_by=officer
    )
    case_withdraw_by_victim(case=withdrawn)
    closed = filed_case()
    ChecklistItem.objects.create(
        case=closed, code=ChecklistItem.Code.COURT_REFERRAL, article="431", done_by=officer
    )
    _close(closed, days_ago=900)

    output = _purge()
    assert "2 cases held by a court referral" not in output  # the withdrawn one is not due yet
    assert "1 cases held by a court referral" in output
    assert Evidence.objects.filter(case__in=[withdrawn, closed]).count() == 2
    assert _has_content(withdrawn) and _has_content(closed)
    assert not AuditEvent.objects.filter(
        action__in=[AuditEvent.Action.EVIDENCE_PURGED, AuditEvent.Action.CASE_CONTENT_PURGED]
    ).exists()


def test_purge_retention__period_comes_from_the_setting(filed_case, settings):
    settings.SANAD_RETENTION_DAYS = 30
    case = filed_case()
    _close(case, days_ago=31)
    assert "content of 1 closed" in _purge()
    assert timezone.is_aware(Case.objects.get(pk=case.pk).content_purged_at)


def test_purge_retention__purged_case_still_opens_in_the_console_and_no_longer_logs_in(
    filed_case, client
):
    from casework.models import StaffProfile, Unit
    from tests.casework.console_fixtures import full_login, make_staff

    case = filed_case()
    _close(case, days_ago=400)
    _purge()
    supervisor = make_staff(
        "supervisor.retention",
        role=StaffProfile.Role.SUPERVISOR,
        unit_kind=Unit.Kind.NATIONAL_SECURITY,
    )
    full_login(client, supervisor)
    page = client.get(f"/en/console/casework/case/{case.pk}/change/")
    assert page.status_code == 200 and case.reference in page.content.decode()

    client.logout()
    login = client.post(
        "/en/follow-up/", {"reference": case.reference, "passphrase": case.passphrase}
    )
    assert login.status_code == 400  # the right code: nothing to log in to any more
