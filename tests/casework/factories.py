"""factory_boy factories for console staff."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from casework.models import Governorate, Sex, StaffProfile, Unit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    is_active = True
    password = factory.django.Password("console-test-password")


class StaffProfileFactory(factory.django.DjangoModelFactory):
    """``unit`` and ``governorates`` by code: ``StaffProfileFactory(unit="community_police",
    governorates=["baghdad"])``."""

    class Meta:
        model = StaffProfile
        skip_postgeneration_save = True

    class Params:
        username = factory.Sequence(lambda n: f"staff{n}")

    user = factory.SubFactory(UserFactory, username=factory.SelfAttribute("..username"))
    role = StaffProfile.Role.OFFICER
    sex = Sex.FEMALE

    @classmethod
    def _create(cls, model_class, *args, unit=None, **kwargs):
        if isinstance(unit, str):
            unit = Unit.objects.get(kind=unit)
        return super()._create(model_class, *args, unit=unit, **kwargs)

    @factory.post_generation
    def governorates(self, create, extracted, **kwargs):
        if create and extracted:
            self.governorates.set(Governorate.objects.filter(code__in=extracted))
