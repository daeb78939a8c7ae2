"""Check evidence rows against stored objects, both directions.

Exits non-zero when a row has no object (a file lost) or an object has no row
(debris: ``purge_expired`` deletes such objects once they are old enough).
Prints counts and opaque object keys only: a key is random and names nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from casework.storage_checks import storage_verify


class Command(BaseCommand):
    help = "Check that every evidence row has its stored object and every object its row."

    def handle(self, *args, **options):
        report = storage_verify()
        self.stdout.write(
            f"{report.rows} evidence rows, {report.objects} stored objects; "
            f"{report.rows_without_object} rows without an object, "
            f"{report.objects_without_row} objects without a row."
        )
        for key in report.missing_keys:
            self.stdout.write(f"missing object: {key}")
        for key in report.orphan_keys:
            self.stdout.write(f"orphaned object: {key}")
        if not report.consistent:
            raise CommandError("Evidence storage and database disagree (see above).")
