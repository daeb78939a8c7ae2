import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.models import Category, Governorate, StaffProfile, Unit


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Governorate, Unit, Category, StaffProfile, TOTPDevice, get_user_model())
    }


@pytest.mark.django_db
def test_seed_demo__is_idempotent(capsys):
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert first["Governorate"] == 18
    assert first["Unit"] == 3


@pytest.mark.django_db
def test_seed_demo__translates_reference_data_in_three_languages():
    call_command("seed_demo", "--quiet-logins")
    for governorate in Governorate.objects.all():
        assert governorate.name_ar and governorate.name_ckb and governorate.name_en
    for category in Category.objects.all():
        assert category.name_ar and category.name_ckb and category.name_en


@pytest.mark.django_db
def test_seed_demo__staff_of_both_sexes_with_confirmed_totp():
    call_command("seed_demo", "--quiet-logins")
    officers = StaffProfile.objects.filter(role=StaffProfile.Role.OFFICER)
    assert {p.sex for p in officers} == {"female", "male"}
    assert StaffProfile.objects.filter(role=StaffProfile.Role.SUPERVISOR).exists()
    assert StaffProfile.objects.filter(role=StaffProfile.Role.OUTREACH).exists()
    for profile in StaffProfile.objects.select_related("user"):
        assert TOTPDevice.objects.filter(user=profile.user, confirmed=True).exists()
        assert not profile.user.is_superuser
