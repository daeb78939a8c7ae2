"""Backup and restore of one installation: the database and the evidence store,
consistent with each other.

``backup_create`` reads the list of evidence objects in the same database
snapshot it dumps (PostgreSQL: ``pg_dump --snapshot`` of a REPEATABLE READ
transaction; SQLite: the online backup API), then copies exactly those
objects. Evidence objects are never changed once written (random names,
``file_overwrite`` off), so the copy matches the dump even while the portal
keeps running; an object deleted in between (a draft discarded) is recorded
as gone, and is gone from the live database too.

What a backup holds is ciphertext for every piece of victim data (fields and
files are encrypted with per-case data keys, stored only wrapped by
``SANAD_KEYS``). It never holds ``SANAD_KEYS``, ``SANAD_FINGERPRINT_KEY`` or
``SANAD_SECRET_KEY``: those are kept apart (docs/deploy.md), and a backup
without them cannot be read by anyone, including whoever restores it.

``backup_restore`` loads a backup into an EMPTY installation and proves it:
same counts, an intact audit chain with the same head, and every evidence
file decrypted and checked against the SHA-256 recorded at upload.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.core.files.storage import storages
from django.db import connection, transaction
from django.utils import timezone

from casework.audit import audit_verify_chain
from casework.crypto import Sealer
from casework.evidence import evidence_open
from casework.key_rotation import models_with_wrapped_keys
from casework.models import AuditChainHead, Case, Evidence

MANIFEST = "manifest.json"
POSTGRES_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"
EVIDENCE_DIR = "evidence"
COPY_CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or the target installation is not what it must be."""


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    settings_dict = connection.settings_dict
    args = ["--dbname", settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        args += ["--host", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", settings_dict["USER"]]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def _pg_tool(name: str) -> str:
    """The PostgreSQL client program (postgresql-client, same major version as the server)."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client)")
    return path


def _snapshot_facts() -> dict:
    head = AuditChainHead.objects.filter(id=1).values("sequence", "hash").first()
    return {
        "cases": Case.objects.count(),
        "evidence": Evidence.objects.count(),
        "audit_head": head or {"sequence": 0, "hash": ""},
        "objects": list(Evidence.objects.order_by("pk").values_list("storage_name", flat=True)),
    }


def _dump_postgresql(target: Path) -> dict:
    args, env = _pg_environment()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        facts = _snapshot_facts()
        # Same snapshot: the dump holds exactly the rows the facts were read from.
        subprocess.run(  # noqa: S603 - resolved program, arguments from settings
            [
                _pg_tool("pg_dump"),
                *args,
                "--format=custom",
                "--compress=0",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                "--file",
                str(target / POSTGRES_DUMP),
            ],
            env=env,
            check=True,
            capture_output=True,
        )
    return facts


def _dump_sqlite(target: Path) -> dict:
    connection.ensure_connection()
    copy = sqlite3.connect(target / SQLITE_COPY)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()
    # Facts from the copy itself, so they match it exactly.
    copy = sqlite3.connect(target / SQLITE_COPY)
    try:
        head = copy.execute("SELECT sequence, hash FROM casework_auditchainhead WHERE id = 1")
        head = head.fetchone()
        return {
            "cases": copy.execute("SELECT count(*) FROM casework_case").fetchone()[0],
            "evidence": copy.execute("SELECT count(*) FROM casework_evidence").fetchone()[0],
            "audit_head": {"sequence": head[0], "hash": head[1]}
            if head
            else {"sequence": 0, "hash": ""},
            "objects": [
                row[0]
                for row in copy.execute("SELECT storage_name FROM casework_evidence ORDER BY id")
            ],
        }
    finally:
        copy.close()


def _copy_object(name: str, destination: Path) -> str | None:
    """Copy one stored object (ciphertext) to ``destination``; its SHA-256, or
    None when it was deleted since the snapshot."""
    storage = storages["evidence"]
    if not storage.exists(name):
        return None
    digest = hashlib.sha256()
    destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with storage.open(name, "rb") as source, open(destination, "wb") as target:
        os.fchmod(target.fileno(), 0o600)
        while block := source.read(COPY_CHUNK):
            digest.update(block)
            target.write(block)
    return digest.hexdigest()


@dataclass
class BackupSummary:
    cases: int
    evidence: int
    objects_copied: int
    objects_gone: int
    audit_sequence: int


def backup_create(*, directory: Path) -> BackupSummary:
    """Write a consistent backup of the database and evidence into ``directory``
    (which must be empty or absent)."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError("the backup directory is not empty")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if connection.vendor == "postgresql":
        facts = _dump_postgresql(directory)
    elif connection.vendor == "sqlite":
        facts = _dump_sqlite(directory)
    else:
        raise BackupError(f"no backup method for {connection.vendor}")
    objects = {}
    for name in facts.pop("objects"):
        objects[name] = _copy_object(name, directory / EVIDENCE_DIR / name)
    manifest = {
        "format": 1,
        "created_at": timezone.now().isoformat(),
        "database": connection.vendor,
        **facts,
        "objects": objects,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    gone = sum(1 for digest in objects.values() if digest is None)
    return BackupSummary(
        cases=facts["cases"],
        evidence=facts["evidence"],
        objects_copied=len(objects) - gone,
        objects_gone=gone,
        audit_sequence=facts["audit_head"]["sequence"],
    )


# --- restore -------------------------------------------------------------------


def _installation_is_empty() -> bool:
    tables = connection.introspection.table_names()
    if Case._meta.db_table not in tables:
        return True
    return not Case.objects.exists() and not Evidence.objects.exists()


def _restore_postgresql(directory: Path) -> None:
    args, env = _pg_environment()
    connection.close()
    result = subprocess.run(  # noqa: S603 - resolved program, arguments from settings
        [
            _pg_tool("pg_restore"),
            *args,
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--single-transaction",
            str(directory / POSTGRES_DUMP),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError("pg_restore failed: " + result.stderr.strip().splitlines()[-1])


def _restore_sqlite(directory: Path) -> None:
    target = Path(connection.settings_dict["NAME"])
    connection.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(directory / SQLITE_COPY, target)
    os.chmod(target, 0o600)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while block := source.read(COPY_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _sealer_for(owner: uuid.UUID) -> Sealer | None:
    """The sealer of whatever holds this owner's data key (a case or a draft)."""
    for model in models_with_wrapped_keys():
        key_field = getattr(model, "wrapped_key_field", "wrapped_key")
        row = (
            model._default_manager.filter(**{model.wrapped_key_owner_field: owner})
            .values_list(key_field, flat=True)
            .first()
        )
        if row is not None:
            return Sealer(owner=owner, wrapped_key=bytes(row))
    return None


@dataclass
class RestoreSummary:
    cases: int
    evidence: int
    objects_restored: int
    files_verified: int
    audit_sequence: int


def backup_restore(*, directory: Path) -> RestoreSummary:
    """Load a backup into this (empty) installation and prove it complete."""
    directory = Path(directory)
    manifest = json.loads((directory / MANIFEST).read_text())
    if manifest["database"] != connection.vendor:
        raise BackupError(f"this backup is of {manifest['database']}, not {connection.vendor}")
    if not _installation_is_empty():
        raise BackupError("the target installation is not empty: refusing to overwrite it")
    # Check every file before touching anything.
    for name, digest in manifest["objects"].items():
        if digest is not None and _file_sha256(directory / EVIDENCE_DIR / name) != digest:
            raise BackupError(f"backup file {name} does not match its checksum")

    if connection.vendor == "postgresql":
        _restore_postgresql(directory)
    else:
        _restore_sqlite(directory)

    storage = storages["evidence"]
    restored = 0
    for name, digest in manifest["objects"].items():
        if digest is None:
            continue
        with open(directory / EVIDENCE_DIR / name, "rb") as source:
            saved = storage.save(name, File(source))
        if saved != name:
            storage.delete(saved)
            raise BackupError("the target evidence storage is not empty: an object exists")
        restored += 1

    cases, evidence = Case.objects.count(), Evidence.objects.count()
    if (cases, evidence) != (manifest["cases"], manifest["evidence"]):
        raise BackupError("restored counts differ from the backup's")
    broken = audit_verify_chain()
    head = AuditChainHead.objects.filter(id=1).values("sequence", "hash").first() or {
        "sequence": 0,
        "hash": "",
    }
    if broken is not None or head != manifest["audit_head"]:
        raise BackupError("the restored audit chain is not the one backed up")
    verified = 0
    for item in Evidence.objects.filter(storage_name__in=list(manifest["objects"])).iterator():
        if manifest["objects"][item.storage_name] is None:
            continue
        sealer = _sealer_for(item.owner_uuid)
        if sealer is None:
            raise BackupError(f"evidence {item.pk} has no owner to decrypt it with")
        # evidence_open checks the plaintext against the SHA-256 recorded at upload.
        for _chunk in evidence_open(evidence=item, sealer=sealer):
            pass
        verified += 1
    return RestoreSummary(
        cases=cases,
        evidence=evidence,
        objects_restored=restored,
        files_verified=verified,
        audit_sequence=head["sequence"],
    )
