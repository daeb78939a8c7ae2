"""Print the newest audit chain hash as JSON, to keep outside the database.

Store the output somewhere the database's administrators cannot write (printed,
another system, a signed message). ``verify_audit --head FILE`` later proves the
chain still contains that event unaltered.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from casework.audit import GENESIS_HASH
from casework.models import AuditChainHead, AuditEvent


class Command(BaseCommand):
    help = "Print the audit chain head (sequence, hash, time) as JSON."

    def handle(self, *args, **options):
        head = AuditChainHead.objects.filter(id=1).first()
        sequence = head.sequence if head else 0
        digest = head.hash if head else GENESIS_HASH
        occurred_at = None
        if sequence:
            event = AuditEvent.objects.filter(sequence=sequence).first()
            if event is None or event.hash != digest:
                raise CommandError(
                    "The chain head does not match the newest event: run verify_audit.",
                    returncode=1,
                )
            occurred_at = event.occurred_at.isoformat()
        self.stdout.write(
            json.dumps(
                {
                    "sequence": sequence,
                    "hash": digest,
                    "occurred_at": occurred_at,
                    "exported_at": timezone.now().isoformat(),
                },
                sort_keys=True,
            )
        )
