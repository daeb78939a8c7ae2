"""Who reaches which console URL: a permission ladder generated from one table.

Rows are personas (anonymous, unverified, every role in and out of scope),
columns are every case URL of the console, and each is tried on a case inside
and a case outside the persona's scope. The expected status comes from the
persona's capabilities and the capability each URL needs, never hand-picked.
"""

from __future__ import annotations

import itertools

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from casework.models import AuditEvent, Case, Governorate, Sex, StaffProfile, Unit
from tests.casework.helpers import console_url

SUPERVISOR = StaffProfile.Role.SUPERVISOR

# persona -> (how to make them, what they may do)
#   sees: which of the two cases ("in", "out") they may see at all
#   caps: list (the case list), see (the case page), preview (blurred
#         evidence), handle (open evidence, message the victim), supervise
#         (history, reveal, assign)
PERSONAS = {
    "anonymous": {"login": None},
    "unverified_supervisor": {"login": "no_otp"},
    "officer_assigned": {"sees": {"in"}, "caps": {"list", "see", "preview", "handle"}},
    "officer_unassigned": {"sees": {"in"}, "caps": {"list", "see", "preview"}},
    "officer_other_governorate": {"sees": set(), "caps": {"list", "see", "preview"}},
    "officer_other_unit": {"sees": set(), "caps": {"list", "see", "preview"}},
    "supervisor_in_scope": {
        "sees": {"in"},
        "caps": {"list", "see", "preview", "handle", "supervise"},
    },
    "supervisor_out_of_scope": {
        "sees": set(),
        "caps": {"list", "see", "preview", "handle", "supervise"},
    },
    # A supervisor with no unit: the national intake queue (the Basra case
    # below has nobody placed to act on it).
    "national_intake": {
        "sees": {"out"},
        "caps": {"list", "see", "preview", "handle", "supervise"},
    },
    "outreach": {"sees": set(), "caps": set()},
    "administrator": {"sees": {"in", "out"}, "caps": {"list", "see"}},
}

# url -> (method, capability needed, status on success)
URLS = {
    "changelist": ("GET", "list", 200),
    "change": ("GET", "see", 200),
    "history": ("GET", "supervise", 200),
    "evidence_preview": ("GET", "preview", 200),
    "evidence_open": ("POST", "handle", 200),
    "message_post": ("POST", "handle", 302),
    "reveal": ("POST", "supervise", 200),
    "assign_action": ("POST", "supervise", 302),
    "route": ("POST", "supervise", 302),
    "transition": ("POST", "handle", 302),
    "note": ("POST", "handle", 302),
    "checklist": ("POST", "handle", 302),
}


def expected_status(persona: str, url: str, scope: str) -> int:
    spec = PERSONAS[persona]
    if "login" in spec:
        return 302  # to the console login
    method, needed, success = URLS[url]
    # No case pages at all (outreach): 404 everywhere, the list included.
    if "list" not in spec["caps"]:
        return 404
    if url == "changelist":
        return success
    # Outside the persona's scope: the same 404 as a case that does not exist.
    if scope not in spec["sees"]:
        return 404
    return success if needed in spec["caps"] else 403


def expected_listed(persona: str, scope: str) -> bool:
    spec = PERSONAS[persona]
    return "list" in spec.get("caps", set()) and scope in spec["sees"]


@pytest.fixture(autouse=True)
def _cheap_passphrase_hashing(settings):
    # Every test files two cases; the Argon2 cost is not what is under test here.
    settings.SANAD_PASSPHRASE_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@pytest.fixture
def world(staff, cp_case, add_evidence, fake_evidence_store):
    assigned = staff("officer.assigned.f", sex=Sex.FEMALE, governorates=["baghdad"])
    case_in = cp_case()  # Community Police, Baghdad: auto-assigned to the only officer
    assert case_in.assigned_officer == assigned
    # Family Protection, Basra: outside everyone's scope but the administrator's.
    case_out = cp_case(category_code="family_violence", governorate_code="basra")
    people = {
        "officer_assigned": assigned,
        "officer_unassigned": staff("officer.other.m", governorates=["baghdad"]),
        "officer_other_governorate": staff("officer.karbala", governorates=["karbala"]),
        "officer_other_unit": staff(
            "officer.nss", unit="national_security", governorates=["baghdad"]
        ),
        "supervisor_in_scope": staff("sup.in", role=SUPERVISOR, governorates=["baghdad"]),
        "supervisor_out_of_scope": staff("sup.out", role=SUPERVISOR, governorates=["karbala"]),
        "unverified_supervisor": staff("sup.nootp", role=SUPERVISOR, governorates=["baghdad"]),
        "national_intake": staff("intake", role=SUPERVISOR, unit=None),
        "outreach": staff("outreach", role=StaffProfile.Role.OUTREACH, governorates=["baghdad"]),
        "administrator": staff("admin", role=StaffProfile.Role.ADMINISTRATOR, unit=None),
    }
    return {
        "cases": {"in": case_in, "out": case_out},
        "evidence": {"in": add_evidence(case_in), "out": add_evidence(case_out)},
        "people": people,
    }


