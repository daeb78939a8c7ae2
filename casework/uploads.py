"""Evidence uploads, encrypted as they arrive: no plaintext on disk, bounded memory.

Django spools an upload over 2.5 MB to a temporary file in clear before any
view runs (STACK-NOTES, gotcha 7). ``EncryptingUploadHandler`` replaces that:
each chunk Django's multipart parser hands over is hashed, inspected and
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
        request.upload_handlers = [EncryptingUploadHandler(request, sealer=sealer)]
        return _evidence_add(request, sealer)

    @csrf_protect
    def _evidence_add(request, sealer):
        for upload in request.FILES.getlist("evidence"):
            try:
                evidence_store(sealer=sealer, upload=upload, case=case_or_none)
            except ValidationError as error:
                ...  # error.code is stable; show error.messages (translated)

It must be the only upload handler of that request. It also relies on WSGI:
under ASGI Django spools the raw request body to a temporary file before any
handler runs. Requests larger than ``max_files * max_bytes`` should be refused
by the reverse proxy; this handler stops processing a file as soon as it passes
``max_bytes`` but Django still reads (and drops) the rest of the body.

What is checked, on the plaintext, as it streams:
- size: empty files and files over ``max_bytes`` are refused; processing stops
  at the first byte over the limit (nothing more is hashed, encrypted or kept);
- type, by content only (``filetype`` on the first bytes, plus the ISO-BMFF
  brand for videos): JPEG, PNG, GIF, WebP, HEIC, MP4, 3GP, QuickTime, WebM,
  PDF, ZIP, and UTF-8 text without NUL bytes (WhatsApp ``.txt`` exports). The
  file name and the browser's declared type are never consulted;
- images: the header is parsed by Pillow from the buffered head; more than
  ``MAX_IMAGE_PIXELS`` pixels, or Pillow's own bomb warning or error, refuses;
- polyglots: signatures of a second format anywhere in the stream (see
  ``_SIGNATURES``), across chunk boundaries.

Nothing here logs or raises a file name or file content.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
import logging
import re
import tempfile
import unicodedata
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from casework.crypto import Sealer, StreamEncryptor
from casework.models import Evidence

logger = logging.getLogger(__name__)

EVIDENCE_EMPTY = _("This file is empty.")
EVIDENCE_TOO_LARGE = _("This file is too large.")
EVIDENCE_TYPE_NOT_ALLOWED = _(
    "This kind of file cannot be added. Photos, short videos, PDF documents and "
    "chat exports (text or zip) can."
)
EVIDENCE_IMAGE_TOO_LARGE = _("This image has too many pixels to be opened safely.")
EVIDENCE_IMAGE_UNREADABLE = _("This image is damaged and cannot be opened.")
EVIDENCE_POLYGLOT = _(
    "This file contains another file or a script hidden inside it, so it cannot be added."
)

# Plaintext kept in memory per file, for type and image-header inspection only.
HEAD_BYTES = 256 * 1024
# Largest image accepted, in pixels (width x height). Phones take 12-50 MP photos.
MAX_IMAGE_PIXELS = 50_000_000
# Original names are kept (encrypted) for the officer, shortened to this.
MAX_NAME_CHARS = 120
# Bytes of the previous chunk kept to find a signature split across two chunks:
# at least the longest signature below (38 bytes).
_SCAN_CARRY = 64


@dataclass(frozen=True)
class AllowedType:
    kind: str
    extension: str
    # Pillow's format name, for the image checks; None where Pillow has no decoder.
    pillow_format: str | None = None


ALLOWED_TYPES: dict[str, AllowedType] = {
    "image/jpeg": AllowedType(Evidence.Kind.IMAGE, "jpg", "JPEG"),
    "image/png": AllowedType(Evidence.Kind.IMAGE, "png", "PNG"),
    "image/apng": AllowedType(Evidence.Kind.IMAGE, "png", "PNG"),
    "image/gif": AllowedType(Evidence.Kind.IMAGE, "gif", "GIF"),
    "image/webp": AllowedType(Evidence.Kind.IMAGE, "webp", "WEBP"),
    # No HEIC decoder is installed: accepted, but no dimension check and no
    # preview (and so no decompression risk on this server).
    "image/heic": AllowedType(Evidence.Kind.IMAGE, "heic", None),
    "video/mp4": AllowedType(Evidence.Kind.VIDEO, "mp4"),
    "video/3gpp": AllowedType(Evidence.Kind.VIDEO, "3gp"),
    "video/quicktime": AllowedType(Evidence.Kind.VIDEO, "mov"),
    "video/webm": AllowedType(Evidence.Kind.VIDEO, "webm"),
    "application/pdf": AllowedType(Evidence.Kind.PDF, "pdf"),
    "application/zip": AllowedType(Evidence.Kind.ARCHIVE, "zip"),
    "text/plain": AllowedType(Evidence.Kind.TEXT, "txt"),
}

# ISO-BMFF major brands (bytes 8-12, after "ftyp"). filetype only knows mp41,
# mp42 and isom as MP4 and misses real 3GP files, which phones still send.
_FTYP_BRANDS = {
    b"qt  ": "video/quicktime",
    b"3gp4": "video/3gpp",
    b"3gp5": "video/3gpp",
    b"3gp6": "video/3gpp",
    b"3gp7": "video/3gpp",
    b"3ge6": "video/3gpp",
    b"3ge7": "video/3gpp",
    b"3gg6": "video/3gpp",
    b"3g2a": "video/3gpp",
    b"isom": "video/mp4",
    b"iso2": "video/mp4",
    b"iso4": "video/mp4",
    b"iso5": "video/mp4",
    b"iso6": "video/mp4",
    b"mp41": "video/mp4",
    b"mp42": "video/mp4",
    b"avc1": "video/mp4",
    b"M4V ": "video/mp4",
    b"MSNV": "video/mp4",
    b"dash": "video/mp4",
    b"mmp4": "video/mp4",
}


def detect_content_type(head: bytes) -> str | None:
    """The MIME type the bytes themselves announce, or None (no known magic)."""
    if head[4:8] == b"ftyp" and head[8:12] in _FTYP_BRANDS:
        return _FTYP_BRANDS[head[8:12]]
    guess = filetype.guess(head[:8192])
    return guess.mime if guess is not None else None


# --- polyglot signatures ------------------------------------------------------
#
# A second format inside an evidence file is what makes a polyglot dangerous:
# a ZIP, RAR or 7z appended to a photo opens as an archive, HTML or script in
# it runs when anything renders it as a page, an embedded PDF header makes PDF
# readers start there, and executables should never reach an officer's machine.
# Each signature is long or structured enough that random bytes (compressed
# image or video data) match it with odds below about 1 in 2**44 per position,
# i.e. no false alarm in practice on files up to 25 MB. Deliberately NOT
# checked: a bare "MZ" (2 bytes: matches by chance every few hundred KB), and
# MP4 boxes after a JPEG (Android "motion photos" are exactly that, and benign).

MARKUP = "markup"
CONTAINER = "container"
PDF_HEADER = "pdf"
EXECUTABLE = "executable"


@dataclass(frozen=True)
class _Signature:
    family: str
    prefix: bytes  # a literal, searched with bytes.find (fast)
    pattern: re.Pattern[bytes]  # the full check, anchored at the prefix
    folded: bool  # searched in the ASCII-lowercased data (case-insensitive)


def _sig(family: str, prefix: bytes, pattern: bytes, *, folded: bool = False) -> _Signature:
    return _Signature(family, prefix, re.compile(pattern, re.DOTALL), folded)


_SIGNATURES = (
    # HTML and PHP: a tag name followed by what ends a tag name, so ordinary
    # words ("<htmlish") do not count. Case-insensitive, as browsers are.
    _sig(MARKUP, b"<script", rb"<script[\s>/]", folded=True),
    _sig(MARKUP, b"<html", rb"<html[\s>]", folded=True),
    _sig(MARKUP, b"<iframe", rb"<iframe[\s>/]", folded=True),
    _sig(MARKUP, b"<!doctype", rb"<!doctype\s+html", folded=True),
    _sig(MARKUP, b"<?php", rb"<\?php\s", folded=True),
    # ZIP local file header: signature, version and flags (any), then a real
    # compression method (stored, deflate, deflate64, bzip2, lzma, zstd, mp3,
    # xz, ppmd, aes) - readers refuse entries with any other method.
    _sig(CONTAINER, b"PK\x03\x04", rb"PK\x03\x04.{4}[\x00\x08\x09\x0c\x0e\x5d\x5f\x62\x63]\x00"),
    # ZIP end of central directory: what readers look for first. Entries on
    # this disk == total entries, as in every single-file archive.
    _sig(CONTAINER, b"PK\x05\x06", rb"PK\x05\x06.{4}(..)\1"),
    _sig(CONTAINER, b"Rar!\x1a\x07", rb"Rar!\x1a\x07[\x00\x01]"),
    _sig(CONTAINER, b"7z\xbc\xaf\x27\x1c", rb"7z\xbc\xaf\x27\x1c\x00"),
    # PDF readers accept a header that does not start the file.
    _sig(PDF_HEADER, b"%pdf-", rb"%pdf-\d\.", folded=True),
    # ELF: magic, 32/64-bit, little/big endian, version 1.
    _sig(EXECUTABLE, b"\x7fELF", rb"\x7fELF[\x01\x02][\x01\x02]\x01"),
    # Windows PE: the DOS stub text nearly every linker writes.
    _sig(
        EXECUTABLE, b"this program cannot", rb"this program cannot be run in dos mode", folded=True
    ),
)

# Which second formats refuse which kind. Archives legitimately hold other
# formats (a WhatsApp export zips photos and PDFs), so only executables count.
_FORBIDDEN_FAMILIES = {
    Evidence.Kind.IMAGE: {MARKUP, CONTAINER, PDF_HEADER, EXECUTABLE},
    Evidence.Kind.VIDEO: {MARKUP, CONTAINER, PDF_HEADER, EXECUTABLE},
    Evidence.Kind.PDF: {MARKUP, CONTAINER, EXECUTABLE},
    Evidence.Kind.TEXT: {MARKUP, CONTAINER, PDF_HEADER, EXECUTABLE},
    Evidence.Kind.ARCHIVE: {EXECUTABLE},
}


class SignatureScanner:
    """Find signature families in a stream fed chunk by chunk (memory: one chunk)."""

    def __init__(self) -> None:
        self.found: set[str] = set()
        self._carry = b""

    @property
    def buffered(self) -> int:
        return len(self._carry)

    def feed(self, chunk: bytes) -> None:
        # The carried tail lets a signature split across two chunks match;
        # one that lies wholly in the carry was already seen, and matching it
        # twice only re-adds its family to a set.
        window = self._carry + chunk
        folded = window.lower()
        for signature in _SIGNATURES:
            if signature.family in self.found:
                continue
            haystack = folded if signature.folded else window
            position = haystack.find(signature.prefix)
            while position != -1:
                if signature.pattern.match(haystack, position):
                    self.found.add(signature.family)
                    break
                position = haystack.find(signature.prefix, position + 1)
        self._carry = window[-_SCAN_CARRY:]


# --- images -------------------------------------------------------------------


@contextlib.contextmanager
def pillow_guard() -> Iterator[None]:
    """Run Pillow code so that a decompression bomb refuses and no warning escapes.

    Pillow's ``DecompressionBombWarning`` becomes a refusal
    (evidence_image_too_large), as does its ``DecompressionBombError``. Its
    other warnings (corrupt EXIF and the like, common in hostile files) are
    silenced: they say nothing we act on. ``catch_warnings`` is process-wide,
    which is fine under gunicorn's sync workers.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ValidationError(
                EVIDENCE_IMAGE_TOO_LARGE, code="evidence_image_too_large"
            ) from error


