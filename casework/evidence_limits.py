"""Limits on evidence storage: quotas per client, per network and site-wide,
free disk kept in reserve, and the sweep of temporary files left by dead workers.

Without them any new session got a fresh 10 x 25 MB and drafts live for hours:
four sessions stored 1 GB in 19 seconds. Every limit is a setting:

- ``SANAD_EVIDENCE_CLIENT_BYTES`` per client address, ``SANAD_EVIDENCE_NETWORK_BYTES``
  per network (IPv4 /24, IPv6 /64: one person can hold many addresses of
  one network), ``SANAD_EVIDENCE_SITE_BYTES`` for the whole site, each per
  ``SANAD_EVIDENCE_QUOTA_WINDOW`` seconds. Bytes are counted (in KiB) in the
  shared throttle table, under keyed hashes: no address is stored.
- ``SANAD_EVIDENCE_DISK_RESERVE_BYTES``: new uploads are refused while the
  evidence volume or the temporary one has less free space than the reserve
  plus one file, so the volume never fills (the database, logs and the cases
  already filed keep working).

Views call ``evidence_upload_limits`` BEFORE the request body is read (so a
refused request costs no hashing, encryption or disk), then hand the client
to ``evidence_store``, which takes the file's bytes from every quota in the
transaction that records it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import os
import shutil
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from casework.crypto import Sealer
from casework.models import ThrottleCounter
from casework.throttle import throttle_key
from casework.uploads import TEMP_PREFIX, TEMP_SUFFIX, EncryptingUploadHandler, evidence_temp_dir

logger = logging.getLogger(__name__)

EVIDENCE_QUOTA_CLIENT = ngettext_lazy(
    "Too many files have been sent from this connection recently. "
    "Please try again in %(minutes)d minute.",
    "Too many files have been sent from this connection recently. "
    "Please try again in %(minutes)d minutes.",
    "minutes",
)
EVIDENCE_QUOTA_SITE = ngettext_lazy(
    "Sanad is receiving a great many files right now. Please try again in %(minutes)d "
    "minute; you can send your report without files meanwhile.",
    "Sanad is receiving a great many files right now. Please try again in %(minutes)d "
    "minutes; you can send your report without files meanwhile.",
    "minutes",
)
EVIDENCE_DISK_LOW = _(
    "Files cannot be received at the moment. Please send your report without them "
    "and add them later from the follow-up page."
)

_KIB = 1024


@dataclass(frozen=True)
class _Quota:
    purpose: str
    value: str
    limit_bytes: int
    message: object


def client_network(address: str) -> str:
    """The network an address belongs to: IPv4 /24, IPv6 /64 (else the value itself)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    prefix = 24 if parsed.version == 4 else 64
    return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False))


def _quotas(client: str) -> list[_Quota]:
    # Always in this order, so concurrent takers lock rows in one order.
    return [
        _Quota(
            "evidence-client", client, settings.SANAD_EVIDENCE_CLIENT_BYTES, EVIDENCE_QUOTA_CLIENT
        ),
        _Quota(
            "evidence-network",
            client_network(client),
            settings.SANAD_EVIDENCE_NETWORK_BYTES,
            EVIDENCE_QUOTA_CLIENT,
        ),
        _Quota("evidence-site", "all", settings.SANAD_EVIDENCE_SITE_BYTES, EVIDENCE_QUOTA_SITE),
    ]


