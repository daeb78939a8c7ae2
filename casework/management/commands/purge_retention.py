"""Apply the retention policy (casework.retention). Run it daily (a systemd
timer or cron); safe to re-run and to run on any one app server."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from casework.retention import retention_purge


class Command(BaseCommand):
    help = (
        "Purge the protected content and evidence of cases closed or withdrawn longer ago "
        "than SANAD_RETENTION_DAYS, and withdrawn reports' evidence at once (court "
        "referrals hold both)."
    )

    def handle(self, *args, **options):
        counts = retention_purge()
        # Counts only: no reference or content.
        self.stdout.write(
            f"Retention ({settings.SANAD_RETENTION_DAYS} days): content of "
            f"{counts.closed_purged} closed and {counts.withdrawn_purged} withdrawn cases "
            f"purged; evidence of {counts.withdrawn_evidence_purged} withdrawn reports purged "
            f"({counts.files} files in all); {counts.held_by_court} cases held by a court "
            "referral."
        )
