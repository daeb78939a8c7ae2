"""Settings refuse to start without secrets; check --deploy is clean."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "PATH": os.environ.get("PATH", ""),
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "SANAD_SECRET_KEY": "prod-like-" + "Zx8Qw3Er5Ty7Ui9Op1As2Df4Gh6Jk0Lm" * 2,
    "SANAD_KEYS": "k1:dGVzdC1rZXktb25lLWZvci1zYW5hZC10ZXN0cy0zMmI=",
    "SANAD_FINGERPRINT_KEY": "prod-like-fingerprint",
    "SANAD_AUDIT_KEY": "prod-like-audit-key",
    "ALLOWED_HOSTS": "sanad.example",
    "DATABASE_URL": "sqlite:////tmp/sanad-check-deploy.sqlite3",
}


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings__refuse_production_without_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SANAD_SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SANAD_SECRET_KEY is not set" in result.stderr


def test_settings__refuse_production_without_encryption_keys():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SANAD_KEYS"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SANAD_KEYS" in result.stderr


def test_settings__debug_is_off_by_default():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        env=PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_check_deploy__clean_with_production_env():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
