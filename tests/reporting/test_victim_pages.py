"""What the victim's follow-up page says: where the case is, in honest words,
and every time in Iraq time (Asia/Baghdad), as the officers see it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from casework.models import Governorate, Sex, StaffProfile, Unit
from casework.services import case_assign, message_send_by_victim, staff_account_upsert


def _log_in(client, filed, lang="en"):
    response = client.post(
        f"/{lang}/follow-up/", {"reference": filed.case.reference, "passphrase": filed.passphrase}
    )
    assert response.status_code == 302


def _status(html: str) -> str:
    start = html.index('id="status-title">') + len('id="status-title">')
    return html[start : html.index("</h2>", start)]


@pytest.mark.django_db
def test_followup_status__a_case_nobody_has_says_it_waits_for_an_officer(client, file_report):
    filed = file_report()  # no officer on duty: awaiting officer
    _log_in(client, filed)
    html = client.get("/en/follow-up/case/").content.decode()
    assert _status(html) == "Status: Received — waiting for an officer"
    assert "Status: New" not in html


@pytest.mark.django_db
def test_followup_status__female_officer_requested_says_so(client, file_report):
    filed = file_report(wants_female_officer=True)
    _log_in(client, filed)
    html = client.get("/en/follow-up/case/").content.decode()
    assert _status(html) == "Status: Received — waiting for a female officer"


@pytest.mark.django_db
def test_followup_status__an_assigned_case_says_an_officer_has_it(client, file_report):
    filed = file_report()
    officer = staff_account_upsert(
        username="nss.officer",
        first_name="Karim",
        role=StaffProfile.Role.OFFICER,
        sex=Sex.MALE,
        unit=Unit.objects.get(kind=Unit.Kind.NATIONAL_SECURITY),
        governorates=[Governorate.objects.get(code="baghdad")],
    )
    case_assign(case=filed.case, officer=officer, by=None, via="auto")
    _log_in(client, filed)
    html = client.get("/en/follow-up/case/").content.decode()
    assert _status(html) == "Status: With an officer"
    assert "Karim" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("utc", "message_time", "sent_on"),
    [
        # before 10:00 in Baghdad
        (
            dt.datetime(2026, 6, 15, 6, 30, tzinfo=dt.UTC),
            "15 June 2026, 09:30",
            "15 June 2026, 09:30",
        ),
        # after 10:00
        (
            dt.datetime(2026, 6, 15, 7, 30, tzinfo=dt.UTC),
            "15 June 2026, 10:30",
            "15 June 2026, 10:30",
        ),
        # still the 15th in UTC, already the 16th in Baghdad
        (
            dt.datetime(2026, 6, 15, 22, 30, tzinfo=dt.UTC),
            "16 June 2026, 01:30",
            "16 June 2026, 01:30",
        ),
    ],
)
def test_followup_page__times_are_in_iraq_time(client, file_report, utc, message_time, sent_on):
    with time_machine.travel(utc, tick=False):
        filed = file_report()
        message_send_by_victim(case=filed.case, body="hello")
        _log_in(client, filed)
        html = client.get("/en/follow-up/case/").content.decode()
    assert message_time in html
    assert f"Sent on {sent_on}" in html
    assert utc.strftime("%H:%M") not in html
