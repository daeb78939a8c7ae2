"""Evidence rows and stored objects, checked against each other.

Every ``Evidence`` row must have its object in ``storages["evidence"]`` and
every object under ``evidence.STORAGE_PREFIX`` its row. ``evidence_store``
writes the object before the row (so a crash between the two leaves an
object nobody points at), hence:

- ``storage_verify`` reports both kinds of gap (counts and opaque object
  keys; a key is random and says nothing about a case);
- ``storage_orphans_purge`` deletes objects without a row once they are older
  than ``SANAD_STORAGE_ORPHAN_MIN_AGE_SECONDS`` (an upload in flight is an
  orphan for a moment; a day-old one is debris), called by ``purge_expired``;
- ``storage_reachable`` is the cheap probe ``/healthz`` uses.

Works with the filesystem and with S3-compatible storage (django-storages).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import storages
from django.utils import timezone

from casework.evidence import STORAGE_PREFIX
from casework.models import Evidence

logger = logging.getLogger(__name__)

# How many opaque keys a report lists (the counts are always complete).
REPORT_KEYS_LIMIT = 50


def _storage():
    return storages["evidence"]


def _is_s3(storage) -> bool:
    return hasattr(storage, "bucket_name") and hasattr(storage, "bucket")


def stored_objects() -> Iterator[tuple[str, dt.datetime]]:
    """Every evidence object as ``(storage name, last modified)``, streamed."""
    storage = _storage()
    if _is_s3(storage):
        prefix = storage._normalize_name(STORAGE_PREFIX)
        location = storage._normalize_name("")
        for summary in storage.bucket.objects.filter(Prefix=prefix):
            name = summary.key[len(location) :].lstrip("/") if location else summary.key
            yield name, summary.last_modified
        return
    root = os.path.join(storage.location, STORAGE_PREFIX)
    if not os.path.isdir(root):
        return
    for entry in os.scandir(root):
        if entry.is_file(follow_symlinks=False):
            modified = dt.datetime.fromtimestamp(entry.stat().st_mtime, tz=dt.UTC)
            yield STORAGE_PREFIX + entry.name, modified


@dataclass
class StorageReport:
    rows: int = 0
    objects: int = 0
    rows_without_object: int = 0
    objects_without_row: int = 0
    missing_keys: list[str] = field(default_factory=list)
    orphan_keys: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not (self.rows_without_object or self.objects_without_row)


def storage_verify() -> StorageReport:
    """Compare evidence rows with stored objects, both directions (reads only)."""
    report = StorageReport()
    row_names = set(Evidence.objects.values_list("storage_name", flat=True).iterator())
    report.rows = len(row_names)
    seen: set[str] = set()
    for name, _modified in stored_objects():
        report.objects += 1
        seen.add(name)
        if name not in row_names:
            report.objects_without_row += 1
            if len(report.orphan_keys) < REPORT_KEYS_LIMIT:
                report.orphan_keys.append(name)
    for name in sorted(row_names - seen):
        report.rows_without_object += 1
        if len(report.missing_keys) < REPORT_KEYS_LIMIT:
            report.missing_keys.append(name)
    return report


def storage_orphans_purge(*, now: dt.datetime | None = None) -> int:
    """Delete evidence objects that no row points at and that are older than the
    safe age; returns how many. Each candidate is checked against the database
    again just before it goes, so a file stored meanwhile is never touched."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.SANAD_STORAGE_ORPHAN_MIN_AGE_SECONDS)
    storage = _storage()
    candidates = [name for name, modified in stored_objects() if modified < cutoff]
    purged = 0
    for start in range(0, len(candidates), 500):
        batch = candidates[start : start + 500]
        referenced = set(
            Evidence.objects.filter(storage_name__in=batch).values_list("storage_name", flat=True)
        )
        for name in batch:
            if name not in referenced:
                storage.delete(name)
                purged += 1
    if purged:
        logger.info("orphaned evidence objects deleted: %d", purged)
    return purged


def storage_reachable() -> None:
    """Raise unless evidence storage answers (one cheap request, no listing)."""
    storage = _storage()
    if _is_s3(storage):
        storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
        return
    os.makedirs(storage.location, mode=0o700, exist_ok=True)
    if not os.access(storage.location, os.W_OK | os.X_OK):
        raise OSError("evidence storage is not writable")
