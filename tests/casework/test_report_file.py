"""Routing, priority and SLA at filing, table-driven; the receipt's secrets."""

import datetime as dt

import pytest
from django.utils import timezone

from casework.identifiers import REFERENCE_PATTERN, passphrase_normalise, passphrase_verify
from casework.models import AuditEvent, Case, Unit
from casework.services import priority_for, route_unit_kind

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("category", "knows", "expected"),
    [
        ("intimate_images", "yes", Unit.Kind.COMMUNITY_POLICE),
        ("intimate_images", "no", Unit.Kind.NATIONAL_SECURITY),
        ("intimate_images", "unsure", Unit.Kind.NATIONAL_SECURITY),
        ("intimate_images", "", Unit.Kind.NATIONAL_SECURITY),
        ("hacked_account", "yes", Unit.Kind.COMMUNITY_POLICE),
        ("family_violence", "yes", Unit.Kind.FAMILY_PROTECTION),
        ("family_violence", "no", Unit.Kind.FAMILY_PROTECTION),
    ],
)
def test_route_unit_kind__by_category_and_knowledge(category, knows, expected):
    assert route_unit_kind(category_code=category, knows_blackmailer=knows) == expected


@pytest.mark.parametrize(
    ("self_harm", "minor", "deadline_in", "demanded", "paid", "expected"),
    [
        (True, False, None, False, False, "urgent"),
        (False, True, None, False, False, "urgent"),
        (False, False, dt.timedelta(hours=47), False, False, "urgent"),
        (False, False, dt.timedelta(hours=48), False, False, "urgent"),
        (False, False, dt.timedelta(hours=49), False, False, "normal"),
        (False, False, dt.timedelta(hours=49), True, False, "high"),
        (False, False, None, True, False, "high"),
        (False, False, None, False, True, "high"),
        (False, False, None, False, False, "normal"),
        (True, False, None, True, True, "urgent"),
    ],
)
def test_priority_for__rules(self_harm, minor, deadline_in, demanded, paid, expected):
    deadline = NOW + deadline_in if deadline_in is not None else None
    assert (
        priority_for(
            self_harm_risk=self_harm,
            is_minor=minor,
            threat_deadline=deadline,
            money_demanded=demanded,
            money_paid=paid,
            now=NOW,
        )
        == expected
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "priority", "hours"),
    [
        ({"self_harm_risk": True}, "urgent", 2),
        ({"money_demanded": True}, "high", 24),
        ({}, "normal", 72),
    ],
)
def test_report_file__sets_first_contact_deadline_per_priority(
    file_report, overrides, priority, hours
):
    before = timezone.now()
    case = file_report(**overrides).case
    assert case.priority == priority
    expected = case.filed_at + dt.timedelta(hours=hours)
    assert case.first_contact_due_at == expected
    assert case.filed_at >= before


@pytest.mark.django_db
def test_report_file__routes_and_audits(file_report):
    filed = file_report(knows_blackmailer="yes")
    case = filed.case
    assert case.unit.kind == Unit.Kind.COMMUNITY_POLICE
    assert case.governorate.code == "baghdad"
    assert case.status == Case.Status.NEW
    assert AuditEvent.objects.filter(case=case, action=AuditEvent.Action.CASE_FILED).count() == 1


@pytest.mark.django_db
def test_report_file__receipt_secrets(file_report):
    filed = file_report()
    assert REFERENCE_PATTERN.match(filed.case.reference)
    digits = passphrase_normalise(filed.passphrase)
    assert digits is not None and len(digits) == 20
    stored = filed.case.credential.passphrase_hash
    assert stored.startswith("$sanad-hmac$") and "$argon2id$" in stored
    assert digits not in stored
    assert passphrase_verify(stored, digits)


@pytest.mark.django_db
def test_report_file__anonymous_when_no_name(file_report):
    assert file_report(name="").case.is_anonymous
    assert not file_report(name="Layla").case.is_anonymous


@pytest.mark.django_db
def test_report_file__links_cases_by_suspect_fingerprint(file_report):
    first = file_report(suspect_identifiers=["0770 123 4567"]).case
    second = file_report(suspect_identifiers=["+964 770 123 4567", "@someone"]).case
    fp_first = set(first.suspect_identifiers.values_list("fingerprint", flat=True))
    fp_second = set(second.suspect_identifiers.values_list("fingerprint", flat=True))
    assert fp_first & fp_second
