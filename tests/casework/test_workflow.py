"""Working a case: the status workflow (table-driven), notes, checklist, feedback."""

import itertools

import pytest
from django.core.exceptions import ValidationError

from casework.crypto import Sealer
from casework.models import AuditEvent, Case, CaseFeedback, CaseNote, ChecklistItem, StaffProfile
from casework.services import (
    ALLOWED_TRANSITIONS,
    case_note_add,
    case_transition,
    checklist_tick,
    feedback_submit,
)

ALL = list(Case.Status.values)
ALLOWED_PAIRS = sorted(
    (a, b)
    for a, targets in ALLOWED_TRANSITIONS.items()
    for b in targets
    if b != Case.Status.ASSIGNED
)
REFUSED_PAIRS = [
    (a, b)
    for a, b in itertools.product(ALL, ALL)
    if b not in ALLOWED_TRANSITIONS.get(a, set()) or b == Case.Status.ASSIGNED
]


@pytest.fixture
def worker(reference_data, django_user_model):
    from casework.models import Governorate, Unit
    from casework.services import staff_account_upsert

    return staff_account_upsert(
        username="supervisor.workflow",
        first_name="Samira",
        role=StaffProfile.Role.SUPERVISOR,
        sex="female",
        unit=Unit.objects.get(kind=Unit.Kind.NATIONAL_SECURITY),
        governorates=[Governorate.objects.get(code="baghdad")],
    )


def _case_in(status, file_report):
    case = file_report().case  # routed to National Security, Baghdad
    case.status = status
    case.save(update_fields=["status"])
    return case


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target"), ALLOWED_PAIRS)
def test_case_transition__every_allowed_move_succeeds_and_is_audited(
    file_report, worker, current, target
):
    case = _case_in(current, file_report)
    before = AuditEvent.objects.filter(action=AuditEvent.Action.CASE_STATUS_CHANGED).count()
    case = case_transition(case=case, to=target, by=worker, article="431")
    assert case.status == target
    event = AuditEvent.objects.filter(action=AuditEvent.Action.CASE_STATUS_CHANGED).last()
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.CASE_STATUS_CHANGED).count()
        == before + 1
    )
    assert event.details == {"from": current, "to": target}
    assert event.actor == worker.user


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target"), REFUSED_PAIRS)
def test_case_transition__every_other_move_is_refused(file_report, worker, current, target):
    case = _case_in(current, file_report)
    with pytest.raises(ValidationError) as refused:
        case_transition(case=case, to=target, by=worker, article="430")
    assert refused.value.code in {"transition_not_allowed", "assign_through_assignment"}
    case.refresh_from_db()
    assert case.status == current


@pytest.mark.django_db
def test_case_transition__court_referral_requires_an_article(file_report, worker):
    case = _case_in(Case.Status.SUSPECT_IDENTIFIED, file_report)
    with pytest.raises(ValidationError) as refused:
        case_transition(case=case, to=Case.Status.REFERRED_TO_COURT, by=worker)
    assert refused.value.code == "article_required"
    case = case_transition(case=case, to=Case.Status.REFERRED_TO_COURT, by=worker, article="430")
    item = ChecklistItem.objects.get(case=case, code=ChecklistItem.Code.COURT_REFERRAL)
    assert item.article == "430" and item.done_by == worker


@pytest.mark.django_db
def test_case_transition__times_are_recorded(file_report, worker):
    case = _case_in(Case.Status.ASSIGNED, file_report)
    case = case_transition(case=case, to=Case.Status.IN_CONTACT, by=worker)
    assert case.first_contact_at is not None
    case = case_transition(case=case, to=Case.Status.ACCOUNTS_SECURED, by=worker)
    case = case_transition(case=case, to=Case.Status.RESOLVED, by=worker)
    assert case.resolved_at is not None
    case = case_transition(case=case, to=Case.Status.CLOSED, by=worker)
    assert case.closed_at is not None


@pytest.mark.django_db
def test_case_transition__refused_for_someone_not_on_the_case(file_report, reference_data):
    from casework.models import Governorate, Unit
    from casework.services import staff_account_upsert

    case = _case_in(Case.Status.ASSIGNED, file_report)
    outsider = staff_account_upsert(
        username="officer.elsewhere",
        first_name="Ali",
        role=StaffProfile.Role.OFFICER,
        sex="male",
        unit=Unit.objects.get(kind=Unit.Kind.NATIONAL_SECURITY),
        governorates=[Governorate.objects.get(code="baghdad")],
    )
    with pytest.raises(ValidationError) as refused:
        case_transition(case=case, to=Case.Status.IN_CONTACT, by=outsider)
    assert refused.value.code == "not_your_case"


@pytest.mark.django_db
def test_checklist_tick__records_who_and_when_once(file_report, worker):
    case = file_report().case
    first = checklist_tick(case=case, code=ChecklistItem.Code.TOLD_NOT_TO_PAY, by=worker)
    again = checklist_tick(case=case, code=ChecklistItem.Code.TOLD_NOT_TO_PAY, by=worker)
    assert first.pk == again.pk and first.done_by == worker and first.done_at is not None
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.CHECKLIST_TICKED, case=case).count() == 1
    )
    with pytest.raises(ValidationError):
        checklist_tick(case=case, code=ChecklistItem.Code.COURT_REFERRAL, by=worker, article="999")


@pytest.mark.django_db
def test_case_note_add__is_encrypted_at_rest(file_report, worker):
    case = file_report().case
    note = case_note_add(case=case, body="Called the platform's safety team", by=worker)
    raw = bytes(CaseNote.objects.get(pk=note.pk).body_enc)
    assert b"safety team" not in raw
    sealer = Sealer(owner=case.uuid, wrapped_key=case.wrapped_key)
    assert sealer.open_text(f"note/{note.pk}", raw) == "Called the platform's safety team"


@pytest.mark.django_db
def test_feedback_submit__recorded_against_the_assigned_officer_and_encrypted(file_report, worker):
    case = file_report().case
    with pytest.raises(ValidationError):
        feedback_submit(case=case, rating=None, complaint="")
    with pytest.raises(ValidationError):
        feedback_submit(case=case, rating=9, complaint="")
    feedback = feedback_submit(case=case, rating=2, complaint="He shouted at me on the phone")
    assert feedback.kind == CaseFeedback.Kind.COMPLAINT
    assert feedback.about_officer == case.assigned_officer
    assert b"shouted" not in bytes(CaseFeedback.objects.get(pk=feedback.pk).body_enc)


@pytest.mark.django_db
def test_followup__victim_can_rate_and_complain(client, file_report):
    filed = file_report()
    client.post(
        "/en/follow-up/", {"reference": filed.case.reference, "passphrase": filed.passphrase}
    )
    assert client.post("/en/follow-up/case/feedback/", {"rating": "4"}).status_code == 302
    assert client.post("/en/follow-up/case/feedback/", {"complaint": "rude"}).status_code == 302
    assert client.post("/en/follow-up/case/feedback/", {}).status_code == 400
    assert CaseFeedback.objects.filter(case=filed.case).count() == 2
