import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from outreach import selectors
from outreach.models import AwarenessSession, Topic
from outreach.services import session_delete, session_log, session_update


def _codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def test_session_log__records_the_session_with_topics_and_facilitators(
    outreach_karbala, outreach_karbala_colleague, make_details, topics
):
    details = make_details(
        facilitators=[outreach_karbala.staff_profile, outreach_karbala_colleague.staff_profile],
        audience_female=30,
        audience_male=25,
        follow_up_requests=3,
        materials="200 منشور",
    )

    session = session_log(by=outreach_karbala, details=details)

    session.refresh_from_db()
    assert session.logged_by == outreach_karbala
    assert session.governorate.code == "karbala"
    assert session.audience_total == 55
    assert session.follow_up_requests == 3
    assert set(session.topics.values_list("code", flat=True)) == {
        "how_to_report",
        "evidence_no_payment",
    }
    assert sum(p.is_female for p in session.facilitators.all()) == 1
    assert session.audience_confirmed is False


def test_session_log__refuses_a_date_in_the_future(outreach_karbala, make_details):
    tomorrow = selectors.iraq_today() + dt.timedelta(days=1)

    with pytest.raises(ValidationError) as refused:
        session_log(by=outreach_karbala, details=make_details(held_on=tomorrow))

    assert _codes(refused.value) == {"held_on": ["date_in_future"]}
    assert not AwarenessSession.objects.exists()


def test_session_log__accepts_today_in_iraq(outreach_karbala, make_details):
    session = session_log(by=outreach_karbala, details=make_details(held_on=selectors.iraq_today()))
    assert session.pk


def test_session_log__refuses_a_date_before_2000(outreach_karbala, make_details):
    with pytest.raises(ValidationError) as refused:
        session_log(by=outreach_karbala, details=make_details(held_on=dt.date(1924, 3, 10)))
    assert _codes(refused.value) == {"held_on": ["date_too_old"]}


@pytest.mark.parametrize(
    ("minutes", "accepted"), [(0, False), (1, True), (1440, True), (1441, False)]
)
def test_session_log__duration_must_fit_in_a_day(outreach_karbala, make_details, minutes, accepted):
    details = make_details(duration_minutes=minutes)
    if accepted:
        assert session_log(by=outreach_karbala, details=details).duration_minutes == minutes
    else:
        with pytest.raises(ValidationError) as refused:
            session_log(by=outreach_karbala, details=details)
        assert _codes(refused.value) == {"duration_minutes": ["duration_out_of_range"]}


def test_session_log__refuses_negative_empty_and_impossible_audiences(
    outreach_karbala, make_details
):
    with pytest.raises(ValidationError) as negative:
        session_log(by=outreach_karbala, details=make_details(audience_female=-5))
    with pytest.raises(ValidationError) as empty:
        session_log(by=outreach_karbala, details=make_details(audience_female=0, audience_male=0))

    with pytest.raises(ValidationError) as typo:
        session_log(by=outreach_karbala, details=make_details(audience_male=4_000_000_000))

    assert _codes(negative.value) == {"audience_female": ["negative_count"]}
    assert _codes(empty.value) == {"audience_female": ["no_audience"]}
    assert _codes(typo.value) == {"audience_male": ["count_impossible"]}


def test_session_log__asks_to_confirm_an_unusually_large_audience(outreach_karbala, make_details):
    # The default bound for a school is 600 people.
    with pytest.raises(ValidationError) as warned:
        session_log(
            by=outreach_karbala, details=make_details(audience_female=450, audience_male=300)
        )

    session = session_log(
        by=outreach_karbala,
        details=make_details(audience_female=450, audience_male=300, audience_confirmed=True),
    )

    assert _codes(warned.value) == {"audience_confirmed": ["audience_unusually_large"]}
    assert warned.value.error_dict["audience_confirmed"][0].params == {"total": 750, "bound": 600}
    assert session.audience_total == 750
    assert session.audience_confirmed is True


def test_session_log__the_warning_bound_is_configurable_per_venue_type(
    outreach_karbala, make_details, settings
):
    settings.SANAD_OUTREACH_AUDIENCE_WARN = {"school": 50}

    with pytest.raises(ValidationError) as warned:
        session_log(by=outreach_karbala, details=make_details(audience_female=51))
    university = session_log(
        by=outreach_karbala, details=make_details(venue_type="university", audience_female=900)
    )

    assert _codes(warned.value) == {"audience_confirmed": ["audience_unusually_large"]}
    assert university.audience_confirmed is False  # below the university default of 1000


def test_session_log__refuses_more_follow_up_requests_than_people(outreach_karbala, make_details):
    with pytest.raises(ValidationError) as refused:
        session_log(
            by=outreach_karbala,
            details=make_details(audience_female=10, audience_male=2, follow_up_requests=13),
        )
    assert _codes(refused.value) == {"follow_up_requests": ["follow_up_exceeds_audience"]}


def test_session_log__needs_a_topic_and_names_every_mistake_at_once(outreach_karbala, make_details):
    with pytest.raises(ValidationError) as refused:
        session_log(
            by=outreach_karbala,
            details=make_details(topics=[], district="  ", duration_minutes=0),
        )
    assert _codes(refused.value) == {
        "duration_minutes": ["duration_out_of_range"],
        "district": ["required"],
        "topics": ["no_topic"],
    }


