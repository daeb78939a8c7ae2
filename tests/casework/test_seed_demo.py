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


def test_seed_demo__prints_a_demo_totp_command_that_works_as_written(tmp_path):
    """The banner's command, pasted into a shell in the project directory,
    starts Django (no "No module named 'django'", no missing secret key)."""
    import os
    import re
    import subprocess
    from pathlib import Path

    from casework.management.commands.seed_demo import demo_totp_command

    root = Path(__file__).resolve().parents[2]
    command = demo_totp_command().replace("<username>", "officer.baghdad.f")
    assert command.startswith("SANAD_DEBUG=1 ")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "SANAD_DEBUG", "SANAD_SECRET_KEY"}
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    subprocess.run(  # noqa: S602
        command.replace("demo_totp officer.baghdad.f", "migrate -v0"),
        shell=True,
        cwd=root,
        env=env,
        check=True,
    )
    subprocess.run(  # noqa: S602
        command.replace(
            "demo_totp officer.baghdad.f", "seed_demo --quiet-logins --without-history"
        ),
        shell=True,
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    printed = subprocess.run(  # noqa: S602 - the printed line, as a person pastes it
        command, shell=True, cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert "No module named" not in printed.stderr
    assert "SANAD_SECRET_KEY" not in printed.stderr
    assert re.fullmatch(r"[0-9]{6}\n", printed.stdout), printed.stderr[-500:]
