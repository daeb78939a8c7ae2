"""Check the audit log's hash chain; exit non-zero naming the first broken event.

Checks every event's hash and MAC, then the chain against the newest head in
the head log (``SANAD_AUDIT_HEAD_LOG``, appended by ``purge_expired``): a chain
rewound or rewritten since is caught there. See docs/audit.md.

With ``--head FILE`` (the JSON written by ``export_audit_head`` and kept outside
the database) it also checks that the chain still contains that event with that
hash: someone able to rewrite the whole table could recompute every hash, but
not the copy kept elsewhere.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from casework.audit import audit_verify_chain, audit_verify_exported_head
from casework.models import AuditChainHead, AuditEvent


class Command(BaseCommand):
    help = "Verify the audit log's hash chain (and optionally an exported head)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            metavar="FILE",
            help="JSON written earlier by export_audit_head, kept outside the database.",
        )

    def handle(self, *args, **options):
        broken = audit_verify_chain()
        if broken is not None:
            raise CommandError(
                f"Audit chain broken at event #{broken.sequence}: {broken.reason}.", returncode=1
            )
        broken = audit_verify_exported_head()
        if broken is not None:
            raise CommandError(
                f"Audit chain broken at event #{broken.sequence}: {broken.reason}.", returncode=1
            )
        if options["head"]:
            self._check_exported_head(options["head"])
        head = AuditChainHead.objects.filter(id=1).first()
        sequence = head.sequence if head else 0
        self.stdout.write(
            f"Audit chain intact: {sequence} events, head {head.hash if head else '-'}"
        )

    def _check_exported_head(self, filename: str) -> None:
        try:
            with open(filename, encoding="utf-8") as handle:
                exported = json.load(handle)
            sequence = int(exported["sequence"])
            expected_hash = str(exported["hash"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CommandError(f"Cannot read the exported head: {error}", returncode=2) from None
        if sequence == 0:
            return
        stored = AuditEvent.objects.filter(sequence=sequence).values_list("hash", flat=True).first()
        if stored is None:
            raise CommandError(
                f"Audit chain broken at event #{sequence}: the exported head is missing.",
                returncode=1,
            )
        if stored != expected_hash:
            raise CommandError(
                f"Audit chain broken at event #{sequence}: its hash differs from the exported head.",
                returncode=1,
            )
