"""Evidence files: store, attach, open, preview, discard. The one door to evidence.

An ``EncryptedUpload`` (``casework.uploads``) arrives already encrypted for its
owner (the case uuid, chosen before filing, so a draft's files are encrypted
for the case they will belong to). ``evidence_store`` checks it once more,
saves the ciphertext through ``storages["evidence"]`` under a random name, and
records the SHA-256 of the original for chain of custody. Images get a
preview (``casework.previews``: bounded decoding, pixels only, small and
strongly blurred, encrypted like any other field); zip exports are inspected
and PDFs flagged (``casework.inspection``). All of it reads the temporary
ciphertext through a decrypting, seekable reader: memory stays flat in the
file's size and no plaintext touches disk.

Nothing here logs or raises a file name or content: logs carry ids, kinds
and sizes only.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import secrets
import uuid
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import storages
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from casework.audit import PendingEvent, audit_record_many
from casework.crypto import DecryptionError, Sealer
from casework.evidence_limits import evidence_quota_take
from casework.inspection import archive_inspect, pdf_inspect
from casework.models import AuditEvent, Case, Evidence
from casework.previews import PREVIEW_JPEG_QUALITY, PREVIEW_MAX_SIDE, evidence_preview_make
from casework.uploads import EncryptedUpload
from casework.victim import case_require_victim_input_accepted

__all__ = [
    "PREVIEW_JPEG_QUALITY",
    "PREVIEW_MAX_SIDE",
    "evidence_attach_to_case",
    "evidence_discard",
    "evidence_discard_for_owner",
    "evidence_open",
    "evidence_original_name",
    "evidence_preview",
    "evidence_preview_make",
    "evidence_store",
]

logger = logging.getLogger(__name__)

EVIDENCE_TOO_MANY = _("No more files can be added to this report.")

STORAGE_PREFIX = "ev/"


def _storage():
    return storages["evidence"]


def _filename_field(evidence_uuid: uuid.UUID) -> str:
    # Bound to the evidence row: a name or preview copied onto another file
    # of the same case does not decrypt.
    return f"evidence/{evidence_uuid}/filename"


def _preview_field(evidence_uuid: uuid.UUID) -> str:
    return f"evidence/{evidence_uuid}/preview"


def _lock_owner(owner_uuid: uuid.UUID) -> None:
    """Serialise evidence writes of one owner until the transaction ends.

    A draft has no row to lock, so counting files against the limit would race;
    PostgreSQL gets a transaction-scoped advisory lock on the owner, SQLite
    already runs every write transaction alone (``transaction_mode=IMMEDIATE``).
    """
    if connection.vendor == "postgresql":
        key = int.from_bytes(owner_uuid.bytes[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _refuse_if_full(owner_uuid: uuid.UUID) -> None:
    if Evidence.objects.filter(owner_uuid=owner_uuid).count() >= settings.SANAD_EVIDENCE_MAX_FILES:
        raise ValidationError(EVIDENCE_TOO_MANY, code="evidence_too_many")


def _plaintext_reader(*, sealer: Sealer, upload: EncryptedUpload) -> io.BufferedReader:
    """A seekable view of the upload's plaintext, decrypted chunk by chunk as read."""
    return io.BufferedReader(
        sealer.stream_reader(file_id=upload.file_id, source=upload.file), buffer_size=64 * 1024
    )


def _inspect(*, sealer: Sealer, upload: EncryptedUpload) -> tuple[bytes | None, str]:
    """The preview and risk of an upload; ValidationError for an archive refused."""
    preview, risk = None, Evidence.Risk.NONE
    reader = _plaintext_reader(sealer=sealer, upload=upload)
    if upload.kind == Evidence.Kind.IMAGE and upload.pillow_format is not None:
        preview = evidence_preview_make(reader, pillow_format=upload.pillow_format)
    elif upload.kind == Evidence.Kind.ARCHIVE:
        archive_inspect(reader)
    elif upload.kind == Evidence.Kind.PDF:
        risk = pdf_inspect(reader)
    upload.file.seek(0)
    return preview, risk