def image_open_checked(source: IO[bytes], pillow_format: str) -> Image.Image:
    """Open an image's header with Pillow, refusing decompression bombs.

    Only the header is read (Pillow decodes lazily), with the decoder of
    ``pillow_format`` alone. Refused when width x height exceeds
    ``MAX_IMAGE_PIXELS`` or Pillow flags a bomb (evidence_image_too_large), or
    when the header cannot be parsed (evidence_image_unreadable). Call it
    inside ``pillow_guard()`` if the image is decoded afterwards.
    """
    with pillow_guard():
        try:
            image = Image.open(source, formats=[pillow_format])
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            raise ValidationError(
                EVIDENCE_IMAGE_UNREADABLE, code="evidence_image_unreadable"
            ) from error
    width, height = image.size
    if width <= 0 or height <= 0 or width * height > MAX_IMAGE_PIXELS:
        image.close()
        if width <= 0 or height <= 0:
            raise ValidationError(EVIDENCE_IMAGE_UNREADABLE, code="evidence_image_unreadable")
        raise ValidationError(EVIDENCE_IMAGE_TOO_LARGE, code="evidence_image_too_large")
    return image


# --- names --------------------------------------------------------------------

# Bidirectional embedding/override/isolate controls and marks: they make
# "photo\u202egpj.exe" display as "photoexe.jpg". ZWNJ/ZWJ stay (Persian and
# Kurdish words need them).
_BIDI_CONTROLS = dict.fromkeys(
    [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)


def sanitize_file_name(name: str | None) -> str:
    """The original name as the victim's device gave it, safe to show, never to use.

    Directories (``/`` and ``\\``) and control, separator and bidi characters are
    removed and the result shortened to ``MAX_NAME_CHARS`` (keeping a short
    extension). It is only ever stored encrypted; storage names are random.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = name.translate(_BIDI_CONTROLS)
    name = "".join(
        char for char in name if unicodedata.category(char) not in {"Cc", "Cs", "Zl", "Zp"}
    ).strip()
    if name in {".", ".."}:
        return ""
    if len(name) > MAX_NAME_CHARS:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and 0 < len(extension) <= 10:
            name = stem[: MAX_NAME_CHARS - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:MAX_NAME_CHARS]
    return name


# --- the uploaded file --------------------------------------------------------


class EncryptedUpload(UploadedFile):
    """One uploaded file, already encrypted: what the view hands to ``evidence_store``.

    ``file`` is a temporary file holding only ciphertext (None once refused);
    closing the upload deletes it. ``name`` is a neutral placeholder: the
    victim's file name is only in ``original_name``, which must never be logged.
    ``rejection`` is None or the ValidationError that refuses the file.
    """

    def __init__(
        self,
        *,
        file: IO[bytes] | None,
        field_name: str,
        file_id: uuid.UUID,
        owner: uuid.UUID,
        size: int,
        sha256: str,
        kind: str | None,
        content_type: str,
        original_name: str,
        rejection: ValidationError | None,
        pillow_format: str | None = None,
        image_size: tuple[int, int] | None = None,
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
        self.sha256 = sha256
        self.kind = kind
        self.original_name = original_name
        self.rejection = rejection
        self.pillow_format = pillow_format
        self.image_size = image_size

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


@dataclass
class _IncomingFile:
    """Per-file state while it streams in."""

    field_name: str
    file_id: uuid.UUID
    original_name: str
    encryptor: StreamEncryptor | None
    temp: IO[bytes] | None
    digest: Any = field(default_factory=hashlib.sha256)
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
    """Hash, inspect and encrypt each uploaded file as its chunks arrive.

    Memory per file: the first ``HEAD_BYTES`` of plaintext, one chunk in
    flight, under one chunk waiting inside the encryptor, and a few bytes of
    scanner carry, whatever the file's size (``peak_buffered_bytes`` records
    the most ever held). Disk: ciphertext only, in a NamedTemporaryFile
    (mode 0600) under ``temp_dir`` (``FILE_UPLOAD_TEMP_DIR`` by default).
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
    ) -> None:
        super().__init__(request)
        self.sealer = sealer
        self.max_bytes = settings.SANAD_EVIDENCE_MAX_BYTES if max_bytes is None else max_bytes
        self.temp_dir = temp_dir if temp_dir is not None else settings.FILE_UPLOAD_TEMP_DIR
        self.peak_buffered_bytes = 0
        self._current: _IncomingFile | None = None

    # Django's protocol ---------------------------------------------------------

    def new_file(self, field_name, file_name, *args, **kwargs) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self._discard_current()
        file_id = uuid.uuid4()
        self._current = _IncomingFile(
            field_name=field_name,
            file_id=file_id,
            original_name=sanitize_file_name(file_name),
            encryptor=self.sealer.stream_encryptor(file_id=file_id),
            temp=tempfile.NamedTemporaryFile(prefix="sanad-", suffix=".enc", dir=self.temp_dir),
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
        incoming.digest.update(raw_data)
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
            sha256 = incoming.digest.hexdigest()
        else:
            sha256 = ""
        upload = EncryptedUpload(
            file=incoming.temp,
            field_name=incoming.field_name,
            file_id=incoming.file_id,
            owner=self.sealer.owner,
            size=incoming.size,
            sha256=sha256,
            kind=incoming.kind if incoming.rejection is None else None,
            content_type=incoming.content_type if incoming.rejection is None else "",
            original_name=incoming.original_name,
            rejection=incoming.rejection,
            pillow_format=incoming.pillow_format,
            image_size=incoming.image_size,
        )
        # Plaintext head and hashing state go now, not when the request ends.
        incoming.head = bytearray()
        incoming.encryptor = None
        return upload

    def upload_interrupted(self) -> None:
        self._discard_current()

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
    incoming.rejection = ValidationError(message, code=code)
    _drop_plaintext_and_ciphertext(incoming)
    logger.info("evidence upload refused: %s", code)


def _drop_plaintext_and_ciphertext(incoming: _IncomingFile) -> None:
    if incoming.temp is not None:
        incoming.temp.close()  # NamedTemporaryFile: deleted on close
        incoming.temp = None
    incoming.head = bytearray()
    incoming.encryptor = None
    incoming.text_decoder = None
