"""Evidence uploads, encrypted as they arrive: no plaintext on disk, bounded memory.

Django spools an upload over 2.5 MB to a temporary file in clear before any
view runs (STACK-NOTES, gotcha 7). ``EncryptingUploadHandler`` replaces that:
each chunk Django's multipart parser hands over is inspected and
encrypted (``casework.crypto`` stream format) straight into a temporary file
that only ever holds ciphertext. The view gets an ``EncryptedUpload`` per file
and passes it to ``casework.evidence.evidence_store``.

Usage in a view (the handler must be installed before anything reads
``request.POST`` or ``request.FILES``, and ``CsrfViewMiddleware`` reads
``request.POST``; so the outer view is csrf-exempt and the inner one
csrf-protected, as Django's upload-handler documentation shows)::

    @csrf_exempt
    def evidence_add(request):
        sealer = ...  # crypto.Sealer for the case (or the draft's case uuid)
        if not csrf_secret_present(request):  # config.csrf: the check will fail
            request.upload_handlers = [DiscardingUploadHandler(request)]
        else:  # casework.evidence_limits: quotas and disk guard applied
            request.upload_handlers = [
                evidence_upload_handler(request, sealer=sealer, client=client_address(request))
            ]
        return _evidence_add(request, sealer)

    @csrf_protect
    def _evidence_add(request, sealer):
        for upload in request.FILES.getlist("files"):
            try:
                evidence_store(sealer=sealer, upload=upload, case=case_or_none,
                               client=client_address(request))
            except ValidationError as error:
                ...  # error.code is stable; show error.messages (translated)

Create nothing (no draft, no session key) before CSRF has passed.

It must be the only upload handler of that request. It also relies on WSGI:
under ASGI Django spools the raw request body to a temporary file before any
handler runs. Requests larger than ``max_files * max_bytes`` should be refused
by the reverse proxy; this handler stops processing a file as soon as it passes
``max_bytes`` but Django still reads (and drops) the rest of the body.

What is checked, on the plaintext, as it streams:
- size: empty files and files over ``max_bytes`` are refused; processing stops
  at the first byte over the limit (nothing more is inspected, encrypted or kept);
- type, by content only (``filetype`` on the first bytes, plus the ISO-BMFF
  brand for videos): JPEG, PNG, GIF, WebP, HEIC, MP4, 3GP, QuickTime, WebM,
  PDF, ZIP, and UTF-8 text without NUL bytes (WhatsApp ``.txt`` exports). The
  file name and the browser's declared type are never consulted;
- images: the header is parsed by Pillow from the buffered head; more than
  ``MAX_IMAGE_PIXELS`` pixels, or Pillow's own bomb warning or error, refuses;
- polyglots: signatures of a second format in the head and the tail of the
  stream, across chunk boundaries (``casework.signatures``);
- quota: with ``budget_bytes`` the request's files together may not pass it
  (evidence_quota); with ``refusal`` every file is refused unread (the view
  decided before the body was read that nothing may be stored).

A file part whose name is empty or ``"."`` is not dropped silently (Django's
parser would skip it): it is taken under a generic name; an empty part without
a name is what a browser sends for "no file chosen" and is skipped.

Nothing here logs or raises a file name or file content.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import os
import stat
import tempfile
import uuid
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.http.multipartparser import MultiPartParser
from django.utils.translation import gettext_lazy as _

from casework.crypto import DecryptionError, Sealer, StreamEncryptor
from casework.models import Evidence
from casework.signatures import (
    _FORBIDDEN_FAMILIES,
    SCAN_HEAD_BYTES,
    SCAN_TAIL_BYTES,
    SignatureScanner,
)
from casework.upload_types import (
    ALLOWED_TYPES,
    EVIDENCE_IMAGE_TOO_LARGE,
    EVIDENCE_IMAGE_UNREADABLE,
    MAX_IMAGE_PIXELS,
    MAX_NAME_CHARS,
    detect_content_type,
    image_open_checked,
    pillow_guard,
    sanitize_file_name,
)

__all__ = [
    "ALLOWED_TYPES",
    "EVIDENCE_IMAGE_TOO_LARGE",
    "EVIDENCE_IMAGE_UNREADABLE",
    "MAX_IMAGE_PIXELS",
    "MAX_NAME_CHARS",
    "detect_content_type",
    "DiscardingUploadHandler",
    "EncryptedUpload",
    "EncryptingUploadHandler",
    "HEAD_BYTES",
    "SCAN_HEAD_BYTES",
    "SCAN_TAIL_BYTES",
    "SignatureScanner",
    "evidence_temp_dir",
    "image_open_checked",
    "pillow_guard",
    "sanitize_file_name",
]

logger = logging.getLogger(__name__)

EVIDENCE_EMPTY = _("This file is empty.")
EVIDENCE_TOO_LARGE = _("This file is too large.")
EVIDENCE_TYPE_NOT_ALLOWED = _(
    "This kind of file cannot be added. Photos, short videos, PDF documents and "
    "chat exports (text or zip) can."
)
EVIDENCE_POLYGLOT = _(
    "This file contains another file or a script hidden inside it, so it cannot be added."
)
EVIDENCE_UNNAMED = _(
    "A file arrived without a name and could not be read. Please give it a name and add it again."
)
EVIDENCE_OVER_QUOTA = _("Too many files have been sent from this connection recently.")

# Plaintext kept in memory per file, for type and image-header inspection only.
HEAD_BYTES = 256 * 1024
# Stands for a part whose name Django's parser would drop ("", ".", "..");
# never stored: such a file keeps no original name.
_UNNAMED = "\x00unnamed"
# Temporary ciphertext files: named so the sweep in ``casework.evidence_limits``
# recognises them, in a directory of their own.
TEMP_PREFIX = "sanad-"
TEMP_SUFFIX = ".enc"


def evidence_temp_dir() -> str:
    """The directory of the handler's temporary ciphertext (mode 0700), created on demand.

    ``SANAD_EVIDENCE_TEMP_DIR`` when set, else ``sanad-evidence`` under
    ``FILE_UPLOAD_TEMP_DIR`` (or the system's): a directory of its own, so the
    sweep of files left by a killed worker touches nothing else.
    """
    directory = settings.SANAD_EVIDENCE_TEMP_DIR or os.path.join(
        settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir(), "sanad-evidence"
    )
    os.makedirs(directory, mode=0o700, exist_ok=True)
    # A shared /tmp: refuse a directory planted by someone else (or a symlink
    # to one) rather than write evidence ciphertext into it.
    status = os.lstat(directory)
    if stat.S_ISLNK(status.st_mode) or status.st_uid != os.getuid():
        raise ImproperlyConfigured("The evidence temporary directory is not this user's own.")
    if status.st_mode & 0o077:
        os.chmod(directory, 0o700)
    return directory


class _KeepUnnamedParser(MultiPartParser):
    """Django's parser, except that a file part named ``.``, ``..`` or nothing
    printable reaches the handler (as ``_UNNAMED``) instead of vanishing."""

    def sanitize_file_name(self, file_name):
        return super().sanitize_file_name(file_name) or _UNNAMED


# --- the uploaded file --------------------------------------------------------


class EncryptedUpload(UploadedFile):
    """One uploaded file, already encrypted: what the view hands to ``evidence_store``.

    ``file`` is a temporary file holding only ciphertext (None once refused);
    closing the upload deletes it. ``name`` is a neutral placeholder: the
    victim's file name is only in ``original_name``, which must never be logged.
    ``rejection`` is None or the ValidationError that refuses the file.

    The SHA-256 of the original is computed once, by decrypting the stored
    ciphertext (``digest_with``): one pass proves the ciphertext opens with the
    owner's key, has the size that arrived, and gives the hash recorded for
    chain of custody. Hashing while receiving as well cost a second pass, the
    largest part of the handler's time.
    """

    def __init__(
        self,
        *,
        file: IO[bytes] | None,
        field_name: str,
        file_id: uuid.UUID,
        owner: uuid.UUID,
        size: int,
        kind: str | None,
        content_type: str,
        original_name: str,
        rejection: ValidationError | None,
        pillow_format: str | None = None,
        image_size: tuple[int, int] | None = None,
        sealer: Sealer | None = None,
    ) -> None:
        extension = ALLOWED_TYPES[content_type].extension if content_type in ALLOWED_TYPES else ""
        super().__init__(
            file=file,
            name=f"evidence.{extension}" if extension else "evidence",
            content_type=content_type,
            size=size,
        )
        self.field_name = field_name
        self.file_id = file_id
        self.owner = owner
        self.kind = kind
        self.original_name = original_name
        self.rejection = rejection
        self.pillow_format = pillow_format
        self.image_size = image_size
        self._sealer = sealer
        self._sha256: str | None = None
        self._sha256_sealer: Sealer | None = None

    @property
    def sha256(self) -> str:
        """SHA-256 of the original ("" for a refused file), from its ciphertext."""
        if self.rejection is not None or self._sealer is None:
            return ""
        return self.digest_with(self._sealer)

    def digest_with(self, sealer: Sealer) -> str:
        """Decrypt the ciphertext with ``sealer`` and return the original's SHA-256.

        DecryptionError when it does not open with that key or does not give
        back exactly ``size`` bytes. Computed once; the file is rewound.
        """
        if self._sha256 is None or self._sha256_sealer is not sealer:
            digest = hashlib.sha256()
            size = 0
            self.file.seek(0)
            for chunk in sealer.stream_decrypt(file_id=self.file_id, source=self.file):
                digest.update(chunk)
                size += len(chunk)
            self.file.seek(0)
            if size != self.size:
                raise DecryptionError("encrypted upload does not have the size received")
            self._sha256 = digest.hexdigest()
            self._sha256_sealer = sealer
        return self._sha256

    def __repr__(self) -> str:
        state = "refused" if self.rejection is not None else self.kind
        return f"<EncryptedUpload {self.file_id} {state} {self.size} bytes>"

    @property
    def accepted(self) -> bool:
        return self.rejection is None

    @property
    def closed(self) -> bool:
        return self.file is None or self.file.closed

    def close(self) -> None:
        # NamedTemporaryFile deletes itself on close; Django closes request
        # files at the end of the response, so an unused upload leaves nothing.
        if self.file is not None:
            self.file.close()


# --- the handler --------------------------------------------------------------


class DiscardingUploadHandler(FileUploadHandler):
    """Take every file part and keep nothing: for a request that cannot pass
    its CSRF check, so not one byte of it is hashed, encrypted or written."""

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.file_name = None
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        return None

    def file_complete(self, file_size: int) -> None:
        return None


@dataclass
class _IncomingFile:
    """Per-file state while it streams in."""

    field_name: str
    file_id: uuid.UUID
    original_name: str
    encryptor: StreamEncryptor | None
    temp: IO[bytes] | None
    size: int = 0
    head: bytearray = field(default_factory=bytearray)
    scanner: SignatureScanner = field(default_factory=SignatureScanner)
    text_decoder: codecs.IncrementalDecoder | None = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")()
    )
    content_type: str = ""
    kind: str | None = None
    pillow_format: str | None = None
    image_size: tuple[int, int] | None = None
    rejection: ValidationError | None = None

    @property
    def text_possible(self) -> bool:
        return self.text_decoder is not None


class EncryptingUploadHandler(FileUploadHandler):
    """Inspect and encrypt each uploaded file as its chunks arrive (hashed once, later).

    Memory per file: the first ``HEAD_BYTES`` of plaintext, one chunk in
    flight, under one chunk waiting inside the encryptor, and the scanner's
    tail (``SCAN_TAIL_BYTES`` and a chunk), whatever the file's size
    (``peak_buffered_bytes`` records the most ever held). Disk: ciphertext
    only, in a NamedTemporaryFile (mode 0600) under ``temp_dir``
    (``evidence_temp_dir()`` by default).
    A refused file's ciphertext is deleted at once and the rest of its
    chunks are dropped unread by anything of ours.
    """

    def __init__(
        self,
        request=None,
        *,
        sealer: Sealer,
        max_bytes: int | None = None,
        temp_dir: str | None = None,
        budget_bytes: int | None = None,
        budget_refusal: ValidationError | None = None,
        refusal: ValidationError | None = None,
        file_field: str | None = None,
    ) -> None:
        """``budget_bytes``: what this request's files may add up to (quota),
        refused past it with ``budget_refusal``; ``refusal``: refuse every file
        with it, unread; ``file_field``: the form's file input, so a nameless
        file sent in it is refused aloud."""
        super().__init__(request)
        self.sealer = sealer
        self.max_bytes = settings.SANAD_EVIDENCE_MAX_BYTES if max_bytes is None else max_bytes
        self.temp_dir = temp_dir if temp_dir is not None else evidence_temp_dir()
        self.budget_bytes = budget_bytes
        self.budget_refusal = budget_refusal or ValidationError(
            EVIDENCE_OVER_QUOTA, code="evidence_quota"
        )
        self.refusal = refusal
        self.file_field = file_field
        self.peak_buffered_bytes = 0
        self._accepted_bytes = 0
        self._current: _IncomingFile | None = None
        self._parsing = False

    # Django's protocol ---------------------------------------------------------

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Parse with _KeepUnnamedParser; it calls this hook again, which then
        # lets it run.
        if self._parsing or not META.get("CONTENT_TYPE", "").startswith("multipart/"):
            return None
        self._parsing = True
        try:
            post, files = _KeepUnnamedParser(META, input_data, [self], encoding).parse()
        finally:
            self._parsing = False
        if self.file_field and any(post.getlist(self.file_field)):
            # A part with filename="" but content: Django read it as a text
            # field. Not a browser's "no file chosen" (that part is empty).
            files.appendlist(self.file_field, self._refused_unnamed())
        return post, files

    def new_file(self, field_name, file_name, *args, **kwargs) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self._discard_current()
        file_id = uuid.uuid4()
        if self.refusal is not None:
            self._current = _IncomingFile(
                field_name=field_name,
                file_id=file_id,
                original_name="",
                encryptor=None,
                temp=None,
                rejection=self.refusal,
            )
        else:
            self._current = _IncomingFile(
                field_name=field_name,
                file_id=file_id,
                original_name="" if file_name == _UNNAMED else sanitize_file_name(file_name),
                encryptor=self.sealer.stream_encryptor(file_id=file_id),
                temp=tempfile.NamedTemporaryFile(
                    prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=self.temp_dir
                ),
            )
        # The browser's file name and declared type are not kept on the handler.
        self.file_name = None
        self.content_type = None
        # No other handler may see this file's plaintext.
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        incoming = self._current
        if incoming is None or incoming.rejection is not None:
            return None  # refused: the rest of the file is dropped
        incoming.size += len(raw_data)
        if incoming.size > self.max_bytes:
            _refuse_incoming(incoming, EVIDENCE_TOO_LARGE, "evidence_too_large")
            return None
        if (
            self.budget_bytes is not None
            and self._accepted_bytes + incoming.size > self.budget_bytes
        ):
            _refuse_incoming(incoming, self.budget_refusal, self.budget_refusal.code)
            return None
        if len(incoming.head) < HEAD_BYTES:
            incoming.head += raw_data[: HEAD_BYTES - len(incoming.head)]
        self._inspect(incoming, raw_data)
        if incoming.kind is None and len(incoming.head) >= HEAD_BYTES:
            self._classify(incoming, complete=False)
        if incoming.kind is not None:
            self._check_signatures(incoming)
        if incoming.rejection is None:
            incoming.temp.write(incoming.encryptor.update(raw_data))
            self._note_buffered(incoming, in_flight=len(raw_data))
        return None

    def file_complete(self, file_size: int) -> EncryptedUpload | None:
        incoming, self._current = self._current, None
        if incoming is None:
            return None
        if incoming.rejection is None:
            if incoming.size == 0:
                _refuse_incoming(incoming, EVIDENCE_EMPTY, "evidence_empty")
            else:
                incoming.scanner.finish()
                if incoming.text_decoder is not None:
                    self._inspect_text(incoming, b"", final=True)
                if incoming.kind is None:
                    self._classify(incoming, complete=True)
                if incoming.kind is not None:
                    self._check_signatures(incoming)
        if incoming.rejection is None:
            incoming.temp.write(incoming.encryptor.finalize())
            incoming.temp.flush()
            incoming.temp.seek(0)
            self._accepted_bytes += incoming.size
        upload = EncryptedUpload(
            file=incoming.temp,
            field_name=incoming.field_name,
            file_id=incoming.file_id,
            owner=self.sealer.owner,
            size=incoming.size,
            sealer=self.sealer,
            kind=incoming.kind if incoming.rejection is None else None,
            content_type=incoming.content_type if incoming.rejection is None else "",
            original_name=incoming.original_name,
            rejection=incoming.rejection,
            pillow_format=incoming.pillow_format,
            image_size=incoming.image_size,
        )
        # Plaintext head and encryptor state go now, not when the request ends.
        incoming.head = bytearray()
        incoming.encryptor = None
        return upload

    def upload_interrupted(self) -> None:
        self._discard_current()

    def _refused_unnamed(self) -> EncryptedUpload:
        return EncryptedUpload(
            file=None,
            field_name=self.file_field,
            file_id=uuid.uuid4(),
            owner=self.sealer.owner,
            size=0,
            kind=None,
            content_type="",
            original_name="",
            rejection=ValidationError(EVIDENCE_UNNAMED, code="evidence_unnamed"),
        )

    # Inspection ----------------------------------------------------------------

    def _inspect(self, incoming: _IncomingFile, chunk: bytes) -> None:
        incoming.scanner.feed(chunk)
        if incoming.text_decoder is not None and incoming.kind in (None, Evidence.Kind.TEXT):
            self._inspect_text(incoming, chunk, final=False)

    @staticmethod
    def _inspect_text(incoming: _IncomingFile, chunk: bytes, *, final: bool) -> None:
        # A chat export has no magic: it is accepted as text only if it is
        # UTF-8 without NUL bytes, checked over the whole stream (not just the
        # head) so a text head cannot smuggle a binary tail.
        try:
            if b"\x00" in chunk:
                raise ValueError
            incoming.text_decoder.decode(chunk, final=final)
        except ValueError:  # UnicodeDecodeError is a ValueError
            incoming.text_decoder = None
            if incoming.kind == Evidence.Kind.TEXT:
                _refuse_incoming(incoming, EVIDENCE_TYPE_NOT_ALLOWED, "evidence_type_not_allowed")

    def _classify(self, incoming: _IncomingFile, *, complete: bool) -> None:
        head = bytes(incoming.head)
        mime = detect_content_type(head)
        if mime is None and incoming.text_possible:
            mime = "text/plain"
        allowed = ALLOWED_TYPES.get(mime or "")
        if allowed is None:
            _refuse_incoming(incoming, EVIDENCE_TYPE_NOT_ALLOWED, "evidence_type_not_allowed")
            return
        incoming.content_type = mime
        incoming.kind = allowed.kind
        incoming.pillow_format = allowed.pillow_format
        if allowed.pillow_format is None:
            return
        try:
            with image_open_checked(io.BytesIO(head), allowed.pillow_format) as image:
                incoming.image_size = image.size
        except ValidationError as error:
            # A header cut off by the end of the buffered head (huge metadata
            # before the frame header) is checked again, on the whole image,
            # when the preview is made; anything else refuses now.
            if error.code == "evidence_image_unreadable" and not complete:
                return
            _refuse_incoming(incoming, error.message, error.code)

    def _check_signatures(self, incoming: _IncomingFile) -> None:
        if incoming.rejection is None and incoming.scanner.found & _FORBIDDEN_FAMILIES.get(
            incoming.kind, set()
        ):
            _refuse_incoming(incoming, EVIDENCE_POLYGLOT, "evidence_polyglot")

    # Bookkeeping ---------------------------------------------------------------

    def _note_buffered(self, incoming: _IncomingFile, *, in_flight: int) -> None:
        held = len(incoming.head) + incoming.scanner.buffered + in_flight
        if incoming.encryptor is not None:
            held += incoming.encryptor.buffered
        self.peak_buffered_bytes = max(self.peak_buffered_bytes, held)

    def _discard_current(self) -> None:
        incoming, self._current = self._current, None
        if incoming is not None:
            _drop_plaintext_and_ciphertext(incoming)


def _refuse_incoming(incoming: _IncomingFile, message, code: str) -> None:
    if incoming.rejection is not None:
        return
    incoming.rejection = (
        message if isinstance(message, ValidationError) else ValidationError(message, code=code)
    )
    _drop_plaintext_and_ciphertext(incoming)
    logger.info("evidence upload refused: %s", code)


def _drop_plaintext_and_ciphertext(incoming: _IncomingFile) -> None:
    if incoming.temp is not None:
        incoming.temp.close()  # NamedTemporaryFile: deleted on close
        incoming.temp = None
    incoming.head = bytearray()
    incoming.encryptor = None
    incoming.text_decoder = None
