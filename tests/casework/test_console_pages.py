"""Console case pages render in every language with nothing the CSP would block."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from casework.models import Sex, StaffProfile
from tests.casework.helpers import console_url

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _cheap_passphrase_hashing(settings):
    settings.SANAD_PASSPHRASE_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@pytest.fixture
def pages(staff, cp_case, add_evidence, fake_evidence_store, console_client):
    staff("officer.f", sex=Sex.FEMALE, governorates=["baghdad"])
    case = cp_case(wants_female_officer=True)
    waiting = cp_case(governorate_code="karbala")
    add_evidence(case)
    supervisor = staff(
        "sup",
        role=StaffProfile.Role.SUPERVISOR,
        sex=Sex.FEMALE,
        governorates=["baghdad", "karbala"],
    )
    client = console_client(supervisor)
    return client, case, waiting


def _urls(case, waiting, language):
    with translation.override(language):
        from django.urls import reverse

        return [
            ("get", reverse("console:casework_case_changelist"), {}),
            ("get", reverse("console:casework_case_change", args=[case.pk]), {}),
            ("get", reverse("console:casework_case_history", args=[case.pk]), {}),
            ("get", reverse("console:casework_auditevent_changelist"), {}),
            (
                "post",
                reverse("console:casework_case_reveal", args=[case.pk]),
                {"reason": "Review"},
            ),
            (
                "post",
                reverse("console:casework_case_changelist"),
                {"action": "assign_to", "index": "0", "_selected_action": [case.pk, waiting.pk]},
            ),
        ]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ar", "ckb", "en"])
def test_console_pages__render_without_inline_script_or_style(language, pages):
    client, case, waiting = pages
    for method, url, data in _urls(case, waiting, language):
        response = getattr(client, method)(url, data)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert INLINE_SCRIPT.findall(html) == [], url
        assert INLINE_STYLE.findall(html) == [], url
        assert INLINE_HANDLER.findall(html) == [], url
        assert "_enc" not in html, url  # no ciphertext field anywhere, editable or not
        if language in {"ar", "ckb"}:
            assert 'dir="rtl"' in html


@pytest.mark.django_db
def test_console_list__flags_cases_awaiting_a_female_officer(staff, cp_case, console_client):
    staff("officer.m", sex=Sex.MALE, governorates=["baghdad"])
    cp_case(wants_female_officer=True)
    cp_case(wants_female_officer=True)
    supervisor = staff("sup", role=StaffProfile.Role.SUPERVISOR, governorates=["baghdad"])
    html = console_client(supervisor).get(console_url("casework_case_changelist")).content
    assert "2 cases are waiting for a female officer." in html.decode()


@pytest.mark.django_db
def test_console_pages__times_in_iraq(staff, cp_case, console_client):
    import datetime as dt

    case = cp_case()
    case.first_contact_due_at = dt.datetime(2026, 11, 24, 21, 30, tzinfo=dt.UTC)
    case.save(update_fields=["first_contact_due_at"])
    supervisor = staff("sup", role=StaffProfile.Role.SUPERVISOR, governorates=["baghdad"])
    client = console_client(supervisor)
    for url in [
        console_url("casework_case_changelist"),
        console_url("casework_case_change", case.pk),
    ]:
        html = client.get(url).content.decode()
        assert "25 November 2026, 00:30" in html, url  # 21:30 UTC is 00:30 in Baghdad
