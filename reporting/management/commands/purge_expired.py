"""Delete what must not linger: unfinished reports (with their evidence),
expired sessions and stale throttle counters. Run it every 15 minutes (cron or
a systemd timer); it is safe to run at any time and on any app server."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.core.management.base import BaseCommand

from casework.storage_checks import storage_orphans_purge
from casework.throttle import throttle_purge_stale
from reporting.services import drafts_purge_expired


class Command(BaseCommand):
    help = "Delete expired report drafts and their evidence, expired sessions and stale throttle counters."

    def handle(self, *args, **options):
        drafts = drafts_purge_expired()
        counters = throttle_purge_stale(older_than=dt.timedelta(days=1))
        call_command("clearsessions")
        self.stdout.write(f"Purged {drafts} expired drafts and {counters} stale throttle counters.")
        self.stdout.write(f"Purged {storage_orphans_purge()} orphaned evidence objects.")
