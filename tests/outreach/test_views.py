import ast
import csv
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from outreach.models import AwarenessSession
from outreach.selectors import iraq_today

BAGHDAD = ZoneInfo("Asia/Baghdad")
OUTREACH_DIR = Path(__file__).resolve().parents[2] / "outreach"

# Every outreach page, and whether it needs a session the user may correct.
PAGES = [
    ("outreach:session_list", False),
    ("outreach:session_create", False),
    ("outreach:session_edit", True),
    ("outreach:session_delete", True),
    ("outreach:session_export", False),
    ("outreach:session_import", False),
    ("outreach:session_import_template", False),
    ("outreach:analytics", False),
    ("outreach:yearly_summary", False),
]


def _url(name: str, session=None) -> str:
    with translation.override("en"):
        return reverse(name, args=[session.pk] if session else [])


@pytest.fixture
def own_session(outreach_karbala, log_session):
    return log_session(outreach_karbala)


# --- The permission ladder: anonymous -> unverified -> wrong role -> out of scope -> in scope


@pytest.mark.parametrize(("name", "needs_session"), PAGES)
def test_outreach_pages__anonymous_is_sent_to_the_console_login(
    client, own_session, name, needs_session
):
    url = _url(name, own_session if needs_session else None)
    response = client.get(url)
    assert response.status_code == 302
    with translation.override("en"):
        assert response["Location"].startswith(reverse("console:login") + "?next=")


@pytest.mark.parametrize(("name", "needs_session"), PAGES)
def test_outreach_pages__without_a_verified_second_factor_is_sent_to_login(
    login, outreach_karbala, own_session, name, needs_session
):
    client = login(outreach_karbala, verified=False)
    response = client.get(_url(name, own_session if needs_session else None))
    assert response.status_code == 302


@pytest.mark.parametrize("persona", ["officer_karbala", "staff_without_profile"])
@pytest.mark.parametrize(("name", "needs_session"), PAGES)
def test_outreach_pages__other_roles_get_404(
    request, login, own_session, persona, name, needs_session
):
    client = login(request.getfixturevalue(persona))
    response = client.get(_url(name, own_session if needs_session else None))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["outreach:session_edit", "outreach:session_delete"])
def test_outreach_pages__a_colleagues_session_is_404(
    login, outreach_karbala_colleague, own_session, name
):
    client = login(outreach_karbala_colleague)
    assert client.get(_url(name, own_session)).status_code == 404
    assert client.post(_url(name, own_session), {}).status_code == 404
    assert AwarenessSession.objects.filter(pk=own_session.pk).exists()


@pytest.mark.parametrize("persona", ["outreach_karbala", "supervisor_karbala", "administrator"])
@pytest.mark.parametrize(("name", "needs_session"), PAGES)
def test_outreach_pages__in_scope_get_200(
    request, login, own_session, persona, name, needs_session
):
    client = login(request.getfixturevalue(persona))
    response = client.get(_url(name, own_session if needs_session else None))
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "needs_session"), PAGES)
def test_outreach_pages__no_inline_styles_for_the_csp(
    login, outreach_karbala, own_session, name, needs_session
):
    client = login(outreach_karbala)
    response = client.get(_url(name, own_session if needs_session else None))
    if response["Content-Type"].startswith("text/html"):
        html = response.content.decode()
        assert " style=" not in html and "<style" not in html
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


# --- Logging and correcting from the console


