"""Delete what must not linger: unfinished reports (with their evidence, but
never a filed case's), receipts past their window, expired sessions, stale
throttle counters and the temporary ciphertext of uploads whose worker died,
then export the audit chain's head. Run it every 15 minutes (cron or
a systemd timer); it is safe to run at any time and on any app server."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.core.management.base import BaseCommand

from casework.audit import audit_head_export
from casework.evidence_limits import evidence_temp_sweep
from casework.storage_checks import storage_orphans_purge
from casework.throttle import throttle_purge_stale
from reporting.filing import drafts_purge_expired


class Command(BaseCommand):
    help = (
        "Delete expired report drafts and their evidence, expired sessions, stale throttle "
        "counters and stale temporary upload files."
    )

    def handle(self, *args, **options):
        purged = drafts_purge_expired()
        counters = throttle_purge_stale(older_than=dt.timedelta(days=1))
        call_command("clearsessions")
        self.stdout.write(
            f"Purged {purged.drafts} expired drafts ({purged.files} files), "
            f"{purged.receipts} receipts past their window "
            f"and {counters} stale throttle counters."
        )
        if purged.files_kept_for_cases:
            self.stdout.write(
                f"{purged.files_kept_for_cases} files of expired drafts belonged to filed "
                "cases and were attached to them."
            )
        temp_files = evidence_temp_sweep()
        self.stdout.write(f"Deleted {temp_files} stale temporary upload files.")
        self.stdout.write(f"Purged {storage_orphans_purge()} orphaned evidence objects.")
        audit_head_export()
