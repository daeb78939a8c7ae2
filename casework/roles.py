"""The four console roles as groups with explicit model permissions.

A role is a ``StaffProfile.Role`` and a ``django.contrib.auth`` Group of the same
name. The groups' permissions are exactly ``ROLE_PERMISSIONS``: ``roles_sync``
(run after every ``migrate``) puts back what this table says, so a permission
ticked by hand in the admin does not survive the next deployment. Change the
table, not the group.

These are model permissions only ("may open the case list at all"). Which
cases a person may see, and how redacted, is decided per object in
``casework.selectors``; nobody gets ``is_superuser``.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q

from casework.models import StaffProfile

Role = StaffProfile.Role

_OFFICER = [
    "casework.view_case",
    "casework.change_case",
    "casework.view_evidence",
    "casework.view_message",
    "casework.add_message",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICER: _OFFICER,
    Role.SUPERVISOR: [
        *_OFFICER,
        "casework.view_auditevent",
        "casework.view_followuplockout",
        "casework.view_staffprofile",
    ],
    # The outreach app defines these models; until it does, they are skipped.
    Role.OUTREACH: [
        "outreach.add_awarenesssession",
        "outreach.change_awarenesssession",
        "outreach.view_awarenesssession",
        "outreach.view_topic",
    ],
    Role.ADMINISTRATOR: [
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "casework.add_staffprofile",
        "casework.change_staffprofile",
        "casework.view_staffprofile",
        # Administrators see cases only redacted (casework.selectors enforces it).
        "casework.view_case",
        "casework.view_auditevent",
        "casework.add_helpnumber",
        "casework.change_helpnumber",
        "casework.view_helpnumber",
    ],
}


def role_group_name(role: str) -> str:
    """The group of a role is named by the role's code (``officer``, ...)."""
    return str(role)


def roles_sync(*, apps=global_apps, using: str = DEFAULT_DB_ALIAS) -> dict[str, object]:
    """Create or update the four role groups so each has exactly its permissions.

    Idempotent. A permission in the table whose model does not exist (yet) is
    skipped silently: the next ``migrate`` after that model arrives adds it.
    Returns the groups by role.
    """
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    groups = {}
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.using(using).get_or_create(name=role_group_name(role))
        lookup = Q(pk__in=[])
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            lookup |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(permission_model.objects.using(using).filter(lookup))
        groups[str(role)] = group
    return groups


def roles_post_migrate(sender, *, apps=global_apps, using: str = DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate receiver: runs after each app's migrations, so permissions
    of apps migrated later (outreach) are picked up on the same ``migrate``."""
    try:
        apps.get_model("auth", "Group")
        apps.get_model("auth", "Permission")
    except LookupError:
        return
    roles_sync(apps=apps, using=using)


def staff_role_apply(*, user, role: str) -> None:
    """Put ``user`` in the group of ``role`` and out of every other role group.

    Groups that are not roles are left alone.
    """
    from django.contrib.auth.models import Group

    names = {role_group_name(r) for r in ROLE_PERMISSIONS}
    wanted = role_group_name(role)
    if wanted not in names:
        raise ValueError(f"unknown role {role!r}")
    group = Group.objects.filter(name=wanted).first()
    if group is None:
        group = roles_sync()[wanted]
    user.groups.remove(*user.groups.filter(name__in=names - {wanted}))
    user.groups.add(group)
