"""manage.py backup / restore: database and evidence together, into an empty
installation, proven by counts, evidence checksums and the audit chain head."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connection

from casework.crypto import Sealer
from casework.evidence import evidence_store
from casework.models import AuditChainHead, Case, Evidence
from casework.services import message_send_by_victim
from tests.casework import evidence_samples as samples

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
CANARY = "CANARY-backup-Z8K3"


@pytest.fixture
def installation(file_report, post_evidence):
    """Two filed cases, three evidence files, messages: every secret a canary."""
    for number, files in [(1, 1), (2, 2)]:
        case = file_report(narrative=f"{CANARY} narrative {number}", name=f"{CANARY} name").case
        message_send_by_victim(case=case, body=f"{CANARY} message")
        sealer = Sealer.of(case)
        for index in range(files):
            _request, _handler, (upload,) = post_evidence(
                [
                    (
                        "evidence",
                        f"{CANARY}.txt",
                        "text/plain",
                        samples.chat_export(size=5_000 + index, marker=CANARY),
                    )
                ],
                sealer=sealer,
            )
            evidence_store(sealer=sealer, upload=upload, case=case)


def _restore_in_subprocess(backup: Path, *, database_url: str, evidence_dir: Path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "SANAD_EVIDENCE_DIR": str(evidence_dir),
        "SANAD_EVIDENCE_STORAGE": "filesystem",
        "SANAD_STATIC_STORAGE": "plain",
    }

    def manage(*command):
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *command],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )

    return manage


def _backup(directory: Path) -> str:
    out = io.StringIO()
    call_command("backup", "--to", str(directory), stdout=out)
    return out.getvalue()


def _new_empty_database() -> tuple[str, str | None]:
    if connection.vendor == "postgresql":
        name = f"sanad_restore_{uuid.uuid4().hex[:12]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        settings = connection.settings_dict
        url = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"
        return url, name
    return f"sqlite:////tmp/sanad-restore-{uuid.uuid4().hex[:12]}.sqlite3", None


def _drop_database(name: str | None) -> None:
    if name:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restore__into_an_empty_installation_matches_counts_checksums_and_audit_head(
    installation, tmp_path
):
    backup = tmp_path / "backup"
    output = _backup(backup)
    head = AuditChainHead.objects.get(id=1)
    assert "Backed up 2 cases, 3 evidence rows, 3 evidence objects" in output
    assert f"audit chain head #{head.sequence}" in output

    # Only ciphertext: no canary anywhere in the backup's bytes.
    for path in backup.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path.name

    url, name = _new_empty_database()
    restored_evidence = tmp_path / "restored-evidence"
    try:
        manage = _restore_in_subprocess(backup, database_url=url, evidence_dir=restored_evidence)
        result = manage("restore", "--from", str(backup))
        assert result.returncode == 0, result.stderr[-2000:]
        assert "Restored 2 cases, 3 evidence rows, 3 evidence objects" in result.stdout
        assert "3 files decrypted and matched their SHA-256" in result.stdout
        assert f"audit chain intact to #{head.sequence}" in result.stdout

        verify = manage("verify_audit")
        assert verify.returncode == 0, verify.stdout + verify.stderr
        assert manage("verify_storage").returncode == 0
        exported = manage("export_audit_head")
        assert head.hash in exported.stdout

        for evidence in Evidence.objects.all():
            with storages["evidence"].open(evidence.storage_name, "rb") as original:
                expected = hashlib.sha256(original.read()).hexdigest()
            copy = restored_evidence / evidence.storage_name
            assert hashlib.sha256(copy.read_bytes()).hexdigest() == expected

        again = manage("restore", "--from", str(backup))
        assert again.returncode != 0 and "not empty" in again.stderr
    finally:
        _drop_database(name)


def test_backup__refuses_a_directory_that_is_not_empty(tmp_path, reference_data):
    (tmp_path / "old-file").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        _backup(tmp_path)


def test_restore__refuses_to_overwrite_an_installation_with_cases(installation, tmp_path):
    backup = tmp_path / "backup"
    _backup(backup)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", "--from", str(backup), stdout=io.StringIO())
    assert Case.objects.count() == 2
