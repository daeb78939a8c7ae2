"""Restore a backup made by ``manage.py backup`` into an EMPTY installation
(a new database, created and reachable through DATABASE_URL, and empty
evidence storage), with the same SANAD_KEYS, and prove it complete.

    manage.py restore --from /srv/backups/sanad-2026-12-01

Refuses a target that already holds cases or evidence. Exits non-zero unless
the counts, the audit chain head and every evidence file's SHA-256 match.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casework.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup into an empty installation and verify it."

    def add_arguments(self, parser):
        parser.add_argument("--from", required=True, type=Path, dest="directory")

    def handle(self, *args, directory: Path, **options):
        try:
            summary = backup_restore(directory=directory)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {summary.cases} cases, {summary.evidence} evidence rows, "
            f"{summary.objects_restored} evidence objects; {summary.files_verified} files "
            f"decrypted and matched their SHA-256; audit chain intact to "
            f"#{summary.audit_sequence}."
        )
