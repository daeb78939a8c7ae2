"""Sample files for the evidence tests, made in memory: benign and hostile."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

from PIL import ExifTags, Image, ImageDraw

MIB = 1024 * 1024


def noise(size: int, seed: int = 1) -> bytes:
    """Deterministic incompressible bytes (seeded: the signature scan never flakes)."""
    return random.Random(seed).randbytes(size)


def checkerboard(size=(640, 480), square=8) -> Image.Image:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], square):
        for y in range((x // square) % 2 * square, size[1], square * 2):
            draw.rectangle([x, y, x + square - 1, y + square - 1], fill="black")
    return image


def jpeg(size=(64, 48), *, image: Image.Image | None = None, **save_options) -> bytes:
    out = io.BytesIO()
    (image or Image.new("RGB", size, (200, 40, 40))).save(out, "JPEG", **save_options)
    return out.getvalue()


def jpeg_with_gps(marker: str, size=(640, 480)) -> bytes:
    """A JPEG that would betray its owner: GPS position, camera make, a comment.

    Orientation 6 (rotate 90 degrees clockwise to display), as phones write it.
    """
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = marker
    exif[ExifTags.Base.Artist] = marker
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (33.0, 18.0, 42.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (44.0, 22.0, 7.0)
    return jpeg(image=checkerboard(size), exif=exif, comment=marker.encode())


def image_bytes(format_: str, size=(64, 48), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 120).save(out, format_)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_of_zeros(width: int, height: int) -> bytes:
    """A real 1-bit grayscale PNG of all-black pixels: tiny file, huge image.

    20000 x 20000 decodes to 400 megapixels (1.2 GB as RGB) from about 50 KB.
    """
    row = bytes(1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    rows_per_piece = max(1, MIB // len(row))
    idat = bytearray()
    for start in range(0, height, rows_per_piece):
        idat += compressor.compress(row * min(rows_per_piece, height - start))
    idat += compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + _png_chunk(b"IDAT", bytes(idat))
        + _png_chunk(b"IEND", b"")
    )


def mp4(size: int, seed: int = 1) -> bytes:
    head = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00\x00\x00\x08free"
    return head + noise(size - len(head), seed)


def iso_bmff(brand: bytes, size: int = 4096) -> bytes:
    head = b"\x00\x00\x00\x14ftyp" + brand + b"\x00\x00\x02\x00" + brand
    return head + noise(size - len(head))


def webm(size: int = 4096) -> bytes:
    head = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm"
    return head + noise(size - len(head))


def heic(size: int = 4096) -> bytes:
    head = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
    return head + noise(size - len(head))


def pdf(body: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
        + body
        + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def zip_of(members: dict[str, bytes], *, stored: bool = False) -> bytes:
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(out, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def chat_export(size: int = 30_000, marker: str = "") -> bytes:
    """UTF-8 text of exactly ``size`` bytes, never cut inside a character."""
    line = f"[12/03/2026, 21:04:11] رقم مجهول: ادفع أو أنشر الصور {marker}\n".encode()
    text = line * (size // len(line))
    return text + b"." * (size - len(text))


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + noise(2000)
WINDOWS_EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + bytes(44)
    + b"\x80\x00\x00\x00"
    + b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21"
    + b"This program cannot be run in DOS mode.\r\r\n$"
    + bytes(200)
)


def multipart_body(
    parts: list[tuple[str, str, str, bytes]],
    fields: dict[str, str] | None = None,
    boundary: str = "SanadTestBoundary9f3c1e",
) -> tuple[bytes, str]:
    """A multipart/form-data body written by hand, so a hostile client's file
    name (``../../etc/passwd.jpg``) and declared type reach Django unchanged."""
    body = bytearray()
    for name, value in (fields or {}).items():
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        body += value.encode() + b"\r\n"
    for field, filename, content_type, content in parts:
        body += (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        body += content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return bytes(body), f"multipart/form-data; boundary={boundary}"
