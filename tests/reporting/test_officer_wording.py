"""Gender-aware officer wording: a woman who asked for a female officer, or who
was given one, never reads «ضابط» about her; the console labels a female
officer's message as a woman's."""

import pytest

from casework.models import Governorate, Sex, StaffProfile, Unit
from casework.officer_wording import case_speaks_of_a_woman
from casework.redaction import case_view_for
from casework.services import case_assign, message_send_by_officer, staff_account_upsert


def _officer(username, sex):
    return staff_account_upsert(
        username=username,
        first_name="Officer",
        role=StaffProfile.Role.OFFICER,
        sex=sex,
        unit=Unit.objects.get(kind=Unit.Kind.NATIONAL_SECURITY),
        governorates=[Governorate.objects.get(code="baghdad")],
    )


def _follow_up(client, filed, lang="ar"):
    response = client.post(
        f"/{lang}/follow-up/",
        {"reference": filed.case.reference, "passphrase": filed.passphrase},
    )
    assert response.status_code == 302
    return client.get(f"/{lang}/follow-up/case/").content.decode()


@pytest.mark.django_db
def test_followup_page__female_request_reads_female_officer_in_arabic(client, file_report):
    officer = _officer("wording.f", Sex.FEMALE)
    filed = file_report(wants_female_officer=True)
    case_assign(case=filed.case, officer=officer, by=None)
    message_send_by_officer(case=filed.case, body="hello", by=officer)

    page = _follow_up(client, filed)

    assert "الرسائل مع الضابطة المكلَّفة" in page
    assert "تمّ تكليف ضابطة ببلاغك" in page
    assert '<p class="meta">ضابطة ·' in page
    assert "ضابط " not in page.replace("ضابطة", "")


@pytest.mark.django_db
def test_followup_page__male_officer_is_named_neutrally(client, file_report):
    officer = _officer("wording.m", Sex.MALE)
    filed = file_report()
    case_assign(case=filed.case, officer=officer, by=None)

    page = _follow_up(client, filed)

    assert "تمّ تحديد من سيتابع بلاغك" in page
    assert "الرسائل مع من يتابع بلاغك" in page
    assert "حالتك" not in page


@pytest.mark.django_db
def test_case_speaks_of_a_woman__request_before_assignment_then_the_officer(file_report):
    asked = file_report(wants_female_officer=True).case
    not_asked = file_report().case
    assert case_speaks_of_a_woman(asked)
    assert not case_speaks_of_a_woman(not_asked)
    case_assign(case=not_asked, officer=_officer("wording.f2", Sex.FEMALE), by=None)
    not_asked.refresh_from_db()
    assert case_speaks_of_a_woman(not_asked)


@pytest.mark.django_db
def test_console_case_view__labels_a_female_officers_message_as_a_woman(rf, file_report):
    from django.utils import translation

    officer = _officer("wording.f3", Sex.FEMALE)
    filed = file_report(wants_female_officer=True)
    case_assign(case=filed.case, officer=officer, by=None)
    message_send_by_officer(case=filed.case, body="hello", by=officer)
    filed.case.refresh_from_db()

    with translation.override("ar"):
        view = case_view_for(case=filed.case, viewer=officer)
        assert [str(message.sender) for message in view.messages] == ["ضابطة"]