def evidence_store(
    *,
    sealer: Sealer,
    upload: EncryptedUpload,
    case: Case | None = None,
    source: str = Evidence.Source.VICTIM,
    actor=None,
    client: str | None = None,
) -> Evidence:
    """Store one encrypted upload as evidence of ``sealer.owner`` (a case or a draft).

    Refused (ValidationError, nothing stored) when the upload was refused
    while it streamed in, when the owner already has
    ``SANAD_EVIDENCE_MAX_FILES`` files (evidence_too_many), when a zip export
    could harm whoever opens it (``casework.inspection``), or when ``client``
    (the uploader's address, for quotas) has spent its storage quota or the
    site has (``casework.evidence_limits``). Images are checked again on their
    whole content when the preview is made; PDFs with active content are
    kept but flagged (``Evidence.risk``). With ``case`` the file is attached
    at once and EVIDENCE_ADDED is audited; a draft's files are audited when
    ``evidence_attach_to_case`` runs at filing.

    Consumes the upload: its temporary ciphertext is deleted whatever happens.
    Not one transaction on purpose: the object is written to storage (possibly
    S3) before a short transaction locks the owner, re-counts and inserts the
    row; if that fails the stored object is deleted again. Called inside a
    caller's transaction that later rolls back, the object would stay behind:
    call it outside long transactions.
    """
    try:
        if upload.rejection is not None:
            raise upload.rejection
        if upload.closed:
            raise ValueError("this upload was already stored or discarded")
        if upload.owner != sealer.owner:
            raise ValueError("the upload was encrypted for another owner")
        if case is not None and case.uuid != sealer.owner:
            raise ValueError("the sealer does not belong to this case")
        if source not in Evidence.Source.values:
            raise ValueError("unknown evidence source")
        _refuse_if_full(sealer.owner)  # early, before any work; again under the lock

        # Decrypts once with the owner's key: proves the ciphertext opens and
        # gives the SHA-256 of the original for chain of custody.
        sha256 = upload.digest_with(sealer)
        preview, risk = _inspect(sealer=sealer, upload=upload)

        storage = _storage()
        storage_name = storage.save(f"{STORAGE_PREFIX}{secrets.token_hex(16)}", File(upload.file))
        try:
            with transaction.atomic():
                _lock_owner(sealer.owner)
                if case is not None and source == Evidence.Source.VICTIM:
                    case_require_victim_input_accepted(case=Case.objects.get(pk=case.pk))
                _refuse_if_full(sealer.owner)
                if client is not None:
                    evidence_quota_take(client=client, size=upload.size)
                evidence = Evidence.objects.create(
                    uuid=upload.file_id,
                    owner_uuid=sealer.owner,
                    case=case,
                    storage_name=storage_name,
                    kind=upload.kind,
                    content_type=upload.content_type,
                    size=upload.size,
                    sha256=sha256,
                    filename_enc=sealer.seal_text(
                        _filename_field(upload.file_id), upload.original_name
                    ),
                    preview_enc=sealer.seal_bytes(_preview_field(upload.file_id), preview),
                    # Photos, videos, documents and zipped exports may show a
                    # body: treated as intimate (blurred, restricted) until an
                    # officer decides otherwise. A text export cannot.
                    is_intimate=upload.kind != Evidence.Kind.TEXT,
                    source=source,
                    risk=risk,
                )
                if case is not None:
                    _audit_added(evidence, case=case, actor=actor)
        except BaseException:
            storage.delete(storage_name)
            raise
    except ValidationError as error:
        logger.info("evidence refused: %s", error.code)
        raise
    finally:
        upload.close()
    logger.info("evidence %s stored: %s, %d bytes", evidence.pk, evidence.kind, evidence.size)
    return evidence


def _added_event(evidence: Evidence, *, case: Case, actor=None) -> PendingEvent:
    return PendingEvent(
        action=AuditEvent.Action.EVIDENCE_ADDED,
        actor=actor,
        actor_label="" if actor is not None else evidence.source,
        case=case,
        # Ids, kind and size only: never a name, a hash or a preview.
        details={
            "evidence": evidence.pk,
            "evidence_uuid": str(evidence.uuid),
            "kind": evidence.kind,
            "size": evidence.size,
            "source": evidence.source,
        },
    )


def _audit_added(evidence: Evidence, *, case: Case, actor=None) -> None:
    audit_record_many([_added_event(evidence, case=case, actor=actor)])


def evidence_attach_to_case(*, owner_uuid: uuid.UUID, case: Case) -> int:
    """Attach a draft's files to the case filed from it; audit one EVIDENCE_ADDED each.

    The files were encrypted for ``owner_uuid``, which must be the case's
    uuid (anything else could never be decrypted with the case's key).
    Returns the number of files attached. One UPDATE for all the files and
    one append of their events (in upload order), whatever their number.
    No savepoint: a failure here aborts the caller's whole transaction.
    """
    if case.uuid != owner_uuid:
        # Refused before the transaction: the caller's transaction stays usable.
        raise ValueError("draft evidence can only be attached to the case of the same uuid")
    return _attach_drafts(owner_uuid=owner_uuid, case=case)