def _client_for(persona, world, console_client) -> Client:
    spec = PERSONAS[persona]
    if spec.get("login", "otp") is None:
        return Client()
    profile = world["people"][persona]
    if spec.get("login") == "no_otp":
        client = Client()
        client.force_login(profile.user)
        return client
    return console_client(profile)


def _request(client, url, case, evidence, world):
    if url == "changelist":
        return client.get(console_url("casework_case_changelist"), {"q": case.reference})
    if url == "change":
        return client.get(console_url("casework_case_change", case.pk))
    if url == "history":
        return client.get(console_url("casework_case_history", case.pk))
    if url == "evidence_preview":
        return client.get(console_url("casework_case_evidence_preview", case.pk, evidence.pk))
    if url == "evidence_open":
        return client.post(
            console_url("casework_case_evidence_open", case.pk, evidence.pk),
            {"reason": "Checking the threat message"},
        )
    if url == "message_post":
        return client.post(
            console_url("casework_case_message", case.pk), {"body": "We are working on it."}
        )
    if url == "reveal":
        return client.post(
            console_url("casework_case_reveal", case.pk), {"reason": "Linked case review"}
        )
    if url == "transition":
        return client.post(console_url("casework_case_transition", case.pk), {"to": "in_contact"})
    if url == "note":
        return client.post(console_url("casework_case_note", case.pk), {"note": "Called back"})
    if url == "checklist":
        return client.post(
            console_url("casework_case_checklist", case.pk), {"code": "told_not_to_pay"}
        )
    if url == "route":
        return client.post(
            console_url("casework_case_route", case.pk),
            {
                "governorate": Governorate.objects.get(code="baghdad").pk,
                "unit": Unit.objects.get(kind="community_police").pk,
            },
        )
    if url == "assign_action":
        return client.post(
            console_url("casework_case_changelist"),
            {
                "action": "assign_to",
                "apply": "1",
                "officer": world["people"]["officer_unassigned"].pk,
                "_selected_action": [case.pk],
            },
        )
    raise AssertionError(url)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "url", "scope"), list(itertools.product(PERSONAS, URLS, ["in", "out"]))
)
def test_console_access__matrix(persona, url, scope, world, console_client):
    case = world["cases"][scope]
    evidence = world["evidence"][scope]
    client = _client_for(persona, world, console_client)
    response = _request(client, url, case, evidence, world)
    expected = expected_status(persona, url, scope)
    assert response.status_code == expected, (persona, url, scope)
    if expected == 302 and "login" in PERSONAS[persona]:
        assert "/console/login/" in response["Location"]
    if url == "changelist" and expected == 200:
        # The search box echoes the reference: look for the row's link instead.
        listed = console_url("casework_case_change", case.pk) in response.content.decode()
        assert listed == expected_listed(persona, scope), (persona, scope)


def test_console_access__table_covers_every_case_url():
    """A new case URL must join the matrix: compare with the admin's URL names."""
    from casework.admin import CaseAdmin
    from casework.console import console_site
    from casework.models import Case as CaseModel

    names = {
        pattern.name
        for pattern in CaseAdmin(CaseModel, console_site).get_urls()
        if pattern.name is not None
    }
    covered = {
        "casework_case_changelist",
        "casework_case_change",
        "casework_case_history",
        "casework_case_evidence_preview",
        "casework_case_evidence_open",
        "casework_case_message",
        "casework_case_reveal",
        # No add or delete: refused for everyone (tested below).
        "casework_case_add",
        "casework_case_delete",
        "casework_case_assign",
        "casework_case_route",
        "casework_case_transition",
        "casework_case_note",
        "casework_case_checklist",
        # Not about one case: supervisors only (test_console_access__dashboard_ladder).
        "casework_case_dashboard",
        "casework_case_dashboard_csv",
        "casework_case_feedback",
    }
    assert names == covered


@pytest.mark.django_db
@pytest.mark.parametrize("persona", list(PERSONAS))
@pytest.mark.parametrize(
    "name", ["casework_case_dashboard", "casework_case_dashboard_csv", "casework_case_feedback"]
)
def test_console_access__dashboard_ladder(persona, name, world, console_client):
    client = _client_for(persona, world, console_client)
    response = client.get(console_url(name))
    if "login" in PERSONAS[persona]:
        assert response.status_code == 302
    elif persona.startswith("supervisor") or persona == "national_intake":
        assert response.status_code == 200
    else:
        assert response.status_code == 404


@pytest.mark.django_db
def test_console_access__no_add_or_delete_for_anyone(world, console_client):
    case = world["cases"]["in"]
    supervisor = console_client(world["people"]["supervisor_in_scope"])
    assert supervisor.get(console_url("casework_case_add")).status_code == 403
    assert supervisor.get(console_url("casework_case_delete", case.pk)).status_code == 403
    assert supervisor.post(console_url("casework_case_delete", case.pk)).status_code == 403
    outside = world["cases"]["out"]
    assert supervisor.get(console_url("casework_case_delete", outside.pk)).status_code == 404
    page = supervisor.get(console_url("casework_case_changelist")).content.decode()
    assert "delete_selected" not in page
    assert Case.objects.filter(pk=case.pk).exists()


