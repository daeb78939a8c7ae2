"""Redaction: what each member of staff sees of a victim, asserted on the HTML."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError

from casework.models import AuditEvent, Sex, StaffProfile
from casework.redaction import case_view_for, initials, phone_masked
from casework.services import message_send_by_officer, message_send_by_victim
from tests.casework.conftest import VICTIM, VICTIM_PHONE_STORED, VICTIM_SECRETS
from tests.casework.helpers import console_url


@pytest.fixture(autouse=True)
def _cheap_passphrase_hashing(settings):
    settings.SANAD_PASSPHRASE_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def _leaks(html: str) -> list[str]:
    return [secret for secret in VICTIM_SECRETS if secret in html]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Layla Hassan", "L. H."),
        ("  layla  ", "l."),
        ("زينب علي حسين كاظم", "ز. ع. ح."),
        ("", ""),
    ],
)
def test_initials(name, expected):
    assert initials(name) == expected


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("0770 123 4589", "••••••••89"),
        ("+964 (770) 123-4501", "••••••••01"),
        ("٠٧٧٠١٢٣٤٥٦٧", "••••••••٦٧"),
        ("123", "••••••••"),
        ("", ""),
    ],
)
def test_phone_masked(phone, expected):
    assert phone_masked(phone) == expected


@pytest.fixture
def story(staff, cp_case):
    """A CP Baghdad case, its assigned officer, a colleague, a supervisor, an admin."""
    assigned = staff("officer.assigned.f", sex=Sex.FEMALE, governorates=["baghdad"])
    case = cp_case()
    message_send_by_victim(case=case, body="He sent the pictures to my cousin Mariam")
    message_send_by_officer(case=case, body="We have started, stay safe", by=assigned)
    return {
        "case": case,
        "assigned": assigned,
        "colleague": staff("officer.colleague.m", governorates=["baghdad"]),
        "supervisor": staff(
            "supervisor.m", role=StaffProfile.Role.SUPERVISOR, governorates=["baghdad"]
        ),
        "administrator": staff("admin", role=StaffProfile.Role.ADMINISTRATOR, unit=None),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["assigned", "colleague", "supervisor", "administrator"])
def test_case_list__shows_initials_only(who, story, console_client):
    html = console_client(story[who]).get(console_url("casework_case_changelist")).content.decode()
    assert story["case"].reference in html
    assert "L. H." in html
    assert _leaks(html) == []


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["colleague", "supervisor", "administrator"])
def test_case_page__redacted_for_anyone_not_assigned(who, story, console_client):
    case = story["case"]
    html = console_client(story[who]).get(console_url("casework_case_change", case.pk))
    html = html.content.decode()
    assert _leaks(html) == []
    assert "cousin Mariam" not in html and "stay safe" not in html  # the thread
    assert "L. H." in html
    assert "••••••••89" in html
    assert "2 messages, hidden" in html


@pytest.mark.django_db
def test_case_page__full_for_the_assigned_officer(story, console_client):
    case = story["case"]
    html = console_client(story["assigned"]).get(console_url("casework_case_change", case.pk))
    html = html.content.decode()
    for shown in [
        VICTIM["name"],
        VICTIM_PHONE_STORED,
        VICTIM["safe_hours"],
        VICTIM["narrative"],
        "bad.actor.77",  # stored normalised, without the @
        VICTIM["threat_details"],
        "cousin Mariam",
        "stay safe",
    ]:
        assert shown in html, shown
    assert "Reveal the full case" not in html


@pytest.mark.django_db
def test_case_page__contact_rules_come_before_any_phone_number(story, console_client):
    case = story["case"]
    for who, phone in [("assigned", VICTIM_PHONE_STORED), ("colleague", "••••••••89")]:
        html = console_client(story[who]).get(console_url("casework_case_change", case.pk))
        html = html.content.decode()
        rule = html.index("Never contact me through my family")
        assert rule < html.index(phone), who


@pytest.mark.django_db
def test_reveal__supervisor_sees_full_case_for_one_view_and_it_is_audited(story, console_client):
    case = story["case"]
    client = console_client(story["supervisor"])
    reason = "The victim called the hotline and asked for her officer"
    response = client.post(console_url("casework_case_reveal", case.pk), {"reason": reason})
    assert response.status_code == 200
    html = response.content.decode()
    assert VICTIM["name"] in html and VICTIM["narrative"] in html and "bad.actor.77" in html
    assert "Revealed for this page view only" in html

    revealed = AuditEvent.objects.get(case=case, action=AuditEvent.Action.CASE_REVEALED)
    assert revealed.details == {"reason": reason}
    assert revealed.actor == story["supervisor"].user
    viewed = AuditEvent.objects.filter(case=case, action=AuditEvent.Action.CASE_VIEWED).last()
    assert viewed.details == {"level": "revealed"}

    # The next page view is redacted again.
    html = client.get(console_url("casework_case_change", case.pk)).content.decode()
    assert _leaks(html) == []


@pytest.mark.django_db
def test_reveal__needs_a_reason(story, console_client):
    case = story["case"]
    client = console_client(story["supervisor"])
    response = client.post(console_url("casework_case_reveal", case.pk), {"reason": "   "})
    assert response.status_code == 400
    assert _leaks(response.content.decode()) == []
    assert not AuditEvent.objects.filter(case=case, action=AuditEvent.Action.CASE_REVEALED)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["colleague", "administrator", "assigned"])
def test_reveal__refused_to_anyone_but_a_supervisor(who, story, console_client):
    case = story["case"]
    response = console_client(story[who]).post(
        console_url("casework_case_reveal", case.pk), {"reason": "Curious"}
    )
    assert response.status_code == 403
    assert _leaks(response.content.decode()) == []
    if who == "assigned":
        return  # sees the whole case anyway; there is nothing to reveal
    with pytest.raises(ValidationError) as refused:
        case_view_for(case=case, viewer=story[who], reveal_reason="Curious")
    assert refused.value.code == "by_not_allowed"
    assert not AuditEvent.objects.filter(case=case, action=AuditEvent.Action.CASE_REVEALED)


@pytest.mark.django_db
def test_case_view_for__never_returns_ciphertext(story):
    view = case_view_for(case=story["case"], viewer=story["colleague"])
    for value in vars(view).values():
        assert not isinstance(value, bytes | memoryview)
    assert view.narrative is None and view.safe_hours is None and view.messages is None
    assert [suspect.value for suspect in view.suspects] == [None]


@pytest.mark.django_db
def test_linked_cases__counted_everywhere_linked_only_in_scope(staff, cp_case, console_client):
    handle = "@network.boss"
    supervisor = staff("sup", role=StaffProfile.Role.SUPERVISOR, governorates=["baghdad"])
    mine = cp_case(suspect_identifiers=[handle])
    sibling = cp_case(suspect_identifiers=[handle, "@other"])
    elsewhere = cp_case(suspect_identifiers=[handle], governorate_code="basra")
    cp_case(suspect_identifiers=["@unrelated"])
    html = console_client(supervisor).get(console_url("casework_case_change", mine.pk))
    html = html.content.decode()
    assert "Linked to 2 other cases" in html
    assert console_url("casework_case_change", sibling.pk) in html
    assert console_url("casework_case_change", elsewhere.pk) not in html
    assert elsewhere.reference not in html
    assert "network.boss" not in html


@pytest.mark.django_db
def test_no_victim_data_in_str_or_admin_log(story, console_client, add_evidence):
    case = story["case"]
    add_evidence(case)
    client = console_client(story["supervisor"])
    client.post(console_url("casework_case_reveal", case.pk), {"reason": "Review"})
    client.post(console_url("casework_case_message", case.pk), {"body": "Hello from Sanad"})
    client.post(
        console_url("casework_case_assign", case.pk),
        {"officer": story["colleague"].pk, "expected_officer": story["assigned"].pk},
    )
    related = [
        case,
        *case.suspect_identifiers.all(),
        *case.messages.all(),
        *case.evidence.all(),
        *case.audit_events.all(),
        case.credential,
    ]
    for obj in related:
        assert _leaks(str(obj)) == [], type(obj)
    for entry in LogEntry.objects.all():
        assert _leaks(entry.object_repr) == []
        assert _leaks(str(entry.change_message)) == []
    # Audit details hold ids, codes and staff-written reasons, never victim data.
    for event in case.audit_events.all():
        assert _leaks(str(event.details)) == []


@pytest.mark.django_db
def test_messages__officer_reply_from_the_case_page(story, console_client):
    case = story["case"]
    client = console_client(story["assigned"])
    response = client.post(console_url("casework_case_message", case.pk), {"body": "Call 497"})
    assert response.status_code == 302
    assert case.messages.filter(sender="officer").count() == 2
    empty = client.post(console_url("casework_case_message", case.pk), {"body": "  "})
    assert empty.status_code == 400


@pytest.mark.django_db
def test_messages__service_refuses_an_unassigned_officer(story):
    with pytest.raises(ValidationError) as refused:
        message_send_by_officer(case=story["case"], body="Hi", by=story["colleague"])
    assert refused.value.code == "by_not_allowed"


@pytest.mark.django_db
def test_error_report__from_inside_the_case_view_holds_no_victim_data(story, monkeypatch, rf):
    """An exception after the identity is decrypted: the error report (what
    would be logged or mailed) shows the frames but none of their values."""
    import sys

    from django.views.debug import get_exception_reporter_class, get_exception_reporter_filter

    import casework.redaction as redaction

    def explode(**kwargs):
        raise RuntimeError("linking failed")

    monkeypatch.setattr(redaction, "case_list_sharing_suspect", explode)
    request = rf.post("/en/console/casework/case/1/reveal/", {"reason": "Review"})
    try:
        case_view_for(case=story["case"], viewer=story["assigned"])
        raise AssertionError("case_view_for should have failed")
    except RuntimeError:
        reporter = get_exception_reporter_class(request)(request, *sys.exc_info())
        assert isinstance(reporter.filter, type(get_exception_reporter_filter(request)))
        text = reporter.get_traceback_text()
        html = reporter.get_traceback_html()
    assert "case_view_for" in text
    assert _leaks(text) == [] and _leaks(html) == []