@transaction.atomic(savepoint=False)
def _attach_drafts(*, owner_uuid: uuid.UUID, case: Case) -> int:
    _lock_owner(owner_uuid)
    # One UPDATE ... RETURNING (PostgreSQL; SQLite 3.35+): it locks the rows it
    # changes, as SELECT ... FOR UPDATE did, and says which they were.
    table = connection.ops.quote_name(Evidence._meta.db_table)
    owner = Evidence._meta.get_field("owner_uuid").get_db_prep_value(owner_uuid, connection)
    drafts = sorted(
        Evidence.objects.raw(
            f"UPDATE {table} SET case_id = %s WHERE owner_uuid = %s AND case_id IS NULL "  # noqa: S608 - table name from the model
            "RETURNING id, uuid, owner_uuid, case_id, kind, size, source, uploaded_at",
            [case.pk, owner],
        ),
        key=lambda evidence: (evidence.uploaded_at, evidence.pk),
    )
    if not drafts:
        return 0
    audit_record_many([_added_event(evidence, case=case) for evidence in drafts])
    return len(drafts)


def _check_sealer(evidence: Evidence, sealer: Sealer) -> None:
    if evidence.owner_uuid != sealer.owner:
        raise DecryptionError("the sealer does not belong to this evidence")


def evidence_open(*, evidence: Evidence, sealer: Sealer) -> Iterator[bytes]:
    """Stream the decrypted original, verified against its recorded SHA-256.

    Every chunk is authenticated as it is decrypted, and the last chunk is
    held back until the whole file's SHA-256 matches, so a consumer never gets
    a complete file that differs from what was uploaded (DecryptionError).

    This only decrypts: deciding who may open an original, and auditing
    EVIDENCE_OPENED, is the caller's service (the permission-checked download).
    """
    _check_sealer(evidence, sealer)

    def chunks() -> Iterator[bytes]:
        digest = hashlib.sha256()
        with _storage().open(evidence.storage_name, "rb") as source:
            held = None
            for chunk in sealer.stream_decrypt(file_id=evidence.uuid, source=source):
                digest.update(chunk)
                if held:
                    yield held
                held = chunk
        if not hmac.compare_digest(digest.hexdigest(), evidence.sha256):
            raise DecryptionError("evidence does not match its recorded SHA-256")
        if held:
            yield held

    return chunks()


def evidence_preview(*, evidence: Evidence, sealer: Sealer) -> bytes | None:
    """The blurred, metadata-free JPEG preview of an image, or None for other files."""
    _check_sealer(evidence, sealer)
    if not evidence.preview_enc:
        return None
    return sealer.open_bytes(_preview_field(evidence.uuid), evidence.preview_enc)


def evidence_original_name(*, evidence: Evidence, sealer: Sealer) -> str:
    """The (sanitised) name the victim's device gave the file; "" if none."""
    _check_sealer(evidence, sealer)
    return sealer.open_text(_filename_field(evidence.uuid), evidence.filename_enc)


@transaction.atomic
def evidence_discard_for_owner(*, owner_uuid: uuid.UUID) -> int:
    """Delete the stored files and rows of an abandoned draft; returns how many.

    Only files not attached to a case: a filed case's evidence is never
    discarded this way. Stored objects go first, so a failure leaves at worst
    a row pointing at nothing, never an unreferenced copy of the file.
    """
    _lock_owner(owner_uuid)
    drafts = list(
        Evidence.objects.select_for_update().filter(owner_uuid=owner_uuid, case__isnull=True)
    )
    storage = _storage()
    for evidence in drafts:
        storage.delete(evidence.storage_name)
    Evidence.objects.filter(pk__in=[evidence.pk for evidence in drafts]).delete()
    if drafts:
        logger.info("draft evidence discarded: %d files", len(drafts))
    return len(drafts)


@transaction.atomic
def evidence_discard(*, evidence: Evidence) -> None:
    """Remove one file the victim took back while drafting (never a filed case's)."""
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if evidence.case_id is not None:
        raise ValidationError("evidence of a filed case is never discarded", code="evidence_filed")
    _storage().delete(evidence.storage_name)
    evidence.delete()