def test_session_log__refuses_a_governorate_the_user_does_not_cover(outreach_karbala, make_details):
    with pytest.raises(ValidationError) as refused:
        session_log(by=outreach_karbala, details=make_details(governorate="basra"))
    assert _codes(refused.value) == {"governorate": ["governorate_not_covered"]}


def test_session_log__administrator_may_log_in_any_governorate(administrator, make_details):
    session = session_log(by=administrator, details=make_details(governorate="basra"))
    assert session.governorate.code == "basra"


@pytest.mark.parametrize("persona", ["officer_karbala", "staff_without_profile"])
def test_session_log__refuses_users_without_an_outreach_role(request, make_details, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        session_log(by=user, details=make_details())
    assert not AwarenessSession.objects.exists()


def test_session_update__the_author_corrects_their_own_session(
    outreach_karbala, log_session, make_details
):
    session = log_session(outreach_karbala)

    session_update(
        session=session, by=outreach_karbala, details=make_details(audience_female=44, notes="x")
    )

    session.refresh_from_db()
    assert (session.audience_female, session.notes) == (44, "x")
    assert session.updated_by == outreach_karbala
    assert session.logged_by == outreach_karbala


def test_session_update__outreach_staff_cannot_correct_a_colleagues_session(
    outreach_karbala, outreach_karbala_colleague, log_session, make_details
):
    session = log_session(outreach_karbala_colleague)

    with pytest.raises(PermissionDenied):
        session_update(session=session, by=outreach_karbala, details=make_details(notes="mine"))

    session.refresh_from_db()
    assert session.notes == ""


def test_session_update__supervisor_corrects_sessions_of_their_governorates_only(
    supervisor_karbala, outreach_karbala, outreach_baghdad, log_session, make_details
):
    karbala = log_session(outreach_karbala)
    baghdad = log_session(outreach_baghdad, governorate="baghdad")

    session_update(session=karbala, by=supervisor_karbala, details=make_details(notes="checked"))
    with pytest.raises(PermissionDenied):
        session_update(
            session=baghdad,
            by=supervisor_karbala,
            details=make_details(governorate="baghdad", notes="checked"),
        )

    karbala.refresh_from_db()
    assert karbala.notes == "checked"
    assert karbala.updated_by == supervisor_karbala


def test_session_update__cannot_move_a_session_into_an_uncovered_governorate(
    outreach_karbala, log_session, make_details
):
    session = log_session(outreach_karbala)
    with pytest.raises(ValidationError) as refused:
        session_update(
            session=session, by=outreach_karbala, details=make_details(governorate="basra")
        )
    assert _codes(refused.value) == {"governorate": ["governorate_not_covered"]}


def test_session_update__keeps_the_governorate_of_an_entry_the_author_no_longer_covers(
    outreach_karbala, governorates, log_session, make_details
):
    session = log_session(outreach_karbala)
    outreach_karbala.staff_profile.governorates.set([governorates["najaf"]])

    session_update(session=session, by=outreach_karbala, details=make_details(notes="late fix"))

    session.refresh_from_db()
    assert session.notes == "late fix"


def test_session_list_for_staff__each_role_sees_its_own_scope(
    outreach_karbala,
    outreach_karbala_colleague,
    outreach_baghdad,
    supervisor_karbala,
    officer_karbala,
    administrator,
    log_session,
):
    karbala = log_session(outreach_karbala_colleague)
    najaf = log_session(supervisor_karbala, governorate="najaf")
    baghdad = log_session(outreach_baghdad, governorate="baghdad")

    def visible(user):
        return set(selectors.session_list_for_staff(user=user))

    def editable(user):
        return set(selectors.session_list_editable(user=user))

    assert visible(administrator) == editable(administrator) == {karbala, najaf, baghdad}
    assert visible(supervisor_karbala) == editable(supervisor_karbala) == {karbala, najaf}
    # Outreach staff see their governorate's sessions but correct only their own.
    assert visible(outreach_karbala) == {karbala}
    assert editable(outreach_karbala) == set()
    assert visible(outreach_karbala_colleague) == editable(outreach_karbala_colleague) == {karbala}
    assert visible(outreach_baghdad) == editable(outreach_baghdad) == {baghdad}
    assert visible(officer_karbala) == editable(officer_karbala) == set()


def test_session_get_for_edit__same_404_for_missing_and_not_yours(
    outreach_karbala, outreach_karbala_colleague, log_session
):
    from django.http import Http404

    session = log_session(outreach_karbala_colleague)
    with pytest.raises(Http404):
        selectors.session_get_for_edit(user=outreach_karbala, session_id=session.pk)
    with pytest.raises(Http404):
        selectors.session_get_for_edit(user=outreach_karbala, session_id=session.pk + 1000)


def test_session_delete__follows_the_correction_rule(
    outreach_karbala, outreach_karbala_colleague, log_session
):
    own = log_session(outreach_karbala)
    colleagues = log_session(outreach_karbala_colleague)

    session_delete(session=own, by=outreach_karbala)
    with pytest.raises(PermissionDenied):
        session_delete(session=colleagues, by=outreach_karbala)

    assert list(AwarenessSession.objects.all()) == [colleagues]


def test_topics__exist_in_every_installation_in_three_languages(db):
    # Created by migration 0002, not by a fixture.
    topics = list(Topic.objects.all())
    assert [t.code for t in topics] == [
        "finding_victims",
        "fake_romance",
        "account_security",
        "fabricated_images",
        "evidence_no_payment",
        "how_to_report",
        "parental_supervision",
    ]
    for topic in topics:
        assert topic.name_ar and topic.name_ckb and topic.name_en
