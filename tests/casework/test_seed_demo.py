import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.models import Category, Governorate, StaffProfile, Unit


@pytest.fixture(autouse=True)
def _development_machine(settings):
    # seed_demo refuses to run without SANAD_DEBUG (tests/security/test_demo_secrets.py).
    settings.DEBUG = True


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
    call_command("seed_demo", "--quiet-logins", "--without-history")
    for governorate in Governorate.objects.all():
        assert governorate.name_ar and governorate.name_ckb and governorate.name_en
    for category in Category.objects.all():
        assert category.name_ar and category.name_ckb and category.name_en


@pytest.mark.django_db
def test_seed_demo__staff_of_both_sexes_with_confirmed_totp():
    call_command("seed_demo", "--quiet-logins", "--without-history")
    officers = StaffProfile.objects.filter(role=StaffProfile.Role.OFFICER)
    assert {p.sex for p in officers} == {"female", "male"}
    assert StaffProfile.objects.filter(role=StaffProfile.Role.SUPERVISOR).exists()
    assert StaffProfile.objects.filter(role=StaffProfile.Role.OUTREACH).exists()
    for profile in StaffProfile.objects.select_related("user"):
        assert TOTPDevice.objects.filter(user=profile.user, confirmed=True).exists()
        assert not profile.user.is_superuser


@pytest.mark.django_db
def test_seed_demo__history_tells_the_karbala_story():
    import datetime as dt

    from casework.demo import CAMPAIGN_MONTHS, CAMPAIGN_STARTS_MONTHS_AGO
    from casework.selectors import case_intake_by_month

    call_command("seed_demo", "--quiet-logins")
    karbala = Governorate.objects.get(code="karbala")
    rows = case_intake_by_month(
        start=dt.date(2000, 1, 1), end=dt.date(2100, 1, 1), governorate_ids=[karbala.pk]
    )
    counts = [row["count"] for row in rows]
    before = counts[: 36 - CAMPAIGN_STARTS_MONTHS_AGO]
    after = counts[36 - CAMPAIGN_STARTS_MONTHS_AGO + CAMPAIGN_MONTHS : 36]
    assert 7 <= sum(before) / len(before) <= 9
    assert 2 <= sum(after) / len(after) <= 3
