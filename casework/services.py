"""Writes that carry a rule. Every entry point (views, admin, commands) calls these.

Each service takes keyword-only arguments, runs in a transaction, and writes
its own audit event: callers never write audit events themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction

from casework.models import Governorate, StaffProfile, Unit


@transaction.atomic
def staff_account_upsert(
    *,
    username: str,
    first_name: str,
    role: str,
    sex: str,
    unit: Unit | None,
    governorates: Iterable[Governorate],
    password: str | None = None,
) -> StaffProfile:
    """Create or update a console account and its profile.

    Every console user is staff (``is_staff``); what they may do comes from the
    role, never from ``is_superuser``, which Sanad does not hand out.
    """
    user_model = get_user_model()
    user, _created = user_model.objects.get_or_create(username=username)
    user.first_name = first_name
    user.is_staff = True
    user.is_superuser = False
    user.is_active = True
    if password is not None:
        user.set_password(password)
    user.save()
    profile, _created = StaffProfile.objects.update_or_create(
        user=user, defaults={"role": role, "sex": sex, "unit": unit}
    )
    profile.governorates.set(list(governorates))
    return profile
