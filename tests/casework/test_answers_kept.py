"""Yes / no / preferred not to say / not answered stay four different things,
from the victim's review page to the officer's case page and the priority."""

from __future__ import annotations

import re

import pytest

from casework.models import Answer, Case, StaffProfile
from tests.casework.helpers import console_url
from tests.reporting.filing_helpers import write_report

SAFETY_SKIPPED = {"is_minor": "skip", "next": "1"}  # self-harm left unanswered
THREAT = {"deadline": "none", "money_demanded": "yes", "money_paid": "skip", "next": "1"}


def _row(html: str, label: str) -> str:
    found = re.search(rf"<th scope=\"row\">{label}</th><td[^>]*>([^<]*)</td>", html)
    assert found, label
    return found.group(1)


@pytest.mark.django_db
def test_review_page__shows_each_answer_as_given(client, reference_data):
    write_report(client, safety=SAFETY_SKIPPED, threat=THREAT)
    html = client.get("/en/report/check/").content.decode()
    assert _row(html, "Under 18") == "Preferred not to say"
    assert _row(html, "Thinking of self-harm") == "Not answered"
    assert _row(html, "Money asked for") == "Yes"
    assert _row(html, "Money paid") == "Preferred not to say"


@pytest.mark.django_db
def test_filed_case__stores_the_four_answers_apart(client, reference_data):
    write_report(client, safety={"self_harm": "skip", "is_minor": "no", "next": "1"}, threat=THREAT)
    client.post("/en/report/send/")
    case = Case.objects.get()
    assert case.self_harm_answer == Answer.PREFER_NOT
    assert case.minor_answer == Answer.NO
    assert case.money_demanded_answer == Answer.YES
    assert case.money_paid_answer == Answer.PREFER_NOT
    assert not case.self_harm_risk  # only an explicit "yes" reads as yes


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("self_harm", "is_minor", "expected"),
    [
        ("skip", "no", Case.Priority.URGENT),  # would not say: treated as at risk
        ("no", "skip", Case.Priority.URGENT),
        ("", "", Case.Priority.NORMAL),  # skipped questions change nothing
        ("no", "no", Case.Priority.NORMAL),
    ],
)
def test_filed_case__priority_treats_preferred_not_to_say_as_at_risk(
    client, reference_data, self_harm, is_minor, expected
):
    safety = {"next": "1"}
    if self_harm:
        safety["self_harm"] = self_harm
    if is_minor:
        safety["is_minor"] = is_minor
    write_report(client, safety=safety)
    client.post("/en/report/send/")
    assert Case.objects.get().priority == expected


@pytest.mark.django_db
def test_console_case_page__never_reads_no_for_an_unanswered_question(
    client, reference_data, staff, console_client
):
    write_report(client, safety=SAFETY_SKIPPED, threat=THREAT)
    client.post("/en/report/send/")
    case = Case.objects.get()
    supervisor = staff("sup", role=StaffProfile.Role.SUPERVISOR, governorates=["baghdad"])
    html = console_client(supervisor).get(console_url("casework_case_change", case.pk))
    html = html.content.decode()
    assert "Risk of self-harm:</strong> Not answered" in html
    assert "Under 18:</strong> Preferred not to say" in html
    assert "Money paid:</strong> Preferred not to say" in html
