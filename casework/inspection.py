"""What is inside zip exports and PDF documents, checked before they are stored.

The upload handler's byte scan cannot see into compressed zip entries, and a
PDF may carry scripts, launch actions or whole files. Both are read here
through ``casework.crypto.StreamReader`` (decrypting, seekable, one chunk in
memory), so no plaintext ever reaches disk.

Archives are refused (nothing kept) when they could harm whoever opens them:
- zip bombs: more than ``SANAD_EVIDENCE_ARCHIVE_MAX_ENTRIES`` entries, more
  than ``SANAD_EVIDENCE_ARCHIVE_MAX_UNCOMPRESSED`` bytes unpacked in all, or a
  large entry that unpacks more than ``SANAD_EVIDENCE_ARCHIVE_MAX_RATIO`` times
  its packed size. Every entry is actually unpacked (in 64 KiB steps, never
  kept), so headers that lie fail their size and CRC checks;
- names that escape the folder they are unpacked into ("zip slip": absolute
  paths, ``..``, drive letters, backslashes, control characters) and symlinks;
- programs and archives inside, by their first bytes (Windows, ELF, Mach-O,
  Java, Android, shell scripts; zip, RAR, 7z, gzip...) or by a name Windows
  would run or mount;
- encrypted entries or a damaged archive: nothing in them can be checked.

PDFs are kept whatever they hold (the original matters to a court), but one
with JavaScript, launch or other automatic actions, or embedded files is
flagged, and so is one that could not be checked; the console then warns the
officer next to the file (``Evidence.Risk``).

Nothing here logs or raises an entry name or any content.
"""

from __future__ import annotations

import logging
import posixpath
import re
import stat
import zipfile
from typing import IO

import pikepdf
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from casework.models import Evidence

logger = logging.getLogger(__name__)

EVIDENCE_ARCHIVE_BOMB = _(
    "This zip file unpacks to far more than it holds (a “zip bomb”), so it cannot be added."
)
EVIDENCE_ARCHIVE_UNSAFE_NAME = _(
    "This zip file contains a file whose name points outside the archive, so it cannot be added."
)
EVIDENCE_ARCHIVE_PROGRAM = _(
    "This zip file contains a program or another archive, so it cannot be added. "
    "Please send the chat export, photos or documents themselves."
)
EVIDENCE_ARCHIVE_UNREADABLE = _(
    "This zip file is damaged or protected by a password, so it cannot be checked or added."
)

# Shown to the officer next to a flagged file on the case page.
EVIDENCE_RISK_WARNINGS = {
    Evidence.Risk.PDF_ACTIVE: _(
        "Warning: this PDF contains scripts, automatic actions or embedded files. Open it "
        "only on a computer kept for evidence, with JavaScript turned off in the PDF reader, "
        "and do not open any file attached inside it."
    ),
    Evidence.Risk.PDF_UNCHECKED: _(
        "Warning: this PDF could not be checked (it is damaged or protected by a password). "
        "Open it only on a computer kept for evidence."
    ),
}

_READ_STEP = 64 * 1024
# A highly compressible entry below this is harmless whatever its ratio
# (a chat export of repeated lines packs 20-50 times).
_RATIO_MIN_ENTRY_BYTES = 1024 * 1024

# First bytes of programs and of archives nobody needs inside a chat export.
_PROGRAM_MAGIC = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O 32
    b"\xfe\xed\xfa\xcf",  # Mach-O 64
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"dex\n",  # Android
    b"#!",  # scripts
    b"PK\x03\x04",  # zip, jar, apk, docx with macros...
    b"PK\x05\x06",
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",  # gzip
    b"BZh",
    b"\xfd7zXZ\x00",
    b"MSCF",  # Windows cabinet
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE: .msi, macro documents
    b"L\x00\x00\x00\x01\x14\x02\x00",  # Windows shortcut (.lnk)
)
# Names Windows runs, installs or mounts on a double click, whatever the content.
_PROGRAM_EXTENSIONS = frozenset(
    "exe dll scr com pif cpl msi msp bat cmd ps1 psm1 vbs vbe js jse wsf wsh hta lnk "
    "reg inf jar apk app dmg iso img vhd vhdx sh run bin elf docm xlsm pptm".split()
)
_DRIVE_OR_CONTROL = re.compile(r"^[A-Za-z]:|[\x00-\x1f\x7f]")


def _name_is_unsafe(name: str) -> bool:
    if not name or "\\" in name or name.startswith("/") or _DRIVE_OR_CONTROL.search(name):
        return True
    normalised = posixpath.normpath(name)
    return normalised == ".." or normalised.startswith("../")


def _refuse(message, code: str):
    logger.info("evidence archive refused: %s", code)
    return ValidationError(message, code=code)


