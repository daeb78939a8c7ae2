"""Officers' notes are protected content: a supervisor sees them only after a reveal.

The outside attack wrote a note holding the victim's district and phone and
found it shown in clear on a case page logged as "redacted".
"""

from __future__ import annotations

import pytest

from casework.models import AuditEvent
from casework.services import case_note_add
from tests.casework.helpers import console_url

pytestmark = pytest.mark.django_db

NOTE = "Spoke to her: lives in Karrada district, safe phone 0770 123 4567"


@pytest.fixture
def noted_case(female_officer_baghdad, supervisor_baghdad, cp_case):
    case = cp_case()
    assert case.assigned_officer == female_officer_baghdad
    case_note_add(case=case, body=NOTE, by=female_officer_baghdad)
    return case


def test_case_page__supervisor_sees_no_note_text_until_reveal(
    noted_case, supervisor_baghdad, console_client
):
    client = console_client(supervisor_baghdad)
    page = client.get(console_url("casework_case_change", noted_case.pk)).content.decode()
    assert "Karrada" not in page and "4567" not in page
    assert "1 note, hidden until the case is revealed." in page
    viewed = AuditEvent.objects.filter(case=noted_case, action=AuditEvent.Action.CASE_VIEWED)
    assert viewed.last().details["level"] == "redacted"

    revealed = client.post(
        console_url("casework_case_reveal", noted_case.pk), {"reason": "Checking the contact plan"}
    ).content.decode()
    assert "Karrada" in revealed


def test_case_page__assigned_officer_reads_the_notes(
    noted_case, female_officer_baghdad, console_client
):
    page = (
        console_client(female_officer_baghdad)
        .get(console_url("casework_case_change", noted_case.pk))
        .content.decode()
    )
    assert "Karrada" in page
