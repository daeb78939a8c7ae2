"""The console list an officer reads on a phone: open cases by default, closed
ones one click away, every cell labelled for the stacked layout, usernames and
phone numbers isolated left-to-right."""

import re

import pytest

from casework.models import Case, StaffProfile
from tests.casework.helpers import console_url


def _close(case):
    # Straight to the stored state: the workflow's rules are tested elsewhere.
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)


@pytest.mark.django_db
def test_console_list__shows_open_cases_unless_closed_are_asked_for(staff, cp_case, console_client):
    open_case, closed_case = cp_case(), cp_case()
    _close(closed_case)
    supervisor = staff("sup", role=StaffProfile.Role.SUPERVISOR, governorates=["baghdad"])
    client = console_client(supervisor)
    url = console_url("casework_case_changelist")

    default = client.get(url).content.decode()
    closed = client.get(url + "?state=closed").content.decode()
    every = client.get(url + "?state=all").content.decode()
    searched = client.get(url + f"?q={closed_case.reference}").content.decode()

    assert open_case.reference in default and closed_case.reference not in default
    assert closed_case.reference in closed and open_case.reference not in closed
    assert open_case.reference in every and closed_case.reference in every
    assert closed_case.reference in searched
    assert "Open cases" in default and "Closed cases" in default


@pytest.mark.django_db
def test_console_list__labels_each_cell_and_folds_the_filters(staff, cp_case, console_client):
    cp_case()
    supervisor = staff("sup", role=StaffProfile.Role.SUPERVISOR, governorates=["baghdad"])
    html = console_client(supervisor).get(console_url("casework_case_changelist")).content.decode()

    assert re.search(r'<th data-label="Reference" class="field-reference"', html)
    assert 'data-label="Status"' in html
    assert '<details class="console-filters"' in html and "<summary>Filters</summary>" in html


@pytest.mark.django_db
def test_case_page__isolates_officer_username_and_phone(staff, cp_case, console_client):
    from casework.services import case_assign

    officer = staff("officer.baghdad.f", sex="female", governorates=["baghdad"])
    case = cp_case(phone="+964 770 123 4567", contact_method="phone")
    case_assign(case=case, officer=officer, by=None)
    html = (
        console_client(officer).get(console_url("casework_case_change", case.pk)).content.decode()
    )

    assert '(<bdi dir="ltr">officer.baghdad.f</bdi>)' in html
    assert '<bdi dir="ltr">+9647701234567</bdi>' in html


@pytest.mark.django_db
def test_forbidden_page__is_translated_not_bare_english(staff, cp_case, console_client):
    from django.urls import reverse
    from django.utils import translation

    officer = staff("officer.m", governorates=["baghdad"])
    case = cp_case()
    with translation.override("ar"):
        url = reverse("console:casework_case_history", args=[case.pk])
    response = console_client(officer).get(url)

    assert response.status_code == 403
    html = response.content.decode()
    assert "غير مسموح" in html and '<html lang="ar" dir="rtl">' in html


@pytest.mark.django_db
def test_audit_list__translated_headers_and_details_as_text(staff, cp_case, console_client):
    from django.urls import reverse
    from django.utils import translation

    cp_case()
    supervisor = staff("sup", role=StaffProfile.Role.SUPERVISOR, governorates=["baghdad"])
    with translation.override("ar"):
        url = reverse("console:casework_auditevent_changelist")
    html = console_client(supervisor).get(url).content.decode()

    for header in ("الرقم", "الوقت", "الإجراء", "بواسطة"):
        assert header in html, header
    cells = re.findall(r'<td class="field-details_text">(.*?)</td>', html)
    assert cells and not any(cell.startswith("{") for cell in cells), cells[:3]