def archive_inspect(source: IO[bytes]) -> None:
    """Refuse (ValidationError) a zip export that could harm whoever opens it."""
    try:
        archive = zipfile.ZipFile(source)
    except Exception as error:  # BadZipFile, struct and decoding errors on hostile directories
        raise _refuse(EVIDENCE_ARCHIVE_UNREADABLE, "evidence_archive_unreadable") from error
    with archive:
        entries = archive.infolist()
        if len(entries) > settings.SANAD_EVIDENCE_ARCHIVE_MAX_ENTRIES:
            raise _refuse(EVIDENCE_ARCHIVE_BOMB, "evidence_archive_bomb")
        declared = 0
        for entry in entries:
            mode = entry.external_attr >> 16
            if _name_is_unsafe(entry.filename) or stat.S_ISLNK(mode):
                raise _refuse(EVIDENCE_ARCHIVE_UNSAFE_NAME, "evidence_archive_unsafe_name")
            if entry.flag_bits & 0x1:
                raise _refuse(EVIDENCE_ARCHIVE_UNREADABLE, "evidence_archive_unreadable")
            extension = entry.filename.rsplit(".", 1)[-1].lower() if "." in entry.filename else ""
            if extension in _PROGRAM_EXTENSIONS:
                raise _refuse(EVIDENCE_ARCHIVE_PROGRAM, "evidence_archive_program")
            declared += entry.file_size
            ratio_too_high = (
                entry.file_size > _RATIO_MIN_ENTRY_BYTES
                and entry.file_size
                > settings.SANAD_EVIDENCE_ARCHIVE_MAX_RATIO * max(1, entry.compress_size)
            )
            if declared > settings.SANAD_EVIDENCE_ARCHIVE_MAX_UNCOMPRESSED or ratio_too_high:
                raise _refuse(EVIDENCE_ARCHIVE_BOMB, "evidence_archive_bomb")
        for entry in entries:
            if not entry.is_dir():
                _entry_inspect(archive, entry)


def _entry_inspect(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    """Unpack one entry in steps (never kept): first bytes, real size, CRC."""
    unpacked = 0
    try:
        with archive.open(entry) as stream:
            head = stream.read(16)
            if head.startswith(_PROGRAM_MAGIC):
                raise _refuse(EVIDENCE_ARCHIVE_PROGRAM, "evidence_archive_program")
            unpacked = len(head)
            while block := stream.read(_READ_STEP):
                unpacked += len(block)
                if unpacked > entry.file_size:
                    raise _refuse(EVIDENCE_ARCHIVE_BOMB, "evidence_archive_bomb")
    except ValidationError:
        raise
    except (zipfile.BadZipFile, NotImplementedError, OSError, ValueError, EOFError) as error:
        # CRC or size mismatch (a lying header), unknown compression, damage.
        raise _refuse(EVIDENCE_ARCHIVE_UNREADABLE, "evidence_archive_unreadable") from error
    except Exception as error:  # zlib, lzma, bz2 errors on hostile data
        raise _refuse(EVIDENCE_ARCHIVE_UNREADABLE, "evidence_archive_unreadable") from error


# --- PDF ----------------------------------------------------------------------

# Dictionary keys that make a PDF act on its own or carry files.
_PDF_RISKY_KEYS = frozenset(
    {"/JS", "/JavaScript", "/AA", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA"}
)
# Action types (/S) that run code, start programs or send data.
_PDF_RISKY_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute", "/Rendition"}
)
_PDF_RISKY_TYPES = frozenset({"/EmbeddedFile", "/Filespec"})
_PDF_RISKY_SUBTYPES = frozenset({"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen"})
# Objects (and inline dictionaries and arrays) checked at most; more is "unchecked".
_PDF_MAX_OBJECTS = 1_000_000


def _pdf_dictionary_is_risky(obj) -> bool:
    keys = set(obj.keys())
    if keys & _PDF_RISKY_KEYS:
        return True
    for key, risky in (
        ("/S", _PDF_RISKY_ACTIONS),
        ("/Type", _PDF_RISKY_TYPES),
        ("/Subtype", _PDF_RISKY_SUBTYPES),
    ):
        if key in keys:
            value = obj.get(key)
            if isinstance(value, pikepdf.Name) and str(value) in risky:
                return True
    return False


def _pdf_object_is_risky(obj, budget: list[int]) -> bool:
    """Check ``obj`` and the direct (inline) dictionaries and arrays inside it;
    indirect ones are checked on their own, as objects of the file."""
    pending = [obj]
    while pending:
        budget[0] -= 1
        if budget[0] < 0:
            raise _TooComplex
        current = pending.pop()
        if isinstance(current, pikepdf.Dictionary | pikepdf.Stream):
            if _pdf_dictionary_is_risky(current):
                return True
            children = [current.get(key) for key in current.keys()]
        elif isinstance(current, pikepdf.Array):
            children = list(current)
        else:
            continue
        pending.extend(
            child
            for child in children
            if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect
        )
    return False


class _TooComplex(Exception):
    pass


def pdf_inspect(source: IO[bytes]) -> str:
    """The risk of a PDF: ``Evidence.Risk.PDF_ACTIVE`` when it holds scripts,
    automatic or launch actions or embedded files, ``PDF_UNCHECKED`` when it
    cannot be read (damaged, password-protected, too many objects), else ""."""
    try:
        with pikepdf.open(source, access_mode=pikepdf.AccessMode.stream) as pdf:
            budget = [_PDF_MAX_OBJECTS]
            for obj in pdf.objects:
                if _pdf_object_is_risky(obj, budget):
                    logger.info("evidence pdf flagged: active content")
                    return Evidence.Risk.PDF_ACTIVE
    except Exception:
        # pikepdf raises its own PdfError, PasswordError and more on hostile input.
        logger.info("evidence pdf flagged: could not be checked")
        return Evidence.Risk.PDF_UNCHECKED
    return ""
