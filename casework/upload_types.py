"""What an uploaded evidence file is, by its content: types, image headers, names.

Used by ``casework.uploads`` while a file streams in and by
``casework.previews`` when its preview is made. The file name and the
browser's declared type are never consulted to decide anything.
"""

from __future__ import annotations

import contextlib
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from casework.models import Evidence

EVIDENCE_IMAGE_TOO_LARGE = _("This image has too many pixels to be opened safely.")
EVIDENCE_IMAGE_UNREADABLE = _("This image is damaged and cannot be opened.")

# Largest image accepted, in pixels (width x height). Phones take 12-50 MP photos.
MAX_IMAGE_PIXELS = 50_000_000
# Original names are kept (encrypted) for the officer, shortened to this.
MAX_NAME_CHARS = 120


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
