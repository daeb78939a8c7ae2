"""Blurred previews of evidence images, decoded under a bound on memory and time.

A 2-40 KB PNG, GIF or WebP can announce 49 megapixels of identical pixels;
decoding it whole costs about 1 GB and several seconds. So the decision to
decode is taken from the header alone, before any pixel is decoded:

- a baseline JPEG decodes at 1/2..1/8 scale (libjpeg's DCT scaling through
  Pillow's ``draft``), so even the largest accepted photo costs a few MB;
- every other image (and a progressive JPEG, which libjpeg buffers whole) is
  decoded only if it has at most ``SANAD_EVIDENCE_PREVIEW_MAX_PIXELS`` pixels,
  which bounds both memory (4 bytes a pixel at most, 24 MB at the default
  6 MP) and decoding time;
- above that the file is kept, without a preview: the console shows
  "preview not available" and the original can still be opened.

Only the first frame of an animated image is decoded. The image is reduced
before any conversion, so no full-size copy is made. EXIF orientation is
applied, then only pixels are copied into a fresh image: EXIF (GPS, camera
serials), XMP, ICC, comments and text chunks are all left behind.

The source is read through ``casework.crypto.StreamReader``: the decrypted
image is never held whole in memory and never written to disk.
"""

from __future__ import annotations

import io
import logging
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import ExifTags, Image, ImageFilter

from casework.upload_types import image_open_checked, pillow_guard

logger = logging.getLogger(__name__)

PREVIEW_MAX_SIDE = 480
PREVIEW_JPEG_QUALITY = 70
# Images are reduced to about the preview's side before anything else: the
# preview is blurred, so detail beyond it is never needed.
_WORKING_SIDE = PREVIEW_MAX_SIDE

_TRANSPOSE_FOR_ORIENTATION = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
}


def preview_decode_allowed(image: Image.Image) -> bool:
    """Whether decoding ``image`` (header read, no pixel decoded) stays within bounds."""
    width, height = image.size
    if image.format == "JPEG" and not image.info.get("progressive"):
        return True  # decoded at reduced scale; the upload limit bounds the rest
    return width * height <= settings.SANAD_EVIDENCE_PREVIEW_MAX_PIXELS


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(ExifTags.Base.Orientation, 1))
    except Exception:  # hostile EXIF: show the pixels as stored
        return 1


def _reduced(image: Image.Image) -> Image.Image:
    """A copy about the preview's size (or a little larger), without a full-size copy."""
    factor = max(1, max(image.size) // _WORKING_SIDE)
    if factor == 1:
        return image.copy()
    if image.mode in ("L", "RGB", "I", "F"):
        return image.reduce(factor)  # box average, straight from the decoded pixels
    # Nearest neighbour works in any mode and, unlike reduce() or resize()
    # with averaging, makes no premultiplied full-size copy of an alpha image.
    # The preview is blurred anyway.
    size = (max(1, image.width // factor), max(1, image.height // factor))
    return image.resize(size, Image.Resampling.NEAREST)


def evidence_preview_make(source: IO[bytes] | bytes, *, pillow_format: str) -> bytes | None:
    """A small, strongly blurred JPEG of an image, without any of its metadata.

    Returns None when the image is above the preview bound (no pixel decoded)
    or its pixels cannot be decoded (a truncated image is still evidence);
    raises ValidationError for a bomb or an unreadable header.
    """
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    try:
        with pillow_guard(), image_open_checked(source, pillow_format) as image:
            if not preview_decode_allowed(image):
                logger.info("evidence preview skipped: above the decoding bound")
                return None
            if image.format == "JPEG":
                # libjpeg picks the largest scale-down that stays at least this big.
                image.draft("RGB", (PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE))
            orientation = _orientation(image)
            image.load()  # the first frame only, for animations
            small = _reduced(image)
        # The decoded image is released here: the rest works on ``small`` only.
        return _blurred_jpeg(small, orientation)
    except ValidationError:
        raise
    except Exception:
        # Any decoder failure on hostile or damaged pixels: keep the file,
        # show no preview. Never the exception text (it may quote content).
        logger.warning("evidence preview could not be made")
        return None


def _blurred_jpeg(small: Image.Image, orientation: int) -> bytes:
    for method in _TRANSPOSE_FOR_ORIENTATION.get(orientation, ()):
        small = small.transpose(method)
    if small.mode in ("RGBA", "LA", "P", "PA") or "transparency" in small.info:
        rgba = small.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (128, 128, 128, 255))
        small = Image.alpha_composite(background, rgba)
    pixels = small.convert("RGB")
    pixels.thumbnail((PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE), Image.Resampling.LANCZOS)
    radius = max(8, max(pixels.size) // 24)
    blurred = pixels.filter(ImageFilter.GaussianBlur(radius))
    # A fresh image carries no ``info`` at all: nothing to leak on save.
    clean = Image.new("RGB", blurred.size)
    clean.paste(blurred)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=PREVIEW_JPEG_QUALITY, optimize=True, exif=b"")
    return out.getvalue()
