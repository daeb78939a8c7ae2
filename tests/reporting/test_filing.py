"""Filing is one transaction, once, and the victim always gets to her receipt.

Through the public pages: "Send" twice, a crash in the middle of filing, a
filing left half-done by a worker that died before filing was one
transaction, purge_expired after it, and the receipt refreshed during and
after its window.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from casework.models import AuditEvent, Case, Evidence
from reporting.filing import RECEIPT_COOKIE
from reporting.models import FiledReceipt, ReportDraft
from tests.reporting.filing_helpers import shown_code, write_report

SEND = "/en/report/send/"
RECEIPT = "/en/report/receipt/"
FROZEN = dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC)


def stored_files(directory) -> list:
    return [path for path in directory.rglob("*") if path.is_file()]


@pytest.mark.django_db
def test_report_submit__second_send_shows_the_same_receipt_and_files_once(client, reference_data):
    write_report(client)
    first = client.post(SEND)
    second = client.post(SEND)  # a double tap, or the browser sending again
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"] == RECEIPT
    assert Case.objects.count() == 1
    code = shown_code(client.get(RECEIPT).content.decode())
    assert code is not None
    assert shown_code(client.get(RECEIPT).content.decode()) == code  # a refresh


@pytest.mark.django_db(transaction=True)
def test_report_submit__failure_while_attaching_evidence_leaves_nothing_half_done(
    client, reference_data, monkeypatch, _evidence_dir
):
    """The case row is written, then attaching the evidence fails: the whole
    filing rolls back, the draft and its files stay as they were, and Send
    again files exactly one case with its evidence."""
    import casework.evidence as evidence_module

    write_report(client, evidence=True)
    assert Evidence.objects.count() == 1 and len(stored_files(_evidence_dir)) == 1
    real = evidence_module._added_event

    def failing(*args, **kwargs):
        assert Case.objects.exists()  # the case row is written by now
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(evidence_module, "_added_event", failing)
    client.raise_request_exception = False
    assert client.post(SEND).status_code == 503  # the translated "try again" page

    assert Case.objects.count() == 0
    assert ReportDraft.objects.count() == 1
    assert FiledReceipt.objects.count() == 0
    evidence = Evidence.objects.get()
    assert evidence.case_id is None
    # No object without its row, no row without its object.
    (path,) = stored_files(_evidence_dir)
    assert storages["evidence"].exists(evidence.storage_name)

    monkeypatch.setattr(evidence_module, "_added_event", real)
    assert client.post(SEND).status_code == 303
    case = Case.objects.get()
    assert list(Evidence.objects.values_list("case", flat=True)) == [case.pk]
    assert ReportDraft.objects.count() == 0
    assert shown_code(client.get(RECEIPT).content.decode()) is not None


def _half_filed(client, monkeypatch):
    """The state a worker killed mid-filing left before filing was one
    transaction: the case exists, its draft too, the evidence unattached."""
    from casework.services import report_file
    from reporting.filing import answers_to_report
    from reporting.services import draft_answers

    write_report(client, evidence=True)
    draft = ReportDraft.objects.get()
    report_file(
        owner_uuid=draft.uuid,
        wrapped_key=draft.wrapped_key,
        answers=answers_to_report(draft_answers(draft), now=timezone.now()),
    )
    return draft


@pytest.mark.django_db
def test_report_submit__send_again_after_a_dead_worker_finishes_the_filing(
    client, reference_data, monkeypatch, _evidence_dir
):
    draft = _half_filed(client, monkeypatch)
    response = client.post(SEND, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your report was sent" in html and "If you did not write down the code" in html
    assert "Please start again" not in html
    case = Case.objects.get()
    assert case.uuid == draft.uuid
    assert Evidence.objects.get().case == case
    assert not ReportDraft.objects.exists()


@pytest.mark.django_db
def test_purge_expired__never_deletes_a_filed_cases_evidence(
    client, reference_data, monkeypatch, settings, _evidence_dir
):
    _half_filed(client, monkeypatch)
    ReportDraft.objects.update(
        created_at=timezone.now() - dt.timedelta(seconds=settings.SANAD_DRAFT_MAX_AGE_SECONDS + 1)
    )
    out = io.StringIO()
    call_command("purge_expired", stdout=out)

    case = Case.objects.get()
    evidence = Evidence.objects.get()
    assert evidence.case == case  # attached to its case, not deleted
    assert storages["evidence"].exists(evidence.storage_name)
    assert not ReportDraft.objects.exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.DRAFTS_PURGED)
    assert event.details == {"drafts": 1, "files": 0, "files_kept_for_cases": 1, "receipts": 0}
    assert "1 files of expired drafts belonged to filed cases" in out.getvalue()


@pytest.mark.django_db
def test_purge_expired__audits_what_it_deletes_in_counts_only(
    client, reference_data, settings, _evidence_dir
):
    write_report(client, evidence=True)
    ReportDraft.objects.update(
        created_at=timezone.now() - dt.timedelta(seconds=settings.SANAD_DRAFT_MAX_AGE_SECONDS + 1)
    )
    call_command("purge_expired", stdout=io.StringIO())
    assert not Evidence.objects.exists() and not stored_files(_evidence_dir)
    event = AuditEvent.objects.get(action=AuditEvent.Action.DRAFTS_PURGED)
    assert event.case is None
    assert event.details == {"drafts": 1, "files": 1, "files_kept_for_cases": 0, "receipts": 0}


@pytest.mark.django_db
def test_receipt__refresh_shows_the_code_for_ten_minutes_then_says_it_was_sent(
    client, reference_data
):
    with time_machine.travel(FROZEN, tick=False):
        write_report(client)
        client.post(SEND)
        code = shown_code(client.get(RECEIPT).content.decode())
        assert code is not None
    with time_machine.travel(FROZEN + dt.timedelta(minutes=9, seconds=59), tick=False):
        assert shown_code(client.get(RECEIPT).content.decode()) == code
    with time_machine.travel(FROZEN + dt.timedelta(minutes=10, seconds=1), tick=False):
        response = client.get(RECEIPT)
        html = response.content.decode()
        assert response.status_code == 200
        assert code not in html and shown_code(html) is None
        assert "Your report was sent" in html
        assert "If you did not write down the code" in html
        assert "Please start again" not in html and "unfinished reports" not in html
        # Sent at 09:00 UTC: 12:00 in Baghdad.
        assert "15 June 2026, 12:00" in html
        # And a late second press of Send says the same, never "start again".
        late = client.post(SEND, follow=True).content.decode()
        assert "Your report was sent" in late and "Please start again" not in late


@pytest.mark.django_db
def test_receipt__the_code_is_never_stored_in_clear(client, reference_data):
    from django.contrib.sessions.models import Session

    write_report(client)
    client.post(SEND)
    code = shown_code(client.get(RECEIPT).content.decode())
    digits = code.replace(" ", "")
    receipt = FiledReceipt.objects.get()
    assert digits.encode() not in bytes(receipt.sealed_code)
    for session in Session.objects.all():
        decoded = str(session.get_decoded())
        assert digits not in decoded and code not in decoded
    browser_key = client.cookies[RECEIPT_COOKIE].value
    assert digits not in browser_key
    # Without the browser's half of the key, the server shows no code.
    client.cookies.pop(RECEIPT_COOKIE)
    html = client.get(RECEIPT).content.decode()
    assert shown_code(html) is None and "Your report was sent" in html


@pytest.mark.django_db
def test_receipt__checked_code_is_not_shown_again(client, reference_data):
    write_report(client)
    client.post(SEND)
    code = shown_code(client.get(RECEIPT).content.decode())
    done = client.post("/en/report/receipt/check/", {"passphrase_typed": code})
    assert done.status_code == 200 and "You have your code" in done.content.decode()
    assert not FiledReceipt.objects.exists()
    html = client.get(RECEIPT).content.decode()
    assert shown_code(html) is None and "Your report was sent" in html
