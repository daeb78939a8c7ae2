"""The console's admin pages for sessions go through the same services."""

import datetime as dt

from django.urls import reverse
from django.utils import translation

from outreach.models import AwarenessSession
from outreach.selectors import iraq_today


def _admin_url(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(f"console:outreach_awarenesssession_{name}", args=args)


def _data(governorate, unit, topics, **overrides):
    data = {
        "held_on": "2024-05-02",
        "duration_minutes": "60",
        "governorate": governorate.pk,
        "district": "مركز كربلاء",
        "venue_type": "university",
        "venue_name": "جامعة كربلاء",
        "unit": unit.pk,
        "audience_female": "70",
        "audience_male": "50",
        "age_band": "18_35",
        "topics": [t.pk for t in topics],
        "follow_up_requests": "1",
        "materials": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_admin_add__logs_the_session_through_the_service(
    login, outreach_karbala, governorates, community_police, topics
):
    client = login(outreach_karbala)
    response = client.post(
        _admin_url("add"),
        _data(governorates["karbala"], community_police, [topics["fake_romance"]]),
    )

    assert response.status_code == 302
    session = AwarenessSession.objects.get()
    assert session.logged_by == outreach_karbala  # set by session_log, not by the form
    assert list(session.topics.values_list("code", flat=True)) == ["fake_romance"]


def test_admin_add__applies_the_services_checks(
    login, outreach_karbala, governorates, community_police, topics
):
    client = login(outreach_karbala)
    future = (iraq_today() + dt.timedelta(days=2)).isoformat()
    response = client.post(
        _admin_url("add"),
        _data(governorates["karbala"], community_police, [], held_on=future),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert errors["held_on"][0].code == "date_in_future"
    assert errors["topics"][0].code == "no_topic"
    assert not AwarenessSession.objects.exists()


def test_admin_change__a_colleagues_session_is_out_of_reach(
    login, outreach_karbala, outreach_karbala_colleague, log_session
):
    session = log_session(outreach_karbala_colleague)
    client = login(outreach_karbala)

    change = client.get(_admin_url("change", session.pk))
    delete = client.post(_admin_url("delete", session.pk), {"post": "yes"})

    # Visible (same governorate) but view-only: no save button.
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert delete.status_code == 403
    assert AwarenessSession.objects.filter(pk=session.pk).exists()


def test_admin_change__the_author_corrects_through_the_service(
    login, outreach_karbala, log_session, governorates, community_police, topics
):
    session = log_session(outreach_karbala)
    client = login(outreach_karbala)

    response = client.post(
        _admin_url("change", session.pk),
        _data(governorates["karbala"], community_police, [topics["how_to_report"]], notes="fixed"),
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.notes == "fixed" and session.updated_by == outreach_karbala


def test_admin_bulk_delete__goes_through_the_service(
    login, supervisor_karbala, outreach_karbala, outreach_baghdad, log_session
):
    karbala = log_session(outreach_karbala)
    log_session(outreach_baghdad, governorate="baghdad")
    client = login(supervisor_karbala)

    client.post(
        _admin_url("changelist"),
        {"action": "delete_selected", "_selected_action": [karbala.pk], "post": "yes"},
    )

    assert list(AwarenessSession.objects.values_list("governorate__code", flat=True)) == ["baghdad"]