@pytest.mark.django_db
def test_console_access__change_form_assign_matches_the_action(world, console_client):
    """The case page's assign form follows the same ladder as the list action."""
    case = world["cases"]["in"]
    target = world["people"]["officer_unassigned"]
    for persona, status in [
        ("officer_assigned", 403),
        ("officer_unassigned", 403),
        ("supervisor_out_of_scope", 404),
        ("administrator", 403),
        ("outreach", 404),
        ("supervisor_in_scope", 302),
    ]:
        client = console_client(world["people"][persona])
        response = client.post(
            console_url("casework_case_assign", case.pk),
            {"officer": target.pk, "expected_officer": case.assigned_officer_id},
        )
        assert response.status_code == status, persona
    case.refresh_from_db()
    assert case.assigned_officer == target


@pytest.mark.django_db
def test_console_access__outreach_sees_no_case_model(world, console_client):
    client = console_client(world["people"]["outreach"])
    index = client.get(console_url("index"))
    assert index.status_code == 200
    assert "casework/case/" not in index.content.decode()


@pytest.mark.django_db
def test_console_access__group_permissions_do_not_widen_scope(world, console_client):
    """Model permissions are ignored: an officer given every casework permission
    still gets 404 outside their scope."""
    from django.contrib.auth.models import Permission

    officer = world["people"]["officer_other_governorate"]
    officer.user.user_permissions.set(Permission.objects.filter(content_type__app_label="casework"))
    client = console_client(officer)
    response = client.get(console_url("casework_case_change", world["cases"]["in"].pk))
    assert response.status_code == 404


@pytest.mark.django_db
def test_console_access__case_page_view_is_audited_once(world, console_client):
    case = world["cases"]["in"]
    client = console_client(world["people"]["officer_unassigned"])
    before = AuditEvent.objects.filter(case=case, action=AuditEvent.Action.CASE_VIEWED).count()
    client.get(console_url("casework_case_change", case.pk))
    viewed = AuditEvent.objects.filter(case=case, action=AuditEvent.Action.CASE_VIEWED)
    assert viewed.count() == before + 1
    assert viewed.last().details == {"level": "redacted"}
    assert viewed.last().actor == world["people"]["officer_unassigned"].user


# --- the list's cost does not grow with the page --------------------------------------


@pytest.mark.django_db
def test_console_list__query_count_constant_in_page_size(staff, cp_case, console_client):
    supervisor = staff("sup", role=SUPERVISOR, governorates=["baghdad"])
    officers = [staff(f"o{i}", sex=Sex.FEMALE, governorates=["baghdad"]) for i in range(3)]
    assert officers
    client = console_client(supervisor)
    url = console_url("casework_case_changelist")
    client.get(url)  # warm: session, content types

    def count():
        with CaptureQueriesContext(__import__("django.db").db.connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    cp_case()
    cp_case(wants_female_officer=True)
    few = count()
    for _ in range(20):
        cp_case()
    many = count()
    assert Case.objects.count() == 22
    assert many == few


@pytest.mark.django_db
def test_scope__list_query_and_single_case_rule_agree(world, cp_case, staff, file_report):
    """case_list_for_viewer (SQL) and case_access_for (Python) are two spellings
    of one rule: for every persona and every kind of case they must agree."""
    from casework.selectors import case_access_for, case_list_for_viewer

    karbala_officer = world["people"]["officer_other_governorate"]
    cases = [
        *world["cases"].values(),
        cp_case(governorate_code="karbala"),
        cp_case(wants_female_officer=True),
        file_report(knows_blackmailer="yes", governorate_code="").case,  # not yet placed
        file_report(knows_blackmailer="no", governorate_code="baghdad").case,  # NSS
    ]
    # Assigned to them although filed elsewhere (they moved): still theirs.
    moved = cp_case(governorate_code="basra")
    moved.assigned_officer = karbala_officer
    moved.save()
    cases.append(moved)
    for persona, profile in world["people"].items():
        listed = set(case_list_for_viewer(viewer=profile).values_list("pk", flat=True))
        for case in cases:
            visible = case_access_for(case=case, viewer=profile).visible
            assert (case.pk in listed) == visible, (persona, case.reference)


@pytest.mark.django_db
def test_console__no_view_on_site_shortcut(world, console_client):
    from django.contrib.contenttypes.models import ContentType

    case = world["cases"]["out"]
    content_type = ContentType.objects.get_for_model(Case)
    client = console_client(world["people"]["officer_unassigned"])
    for lang in ("en", "ar"):
        response = client.get(f"/{lang}/console/r/{content_type.pk}/{case.pk}/")
        assert response.status_code == 404
