"""Wrong or malformed SANAD_KEYS: refused at startup, detected before use, and
never reported as fine (issue 13)."""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from casework import crypto
from casework.key_checks import KeyCheckMismatch, key_checks_forget, sealer_new
from casework.models import AuditEvent, Case, KeyCheck
from reporting.models import ReportDraft
from tests.casework.conftest import case_create

ROOT = Path(__file__).resolve().parents[2]
KEY_RIGHT = "k1:" + base64.b64encode(b"R" * 32).decode()
KEY_WRONG = "k1:" + base64.b64encode(b"W" * 32).decode()
KEY_NEXT = "k2:" + base64.b64encode(b"N" * 32).decode()


@pytest.fixture(autouse=True)
def _forget_matches():
    key_checks_forget()
    yield
    key_checks_forget()


def _manage_check(keys: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SANAD_SECRET_KEY": "prod-like-" + "Zx8Qw3Er5Ty7Ui9Op1As2Df4Gh6Jk0Lm" * 2,
        "SANAD_KEYS": keys,
        "SANAD_FINGERPRINT_KEY": "prod-like-fingerprint",
        "SANAD_AUDIT_KEY": "prod-like-audit-key",
        "ALLOWED_HOSTS": "sanad.example",
        "DATABASE_URL": "sqlite:////tmp/sanad-check-keys.sqlite3",
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("k1:" + base64.b64encode(b"s" * 31).decode(), "entry 1 must be 32 bytes"),
        (KEY_RIGHT + ",k2:not*base64!", "entry 2 is not valid base64"),
        ("k1=" + base64.b64encode(b"s" * 32).decode(), "entry 1 must look like"),
        (f"{KEY_RIGHT},{KEY_RIGHT}", "two keys with the same id"),
    ],
)
def test_startup__refuses_malformed_keys_naming_the_entry_not_the_key(keys, expected):
    result = _manage_check(keys)
    assert result.returncode != 0
    assert expected in result.stderr
    for item in keys.split(","):
        secret = item.partition(":")[2] or item.partition("=")[2]
        assert secret not in result.stderr and secret not in result.stdout


def test_startup__accepts_well_formed_keys():
    result = _manage_check(f"{KEY_NEXT},{KEY_RIGHT}")
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_key_check__first_use_records_the_check_value_and_never_the_key(settings):
    settings.SANAD_KEYS = KEY_RIGHT
    sealer_new(owner=uuid.uuid4())
    (check,) = KeyCheck.objects.all()
    assert check.key_id == "k1"
    assert check.check_value == crypto.key_encryption_keys()[0].check_value
    assert base64.b64encode(b"R" * 32).decode() not in check.check_value
    assert (b"R" * 32).hex() not in check.check_value


@pytest.mark.django_db
def test_report_step__refuses_to_wrap_under_a_wrong_key_with_a_known_id(settings, reference_data):
    settings.SANAD_KEYS = KEY_RIGHT
    sealer_new(owner=uuid.uuid4())  # the right key was used first
    settings.SANAD_KEYS = KEY_WRONG

    with pytest.raises(KeyCheckMismatch) as raised:
        sealer_new(owner=uuid.uuid4())
    assert "k1" in str(raised.value) and base64.b64encode(b"W" * 32).decode() not in str(
        raised.value
    )

    client = Client(raise_request_exception=False)
    response = client.post(
        "/en/report/what/", {"category": "money_demand", "narrative": "x", "next": "1"}
    )
    assert response.status_code == 500
    assert not ReportDraft.objects.exists()  # nothing was written under the wrong key


@pytest.mark.django_db
def test_rotate_keys__refuses_when_a_key_differs_from_its_check_value(settings, reference_data):
    settings.SANAD_KEYS = KEY_RIGHT
    sealer_new(owner=uuid.uuid4())
    settings.SANAD_KEYS = f"{KEY_NEXT},{KEY_WRONG}"

    with pytest.raises(CommandError, match=r"1 keys in SANAD_KEYS differ .*\(k1\)"):
        call_command("rotate_keys", stdout=io.StringIO())
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.KEYS_ROTATED).exists()


@pytest.mark.django_db
def test_rotate_keys__counts_a_wrong_key_under_the_right_id_as_failed_not_current(
    settings, reference_data
):
    # An installation from before key check values: only decrypting can tell.
    settings.SANAD_KEYS = KEY_RIGHT
    owner = uuid.uuid4()
    sealer, wrapped = crypto.Sealer.new(owner=owner)
    case = case_create(owner=owner, wrapped_key=wrapped, reference="SND-KEYS-0001")
    Case.objects.filter(pk=case.pk).update(identity_enc=sealer.seal_json("identity", {"n": 1}))
    KeyCheck.objects.all().delete()
    settings.SANAD_KEYS = KEY_WRONG

    out = io.StringIO()
    with pytest.raises(CommandError, match="1 data keys could not be re-wrapped"):
        call_command("rotate_keys", stdout=out)
    assert "casework.case: 0 re-wrapped, 0 already current, 1 failed" in out.getvalue()
    assert not KeyCheck.objects.exists()  # a key that failed is never recorded as right

    settings.SANAD_KEYS = KEY_RIGHT
    call_command("rotate_keys", stdout=io.StringIO())
    assert KeyCheck.objects.get(key_id="k1").check_value == (
        crypto.key_encryption_keys()[0].check_value
    )


@pytest.mark.django_db
def test_rotate_keys__decrypts_a_sample_of_every_current_row(settings, reference_data):
    settings.SANAD_KEYS = KEY_RIGHT
    owner = uuid.uuid4()
    _sealer, wrapped = crypto.Sealer.new(owner=owner)
    case = case_create(owner=owner, wrapped_key=wrapped, reference="SND-KEYS-0002")
    # Identity sealed under another case's key: the data key unwraps, the data does not open.
    stranger, _ = crypto.Sealer.new(owner=owner)
    Case.objects.filter(pk=case.pk).update(identity_enc=stranger.seal_json("identity", {"n": 1}))

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("rotate_keys", stdout=out)
    assert "casework.case: 0 re-wrapped, 0 already current, 1 failed" in out.getvalue()
