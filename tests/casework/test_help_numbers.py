"""Help numbers as data: the federal 497 and 131 by default, a governorate's own
number in its place once an administrator adds it; edited only by
administrators, through the checked and audited service."""

import pytest
from django.core.exceptions import ValidationError

from casework.hotlines import HelpNumber, help_number_save, help_numbers_for
from casework.models import AuditEvent, Governorate, StaffProfile
from tests.casework.helpers import console_url


@pytest.mark.django_db
def test_help_numbers_for__federal_numbers_by_default(reference_data):
    assert [row.number for row in help_numbers_for()] == ["497", "131"]
    erbil = Governorate.objects.get(code="erbil")
    assert [row.number for row in help_numbers_for(governorate=erbil)] == ["497", "131"]


@pytest.mark.django_db
def test_help_numbers_for__a_governorates_own_number_replaces_the_federal_one(
    reference_data, administrator
):
    erbil = Governorate.objects.get(code="erbil")
    help_number_save(
        help_number=HelpNumber(
            service=HelpNumber.Service.COMMUNITY_POLICE,
            governorate=erbil,
            number="  066 000 0000 ",
            label="Local line",
            sort_order=10,
        ),
        by=administrator.user,
    )
    assert [row.number for row in help_numbers_for(governorate=erbil)] == ["066 000 0000", "131"]
    assert [row.number for row in help_numbers_for()] == ["497", "131"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.HELP_NUMBER_CHANGED)
    assert event.actor == administrator.user and event.details["created"] is True


@pytest.mark.django_db
def test_help_number_save__refuses_letters(reference_data, administrator):
    with pytest.raises(ValidationError) as refused:
        help_number_save(
            help_number=HelpNumber(service="other", number="call me", label="x"),
            by=administrator.user,
        )
    assert refused.value.error_dict["number"][0].code == "help_number_invalid"


@pytest.mark.django_db
def test_landing__shows_the_numbers_from_the_data_translated(client, reference_data):
    html = client.get("/ckb/").content.decode()
    assert 'href="tel:497"' in html and "پۆلیسی کۆمەڵگە" in html
    assert 'href="tel:131"' in html and "دەزگای ئاسایشی نیشتمانیی عێراق" in html
    row = HelpNumber.objects.get(number="131")
    row.is_active = False
    row.save()
    assert 'href="tel:131"' not in client.get("/ckb/").content.decode()


@pytest.mark.django_db
def test_console__administrator_adds_a_number_officer_cannot_see_the_page(
    staff, administrator, console_client
):
    officer = staff("officer.m", governorates=["baghdad"])
    url = console_url("casework_helpnumber_add")
    assert console_client(officer).get(url).status_code in {403, 404}

    admin_client = console_client(administrator)
    erbil = Governorate.objects.get(code="erbil")
    refused = admin_client.post(
        url,
        {
            "service": "community_police",
            "governorate": erbil.pk,
            "number": "abc",
            "label_ar": "خط",
            "sort_order": 5,
            "is_active": "on",
        },
    )
    assert refused.status_code == 200 and HelpNumber.objects.filter(governorate=erbil).count() == 0

    saved = admin_client.post(
        url,
        {
            "service": "community_police",
            "governorate": erbil.pk,
            "number": "066 000 0000",
            "label_ar": "خط محلي",
            "label_ckb": "هێڵی ناوخۆیی",
            "sort_order": 5,
            "is_active": "on",
        },
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert HelpNumber.objects.get(governorate=erbil).number == "066 000 0000"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.HELP_NUMBER_CHANGED).count() == 1
    assert StaffProfile.objects.get(pk=administrator.pk).role == StaffProfile.Role.ADMINISTRATOR


@pytest.mark.django_db
def test_followup_page__shows_the_victims_governorate_numbers(client, file_report, administrator):
    erbil = Governorate.objects.get(code="erbil")
    help_number_save(
        help_number=HelpNumber(
            service=HelpNumber.Service.COMMUNITY_POLICE,
            governorate=erbil,
            number="066 000 0000",
            label_en="Local line",
            label="Local line",
        ),
        by=administrator.user,
    )
    filed = file_report(governorate_code="erbil")
    client.post(
        "/en/follow-up/", {"reference": filed.case.reference, "passphrase": filed.passphrase}
    )
    footer = (
        client.get("/en/follow-up/case/").content.decode().split('<footer class="site-footer">')[1]
    )
    assert 'href="tel:0660000000"' in footer and 'href="tel:131"' in footer
    assert 'href="tel:497"' not in footer
