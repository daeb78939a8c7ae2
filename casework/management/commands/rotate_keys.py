"""Re-wrap every data key under the newest key-encryption key.

Rotation without downtime: put the new key first in SANAD_KEYS and keep the
old one after it ("new:...,old:..."), deploy, run this command, and remove
the old key once it reports nothing left to re-wrap and nothing failed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from casework.key_checks import key_checks_mismatched
from casework.key_rotation import data_keys_rotate


class Command(BaseCommand):
    help = "Re-wrap every wrapped data key under the first key of SANAD_KEYS (safe to re-run)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        mismatched = key_checks_mismatched()
        if mismatched:
            # Ids only: which configured keys differ from the ones first used.
            raise CommandError(
                f"{len(mismatched)} keys in SANAD_KEYS differ from the keys first used under "
                f"their ids ({', '.join(mismatched)}): nothing was rotated."
            )
        results = data_keys_rotate(batch_size=batch_size)
        failed = 0
        for label, counts in results.items():
            # Counts only: no reference, owner or key material.
            self.stdout.write(
                f"{label}: {counts.rewrapped} re-wrapped, {counts.current} already current, "
                f"{counts.failed} failed"
            )
            failed += counts.failed
        if failed:
            raise CommandError(
                f"{failed} data keys could not be re-wrapped: keep the older keys in "
                "SANAD_KEYS and check them before retiring any."
            )