def _form_data(session_topics, **overrides):
    data = {
        "held_on": "2024-03-10",
        "duration_minutes": "90",
        "governorate": "",
        "district": "الهندية",
        "venue_type": "school",
        "venue_name": "ثانوية الحسين للبنين",
        "unit": "",
        "audience_female": "0",
        "audience_male": "65",
        "age_band": "15_17",
        "topics": [t.pk for t in session_topics],
        "follow_up_requests": "2",
        "materials": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_session_create__outreach_staff_log_a_session_from_the_form(
    login, outreach_karbala, governorates, community_police, topics
):
    client = login(outreach_karbala)
    form_page = client.get(_url("outreach:session_create")).content.decode()
    response = client.post(
        _url("outreach:session_create"),
        _form_data(
            [topics["finding_victims"], topics["how_to_report"]],
            governorate=governorates["karbala"].pk,
            unit=community_police.pk,
            facilitators=[outreach_karbala.staff_profile.pk],
        ),
    )

    assert 'type="date"' in form_page and 'inputmode="numeric"' in form_page
    assert response.status_code == 302
    assert response["Location"] == _url("outreach:session_list")
    session = AwarenessSession.objects.get()
    assert session.logged_by == outreach_karbala
    assert session.audience_male == 65
    assert list(session.facilitators.all()) == [outreach_karbala.staff_profile]


def test_session_create__shows_the_services_refusal_on_the_field(
    login, outreach_karbala, governorates, community_police, topics
):
    client = login(outreach_karbala)
    future = (iraq_today() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        _url("outreach:session_create"),
        _form_data(
            [topics["fake_romance"]],
            held_on=future,
            governorate=governorates["karbala"].pk,
            unit=community_police.pk,
        ),
    )

    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["held_on"][0].code == "date_in_future"
    assert "The date is in the future" in response.content.decode()
    assert not AwarenessSession.objects.exists()


def test_session_create__a_large_audience_asks_for_confirmation_then_saves(
    login, outreach_karbala, governorates, community_police, topics
):
    client = login(outreach_karbala)
    data = _form_data(
        [topics["account_security"]],
        venue_type="womens_forum",
        audience_female="700",
        audience_male="0",
        governorate=governorates["karbala"].pk,
        unit=community_police.pk,
    )

    warned = client.post(_url("outreach:session_create"), data)
    confirmed = client.post(_url("outreach:session_create"), {**data, "audience_confirmed": "on"})

    assert warned.status_code == 200
    html = warned.content.decode()
    assert 'name="audience_confirmed"' in html
    assert "The audience (700) is larger than usual for this kind of venue" in html
    assert confirmed.status_code == 302
    assert AwarenessSession.objects.get().audience_confirmed is True


def test_session_create__the_confirmation_box_is_hidden_until_needed(login, outreach_karbala):
    html = login(outreach_karbala).get(_url("outreach:session_create")).content.decode()
    assert 'name="audience_confirmed"' not in html


def test_session_edit__the_author_corrects_their_own_entry(
    login, outreach_karbala, own_session, governorates, community_police, topics
):
    client = login(outreach_karbala)
    page = client.get(_url("outreach:session_edit", own_session))
    response = client.post(
        _url("outreach:session_edit", own_session),
        _form_data(
            [topics["how_to_report"]],
            governorate=governorates["karbala"].pk,
            unit=community_police.pk,
            audience_female="12",
            audience_male="30",
        ),
    )

    assert 'value="إعدادية الفاطمية للبنات"' in page.content.decode()
    assert response.status_code == 302
    own_session.refresh_from_db()
    assert (own_session.audience_female, own_session.audience_male) == (12, 30)
    assert own_session.updated_by == outreach_karbala


def test_session_delete__the_author_deletes_after_confirming(login, outreach_karbala, own_session):
    client = login(outreach_karbala)
    assert client.get(_url("outreach:session_delete", own_session)).status_code == 200
    assert AwarenessSession.objects.exists()

    response = client.post(_url("outreach:session_delete", own_session))

    assert response.status_code == 302
    assert not AwarenessSession.objects.exists()


def test_session_list__shows_the_governorates_sessions_and_offers_correction_only_of_own(
    login, outreach_karbala, outreach_karbala_colleague, outreach_baghdad, log_session
):
    mine = log_session(outreach_karbala, venue_name="Mine")
    colleagues = log_session(outreach_karbala_colleague, venue_name="Colleague's")
    log_session(outreach_baghdad, governorate="baghdad", venue_name="Baghdad school")

    html = login(outreach_karbala).get(_url("outreach:session_list")).content.decode()

    assert "Mine" in html and "Colleague&#x27;s" in html
    assert "Baghdad school" not in html
    assert _url("outreach:session_edit", mine) in html
    assert _url("outreach:session_edit", colleagues) not in html


# --- Export


def _read_export(response) -> list[dict]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_session_export__the_filtered_list_as_csv_with_a_bom(
    login, outreach_karbala, log_session, topics
):
    log_session(outreach_karbala, held_on=dt.date(2024, 1, 5), venue_type="university")
    log_session(outreach_karbala, held_on=dt.date(2024, 2, 5), venue_name='=HYPERLINK("x")')
    log_session(outreach_karbala, held_on=dt.date(2023, 12, 5))

    response = login(outreach_karbala).get(
        _url("outreach:session_export"), {"date_from": "2024-01-01", "venue_type": "school"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    rows = _read_export(response)
    assert len(rows) == 1
    row = rows[0]
    assert row["date"] == "2024-02-05"
    assert row["venue_name"] == '\'=HYPERLINK("x")'  # the formula is neutralised
    assert row["governorate"] == "karbala"
    assert row["topics"] == "evidence_no_payment;how_to_report"
    assert row["logged_by"] == "rana"


def test_session_export__only_what_the_user_may_see(
    login, outreach_karbala, outreach_baghdad, log_session
):
    log_session(outreach_karbala)
    log_session(outreach_baghdad, governorate="baghdad")

    rows = _read_export(login(outreach_baghdad).get(_url("outreach:session_export")))

    assert [r["governorate"] for r in rows] == ["baghdad"]


# --- No case data for outreach staff


def _all_url_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _all_url_patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def test_outreach_staff__cannot_reach_any_case_page(
    login, outreach_karbala, governorates, file_case, own_session
):
    """Walk every URL of the project; wherever a case could be named, an outreach user gets 404,
    and no page shows them a case's reference."""
    case = file_case(governorates["karbala"], dt.datetime(2024, 3, 3, 10, 0, tzinfo=BAGHDAD))
    client = login(outreach_karbala)
    identifiers = {"pk": case.pk, "id": case.pk, "case_id": case.pk, "reference": case.reference}
    identifiers |= {"uuid": case.uuid, "case_uuid": case.uuid, "object_id": case.pk}
    checked = 0
    for route, pattern in _all_url_patterns():
        if pattern.name == "quick_exit":
            continue  # it ends the session, as it should; nothing of a case there
        converters = pattern.pattern.converters
        if "admin" in route and "casework" not in route and converters:
            continue  # other apps' admin objects, not cases
        args = {name: identifiers.get(name, case.pk) for name in converters}
        path = "/" + route.replace("^", "").replace("$", "")
        for name, value in args.items():
            for spelled in (f"<int:{name}>", f"<str:{name}>", f"<uuid:{name}>", f"<slug:{name}>"):
                path = path.replace(spelled, str(value))
            path = path.replace(f"<{name}>", str(value))
        path = path.replace("<lang>", "en")
        if "<" in path or "(?P" in path:
            continue
        response = client.get(path.replace("//", "/"), follow=False)
        checked += 1
        is_case_route = "case" in route.lower() and converters
        if is_case_route:
            assert response.status_code == 404, route
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert case.reference.encode() not in body, route
    # The console's case pages.
    for path in (
        "/en/console/casework/case/",
        f"/en/console/casework/case/{case.pk}/change/",
    ):
        response = client.get(path)
        assert response.status_code in {403, 404}
        assert case.reference.encode() not in response.content
    assert checked > 10


def test_analytics__case_counts_are_never_finer_than_month_and_governorate(
    login, outreach_karbala, governorates, file_case, community_police, reference_data
):
    from casework.models import Category, Unit

    national_security = Unit.objects.get(kind=Unit.Kind.NATIONAL_SECURITY)
    category = Category.objects.first()
    file_case(governorates["karbala"], dt.datetime(2024, 3, 3, 10, 0, tzinfo=BAGHDAD))
    file_case(
        governorates["karbala"],
        dt.datetime(2024, 3, 20, 10, 0, tzinfo=BAGHDAD),
        unit=national_security,
    )
    file_case(
        governorates["karbala"], dt.datetime(2024, 3, 21, 10, 0, tzinfo=BAGHDAD), category=category
    )
    client = login(outreach_karbala)
    base = {"start": "2024-02", "end": "2024-04", "governorates": governorates["karbala"].pk}

    plain = client.get(_url("outreach:analytics"), base)
    narrowed = client.get(
        _url("outreach:analytics"),
        {
            **base,
            "unit": national_security.pk,
            "category": category.pk,
            "day": "2024-03-03",
            "district": "x",
            "status": "new",
            "priority": "urgent",
        },
    )
    by_day = client.get(_url("outreach:analytics"), {**base, "start": "2024-03-03"})

    def karbala_cases(response):
        series = next(
            c["series"] for c in response.context["charts"] if c["series"].key == "karbala"
        )
        return [(m.month.isoformat(), m.cases) for m in series.months]

    assert karbala_cases(plain) == [("2024-02-01", 0), ("2024-03-01", 3), ("2024-04-01", 0)]
    assert karbala_cases(narrowed) == karbala_cases(plain)
    assert by_day.context["form"].errors["start"]  # a day is not a month: refused
    # ...and the page falls back to whole calendar months.
    assert by_day.context["first_month"].day == 1
    assert all(m.month.day == 1 for m in by_day.context["national"]["series"].months)


ALLOWED_CASEWORK_IMPORTS = {
    "casework.models": {"Governorate", "Unit", "StaffProfile"},
    "casework.selectors": {"case_intake_by_month"},
    "casework.services": set(),
    # The console site object only: outreach registers its admin pages on it.
    "casework.console": {"console_site"},
}


def test_outreach_code__reads_cases_only_through_case_intake_by_month():
    """Outreach may import Governorate, Unit, StaffProfile and the intake selector: nothing
    else of casework, so no outreach code can reach a case row or another case figure."""
    offenders = []
    for path in OUTREACH_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("casework"):
                allowed = ALLOWED_CASEWORK_IMPORTS.get(node.module)
                names = {alias.name for alias in node.names}
                if allowed is None or not names <= allowed:
                    offenders.append(f"{path.name}: from {node.module} import {sorted(names)}")
            elif isinstance(node, ast.Import):
                offenders += [
                    f"{path.name}: import {a.name}"
                    for a in node.names
                    if a.name.startswith("casework")
                ]
    assert offenders == []
