"""Polyglot detection: signatures of a second format inside an evidence file.

Used by ``casework.uploads`` on the plaintext as it streams in. The scan is
bounded to the regions where a second format is found by the programs that
would open it, so its cost does not grow with the file's size (issue: the scan
of every byte was 65% of the upload handler's time):

- the head (first ``SCAN_HEAD_BYTES``): where a file's own format is decided
  and where readers look for one (PDF readers accept a header in the first
  1024 bytes, self-extracting RAR/7z stubs, browsers' content sniffing,
  executables' magic at offset 0);
- the tail (last ``SCAN_TAIL_BYTES``): where ZIP readers look for the end of
  central directory record (within the last 64 KiB + 22 bytes) and where an
  appended payload ends (twice the 64 KiB a ZIP comment may take).

Files no larger than head + tail are scanned whole. Archives are inspected
entry by entry after upload (``casework.inspection``), which this byte scan
could never do for compressed entries.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from casework.models import Evidence

# Scanned as it arrives; a whole chunk past it at most.
SCAN_HEAD_BYTES = 256 * 1024
# Kept (plaintext, in memory) until the file ends, then scanned.
SCAN_TAIL_BYTES = 128 * 1024
# Bytes of the previous window kept to find a signature split across two
# windows: at least the longest signature below (38 bytes).
_SCAN_CARRY = 64

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
    """Find signature families in a stream fed chunk by chunk.

    Memory: one chunk in flight plus ``SCAN_TAIL_BYTES`` held for the tail.
    ``found`` is complete for the head as chunks arrive, and for the tail once
    ``finish()`` has run.
    """

    def __init__(self) -> None:
        self.found: set[str] = set()
        self._carry = b""
        self._scanned = 0
        self._tail: deque[bytes] = deque()
        self._tail_bytes = 0
        # True once a tail chunk was dropped unscanned: the carry no longer
        # joins what comes next.
        self._gap = False

    @property
    def buffered(self) -> int:
        return len(self._carry) + self._tail_bytes

    def feed(self, chunk: bytes) -> None:
        if self._scanned < SCAN_HEAD_BYTES:
            self._scan(chunk)
            self._scanned += len(chunk)
            return
        self._tail.append(chunk)
        self._tail_bytes += len(chunk)
        while self._tail_bytes - len(self._tail[0]) >= SCAN_TAIL_BYTES:
            self._tail_bytes -= len(self._tail.popleft())
            self._gap = True

    def finish(self) -> None:
        """Scan the held tail (call once, when the file is complete)."""
        if self._gap:
            self._carry = b""
        if self._tail:
            self._scan(b"".join(self._tail))
        self._tail.clear()
        self._tail_bytes = 0

    def _scan(self, chunk: bytes) -> None:
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
