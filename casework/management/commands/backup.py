"""Back up the database and the evidence store, consistently (casework.backup).

    manage.py backup --to /srv/backups/sanad-2026-12-01

The directory then holds the database dump, the evidence objects (ciphertext,
as stored) and manifest.json (counts, the audit chain head, object checksums).
It holds no key: SANAD_KEYS and SANAD_FINGERPRINT_KEY are kept elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casework.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and evidence storage into an empty directory."

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, type=Path, dest="directory")

    def handle(self, *args, directory: Path, **options):
        try:
            summary = backup_create(directory=directory)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up {summary.cases} cases, {summary.evidence} evidence rows, "
            f"{summary.objects_copied} evidence objects ({summary.objects_gone} deleted since "
            f"the snapshot); audit chain head #{summary.audit_sequence}."
        )
