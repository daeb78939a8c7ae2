"""Re-wrap every data key under the newest key-encryption key.

Any installed model that names its owner field in ``wrapped_key_owner_field``
(and keeps its wrapped key in ``wrapped_key``, or the field named by
``wrapped_key_field``) takes part, so a new encrypted model needs no change
here. A model may also name a sample ciphertext (``wrapped_key_sample``:
column and field name) that every run decrypts, current rows included, so a
run proves that each data key unwraps and opens its data, not just that key
ids look right. Only the small wrapped keys change: fields and evidence files stay as
they are, because they are encrypted with the data keys (evidence with keys
derived from them), which rotation does not change.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass

from django.apps import apps
from django.db import models, transaction

from casework import crypto
from casework.audit import audit_record
from casework.models import AuditEvent

REWRAPPED = "rewrapped"
CURRENT = "current"
FAILED = "failed"


@dataclass
class RotationCounts:
    rewrapped: int = 0
    current: int = 0
    failed: int = 0


def models_with_wrapped_keys() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if getattr(model, "wrapped_key_owner_field", None)]


def _prove_readable(model, row: dict, data_key: bytes, owner: uuid.UUID) -> None:
    """Decrypt the row's sample ciphertext (if any): DecryptionError if it fails."""
    sample = getattr(model, "wrapped_key_sample", None)
    if sample is None:
        return
    column, field = sample
    blob = row.get(column)
    if blob:
        crypto.field_decrypt(data_key, bytes(blob), owner=owner, field=field)


def _rewrap_row(model: type[models.Model], pk, newest: str) -> str:
    owner_field = model.wrapped_key_owner_field
    key_field = getattr(model, "wrapped_key_field", "wrapped_key")
    sample = getattr(model, "wrapped_key_sample", None)
    columns = [owner_field, key_field, *([sample[0]] if sample else [])]
    # One row, one short transaction: a long rotation never holds many locks,
    # and a concurrent rotation or save waits for this row only.
    with transaction.atomic():
        row = model._default_manager.select_for_update().filter(pk=pk).values(*columns).first()
        if row is None:
            return CURRENT  # deleted meanwhile: nothing left to rotate
        try:
            wrapped = bytes(row[key_field])
            owner = uuid.UUID(str(row[owner_field]))
            # Unwrap every key, current ones too (AES-GCM authenticates, so a
            # wrong key under the right id fails here), and open a sample.
            data_key = crypto.data_key_unwrap(wrapped, owner=owner)
            _prove_readable(model, row, data_key, owner)
            if crypto.wrapped_key_id(wrapped) == newest:
                return CURRENT
            rewrapped = crypto.data_key_wrap(data_key, owner=owner)
        except (crypto.DecryptionError, IndexError, UnicodeDecodeError, TypeError, ValueError):
            return FAILED
        # A key change only: no domain rule, no signal, no updated_at bump.
        model._default_manager.filter(pk=pk).update(**{key_field: rewrapped})
        return REWRAPPED


def data_keys_rotate(*, batch_size: int = 500) -> dict[str, RotationCounts]:
    """Re-wrap every wrapped data key under ``SANAD_KEYS``' first key; idempotent.

    Rows already under the newest key are left alone, so running it twice (or
    two at once) is safe. Rows whose key cannot be unwrapped (an older KEK
    removed too early) are counted as failed and left unchanged. One
    KEYS_ROTATED audit event records the counts, never any key material.
    """
    from casework.key_checks import KeyCheckMismatch, key_check_require, key_checks_mismatched

    # Never re-wrap under a key that is not the one first used under its id.
    newest_kek = crypto.key_encryption_keys()[0]
    if newest_kek.key_id in key_checks_mismatched():
        raise KeyCheckMismatch(newest_kek.key_id)
    newest = newest_kek.key_id
    results: dict[str, RotationCounts] = {}
    for model in models_with_wrapped_keys():
        counts = RotationCounts()
        last_pk = None
        while True:
            rows = model._default_manager.order_by("pk")
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows.values_list("pk", flat=True)[:batch_size])
            if not batch:
                break
            for pk in batch:
                outcome = _rewrap_row(model, pk, newest)
                setattr(counts, outcome, getattr(counts, outcome) + 1)
            last_pk = batch[-1]
        results[model._meta.label_lower] = counts
    if not any(counts.failed for counts in results.values()):
        # Every key unwrapped and every sample opened: record the newest key's
        # check value if it has none yet (an installation from before them).
        key_check_require(newest_kek)
    audit_record(
        action=AuditEvent.Action.KEYS_ROTATED,
        actor_label="system",
        details={
            "key_id": newest,
            "models": {label: asdict(counts) for label, counts in results.items()},
        },
    )
    return results
