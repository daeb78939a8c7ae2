"""Key check values: is the key behind each id the one first used under it?

A malformed ``SANAD_KEYS`` is refused at startup (``CaseworkConfig.ready``
parses it). A well-formed but wrong key under an existing id cannot be seen by
parsing: its bytes are simply different. So each key id's check value (an HMAC
of a constant under the key, ``crypto.key_check_value``) is stored in the
database the first time the id wraps a data key, and compared afterwards:

- ``sealer_new`` (what a new draft's key comes from) and ``rotate_keys``
  call ``key_check_require``, which refuses a mismatching key before it
  wraps anything;
- ``key_checks_mismatched`` is what ``/healthz`` and ``rotate_keys`` ask.

Nothing here logs or raises key material; key ids are not secret.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from casework import crypto
from casework.models import KeyCheck

# (key id, check value) pairs this process has seen match a stored row. Only
# matches are remembered, so a mismatch is re-checked (and refused) every time.
_matched: set[tuple[str, str]] = set()


class KeyCheckMismatch(RuntimeError):
    """The configured key under an id is not the key first used under that id."""

    def __init__(self, key_id: str):
        super().__init__(
            f"SANAD_KEYS: the key with id '{key_id}' is not the key first used under this id. "
            "Restore the original key (or give a new key a new id)."
        )
        self.key_id = key_id


def key_check_require(kek: crypto.KeyEncryptionKey) -> None:
    """Refuse ``kek`` unless its check value matches the stored one; store it on first use."""
    if (kek.key_id, kek.check_value) in _matched:
        return
    stored = KeyCheck.objects.filter(key_id=kek.key_id).values_list("check_value", flat=True)
    stored = stored.first()
    if stored is None:
        try:
            with transaction.atomic():
                KeyCheck.objects.create(key_id=kek.key_id, check_value=kek.check_value)
            return  # not remembered: the row may still roll back with the caller
        except IntegrityError:
            # Another process recorded this id first: compare with its row.
            stored = KeyCheck.objects.get(key_id=kek.key_id).check_value
    if stored != kek.check_value:
        raise KeyCheckMismatch(kek.key_id)
    _matched.add((kek.key_id, kek.check_value))


def sealer_new(*, owner) -> tuple[crypto.Sealer, bytes]:
    """A new data key for ``owner``, wrapped under the newest key once that key
    has proven to be the one first used under its id (KeyCheckMismatch)."""
    key_check_require(crypto.key_encryption_keys()[0])
    return crypto.Sealer.new(owner=owner)


def key_checks_mismatched() -> list[str]:
    """Ids of configured keys whose stored check value differs (one query, no writes).

    An id without a stored value has wrapped nothing yet, so nothing can be
    lost by it: that is not a mismatch.
    """
    keks = crypto.key_encryption_keys()
    stored = dict(
        KeyCheck.objects.filter(key_id__in=[kek.key_id for kek in keks]).values_list(
            "key_id", "check_value"
        )
    )
    return [
        kek.key_id for kek in keks if kek.key_id in stored and stored[kek.key_id] != kek.check_value
    ]


def key_checks_forget() -> None:
    """Forget remembered matches (tests that swap keys under one id)."""
    _matched.clear()
