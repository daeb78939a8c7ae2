"""Roles are groups with explicit permissions, synced from one table."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from casework.models import StaffProfile
from casework.roles import ROLE_PERMISSIONS, roles_sync
from casework.services import staff_account_upsert
from tests.casework.console_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db

ROLES = [str(role) for role in StaffProfile.Role]


def _snapshot() -> dict[str, set[str]]:
    return {
        group.name: {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        for group in Group.objects.prefetch_related("permissions")
    }


def _existing(dotted: list[str]) -> set[str]:
    found = set()
    for item in dotted:
        app_label, codename = item.split(".")
        if Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists():
            found.add(item)
    return found


def test_roles__groups_exist_after_migrate():
    # The post_migrate handler ran when the test database was built.
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)


def test_roles_sync__is_idempotent():
    roles_sync()
    first = _snapshot()
    roles_sync()
    assert _snapshot() == first
    assert Group.objects.filter(name__in=ROLES).count() == 4


def test_roles_sync__gives_each_role_exactly_its_table_permissions():
    snapshot = _snapshot()
    for role in ROLES:
        assert snapshot[role] == _existing(ROLE_PERMISSIONS[role]), role
    assert "casework.view_case" in snapshot["officer"]
    assert "casework.change_case" not in snapshot["administrator"]
    assert "casework.view_auditevent" in snapshot["supervisor"]
    assert "casework.view_auditevent" not in snapshot["officer"]


def test_roles_sync__puts_back_what_was_changed_by_hand():
    officer = Group.objects.get(name="officer")
    officer.permissions.add(Permission.objects.get(codename="delete_case"))
    officer.permissions.remove(Permission.objects.get(codename="view_case"))
    roles_sync()
    names = set(officer.permissions.values_list("codename", flat=True))
    assert "delete_case" not in names
    assert "view_case" in names


def test_roles_sync__skips_permissions_of_models_that_do_not_exist_yet(monkeypatch):
    monkeypatch.setitem(
        ROLE_PERMISSIONS, "outreach", ["outreach.view_nothing_yet", "casework.view_case"]
    )
    groups = roles_sync()
    assert list(groups["outreach"].permissions.values_list("codename", flat=True)) == ["view_case"]


@pytest.mark.parametrize("role", ROLES)
def test_staff_account_upsert__puts_the_user_in_their_role_group(reference_data, role):
    profile = staff_account_upsert(
        username=f"someone.{role}",
        first_name="Someone",
        role=role,
        sex="female",
        unit=None,
        governorates=[],
        password="a long staff password 2026",
    )
    assert list(profile.user.groups.values_list("name", flat=True)) == [role]
    assert not profile.user.is_superuser


def test_staff_account_upsert__a_new_role_moves_the_group_and_keeps_other_groups(
    reference_data,
):
    def upsert(role):
        return staff_account_upsert(
            username="moving.person",
            first_name="Moving",
            role=role,
            sex="male",
            unit=None,
            governorates=[],
        )

    user = upsert(StaffProfile.Role.OFFICER).user
    user.groups.add(Group.objects.create(name="newsletter"))
    upsert(StaffProfile.Role.SUPERVISOR)
    assert set(user.groups.values_list("name", flat=True)) == {"supervisor", "newsletter"}
    assert user.has_perm("casework.view_auditevent")


def test_roles__permissions_follow_the_role(officer_baghdad, administrator):
    officer, admin = officer_baghdad.user, administrator.user
    assert officer.has_perm("casework.change_case")
    assert not officer.has_perm("casework.view_staffprofile")
    assert admin.has_perm("casework.change_staffprofile")
    assert not admin.has_perm("casework.change_case")