def _quota_error(quota: _Quota) -> ValidationError:
    code = "evidence_quota_site" if quota.purpose == "evidence-site" else "evidence_quota"
    minutes = max(1, -(-settings.SANAD_EVIDENCE_QUOTA_WINDOW // 60))
    return ValidationError(quota.message, code=code, params={"minutes": minutes})


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.SANAD_EVIDENCE_QUOTA_WINDOW)


def _used_kib(row: ThrottleCounter | None) -> int:
    if row is None or row.window_started_at <= _window_start():
        return 0
    return row.count


def _kib(size: int) -> int:
    return -(-size // _KIB)


def _free_bytes(path) -> int | None:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


def evidence_disk_check() -> None:
    """Refuse (evidence_disk_low) while a volume that receives evidence runs short."""
    needed = settings.SANAD_EVIDENCE_DISK_RESERVE_BYTES + settings.SANAD_EVIDENCE_MAX_BYTES
    paths = [evidence_temp_dir()]
    storage = storages["evidence"]
    if isinstance(storage, FileSystemStorage):  # object storage has no local volume
        os.makedirs(storage.location, exist_ok=True)
        paths.append(storage.location)
    for path in paths:
        free = _free_bytes(path)
        if free is not None and free < needed:
            logger.warning("evidence refused: disk space below the reserve")
            raise ValidationError(EVIDENCE_DISK_LOW, code="evidence_disk_low")


@dataclass(frozen=True)
class UploadLimits:
    """What one request may upload: ``budget_bytes`` under the tightest quota
    (passing it refuses with ``over_budget``), or ``refusal`` for every file."""

    budget_bytes: int
    over_budget: ValidationError | None
    refusal: ValidationError | None


def evidence_upload_limits(*, client: str) -> UploadLimits:
    """What a request from ``client`` may upload, decided before its body is read.

    Refuses every file when nothing is left under a quota or the disk is
    short. Reads only: bytes are taken when a file is stored
    (``evidence_quota_take``).
    """
    try:
        evidence_disk_check()
    except ValidationError as refusal:
        return UploadLimits(0, None, refusal)
    quotas = _quotas(client)
    rows = {
        row.key: row
        for row in ThrottleCounter.objects.filter(
            key__in=[throttle_key(q.purpose, q.value) for q in quotas]
        )
    }
    budget, tightest = None, None
    for quota in quotas:
        used = _used_kib(rows.get(throttle_key(quota.purpose, quota.value))) * _KIB
        left = quota.limit_bytes - used
        if left <= 0:
            logger.info("evidence refused: %s quota spent", quota.purpose)
            return UploadLimits(0, None, _quota_error(quota))
        if budget is None or left < budget:
            budget, tightest = left, quota
    return UploadLimits(budget, _quota_error(tightest), None)


def evidence_upload_handler(
    request, *, sealer: Sealer, client: str, file_field: str = "files"
) -> EncryptingUploadHandler:
    """The encrypting handler for a victim's upload, with this client's limits.

    Install it before anything reads the request body. When the disk is short
    or a quota is spent it refuses every file unread; otherwise it stops a
    file as soon as the request passes what the quotas leave.
    """
    limits = evidence_upload_limits(client=client)
    return EncryptingUploadHandler(
        request,
        sealer=sealer,
        max_bytes=settings.SANAD_EVIDENCE_MAX_BYTES,
        budget_bytes=limits.budget_bytes,
        budget_refusal=limits.over_budget,
        refusal=limits.refusal,
        file_field=file_field,
    )


def _locked_counter(key: str) -> ThrottleCounter:
    row, _created = ThrottleCounter.objects.select_for_update().get_or_create(key=key)
    return row


@transaction.atomic
def evidence_quota_take(*, client: str, size: int) -> None:
    """Take ``size`` bytes from the client's, its network's and the site's quotas.

    All or nothing, under row locks: refused (evidence_quota or
    evidence_quota_site) when any quota would be passed.
    """
    kib = _kib(size)
    window_start = _window_start()
    rows = []
    for quota in _quotas(client):
        row = _locked_counter(throttle_key(quota.purpose, quota.value))
        if row.window_started_at <= window_start:
            row.count = 0
            row.window_started_at = timezone.now()
        if (row.count + kib) * _KIB > quota.limit_bytes:
            logger.info("evidence refused: %s quota spent", quota.purpose)
            raise _quota_error(quota)
        rows.append(row)
    for row in rows:
        row.count += kib
        row.save(update_fields=["count", "window_started_at"])


def evidence_temp_sweep(*, now: float | None = None) -> int:
    """Delete temporary ciphertext older than ``SANAD_EVIDENCE_TEMP_MAX_AGE_SECONDS``.

    A worker killed mid-upload never closes its temporary file. Only files
    this handler names (``sanad-*.enc``) in its own directory are touched;
    they hold ciphertext only. Returns how many were deleted.
    """
    now = time.time() if now is None else now
    cutoff = now - settings.SANAD_EVIDENCE_TEMP_MAX_AGE_SECONDS
    deleted = 0
    with os.scandir(evidence_temp_dir()) as entries:
        for entry in entries:
            if not (entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(TEMP_SUFFIX)):
                continue
            try:
                if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
                    deleted += 1
            except FileNotFoundError:
                continue  # finished (and deleted) by its worker meanwhile
    if deleted:
        logger.info("stale evidence temporary files deleted: %d", deleted)
    return deleted
