"""The encrypting upload handler, driven through Django's real multipart parser."""

from __future__ import annotations

import hashlib
import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files import uploadedfile, uploadhandler
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopFutureHandlers
from django.test import Client, RequestFactory

from casework import crypto
from casework.evidence import evidence_open, evidence_original_name, evidence_store
from casework.models import Evidence
from casework.uploads import (
    HEAD_BYTES,
    SCAN_TAIL_BYTES,
    EncryptingUploadHandler,
    SignatureScanner,
    sanitize_file_name,
)
from tests.casework import evidence_samples as samples
from tests.casework.conftest import files_under
from tests.casework.upload_urls import SEALERS

CHUNK = uploadhandler.FileUploadHandler.chunk_size
BUFFERED_BOUND = HEAD_BYTES + SCAN_TAIL_BYTES + 3 * CHUNK + 1024


def _decrypt_stored(sealer, evidence) -> bytes:
    return b"".join(evidence_open(evidence=evidence, sealer=sealer))


# --- round trip ---------------------------------------------------------------


@pytest.mark.django_db
def test_handler__stored_bytes_are_ciphertext_and_decrypt_to_exactly_the_upload(
    sealer, _evidence_dir
):
    original = samples.mp4(3 * samples.MIB + 123)
    request = RequestFactory().post(
        "/evidence/", data={"evidence": SimpleUploadedFile("clip.mp4", original)}
    )
    request.upload_handlers = [EncryptingUploadHandler(request, sealer=sealer)]
    (upload,) = request.FILES.getlist("evidence")
    assert upload.accepted
    assert upload.sha256 == hashlib.sha256(original).hexdigest()
    assert upload.size == len(original)

    evidence = evidence_store(sealer=sealer, upload=upload)

    assert re.fullmatch(r"ev/[0-9a-f]{32}", evidence.storage_name)
    (stored_path,) = files_under(_evidence_dir)
    stored = stored_path.read_bytes()
    assert stored.startswith(crypto.STREAM_MAGIC)
    assert stored != original
    assert original[1000:1064] not in stored
    assert evidence.sha256 == hashlib.sha256(original).hexdigest()
    assert (evidence.kind, evidence.content_type) == ("video", "video/mp4")
    decrypted = _decrypt_stored(sealer, evidence)
    assert hashlib.sha256(decrypted).hexdigest() == evidence.sha256
    assert decrypted == original


def test_handler__ignores_the_declared_type_and_the_extension(post_evidence):
    png = samples.image_bytes("PNG")
    _request, _handler, (upload,) = post_evidence(
        [("evidence", "statement.pdf", "application/pdf", png)]
    )
    assert upload.accepted
    assert (upload.kind, upload.content_type, upload.name) == ("image", "image/png", "evidence.png")


# --- no plaintext on disk -----------------------------------------------------


@pytest.mark.django_db
def test_handler__no_plaintext_touches_disk(
    post_evidence, sealer, upload_tmp, _evidence_dir, monkeypatch
):
    def forbidden(*args, **kwargs):
        raise AssertionError("Django's spooling upload handler must not run")

    monkeypatch.setattr(uploadhandler.TemporaryFileUploadHandler, "new_file", forbidden)
    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", forbidden)
    marker = f"SANAD-PLAINTEXT-MARKER-{uuid.uuid4().hex}"
    # Over FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): Django's default would spool it.
    original = samples.chat_export(3 * samples.MIB, marker=marker)
    assert original.count(marker.encode()) > 1000

    _request, _handler, (upload,) = post_evidence(
        [("evidence", f"{marker}.txt", "text/plain", original)]
    )

    assert type(upload).__name__ == "EncryptedUpload"
    assert upload.accepted and upload.kind == "text"
    written = files_under(upload_tmp)
    assert written, "the ciphertext should be spooled to the temp dir"
    for path in written:
        content = path.read_bytes()
        assert content.startswith(crypto.STREAM_MAGIC)
        assert marker.encode() not in content
        assert marker not in path.name
        assert path.stat().st_mode & 0o077 == 0  # owner-only

    evidence = evidence_store(sealer=sealer, upload=upload)

    assert files_under(upload_tmp) == []  # temp ciphertext deleted after storing
    for path in files_under(_evidence_dir):
        assert marker.encode() not in path.read_bytes()
        assert marker not in str(path)
    assert marker.encode() in _decrypt_stored(sealer, evidence)


def test_handler__closing_the_request_deletes_unused_ciphertext(post_evidence, upload_tmp):
    request, _handler, (upload,) = post_evidence(
        [("evidence", "a.jpg", "image/jpeg", samples.jpeg())]
    )
    assert files_under(upload_tmp)
    request.close()  # what Django does when the response is done
    assert upload.closed
    assert files_under(upload_tmp) == []


# --- memory -------------------------------------------------------------------


def test_handler__memory_stays_bounded_for_a_20_mb_upload(post_evidence, upload_tmp):
    original = samples.mp4(20 * samples.MIB)
    _request, handler, (upload,) = post_evidence([("evidence", "long.mp4", "video/mp4", original)])
    assert upload.accepted and upload.size == len(original)
    # Head buffer + one chunk in flight + less than one chunk in the encryptor
    # + the scanner's tail, whatever the size: far below the 20 MB that went through.
    assert HEAD_BYTES < handler.peak_buffered_bytes <= BUFFERED_BOUND
    assert handler.peak_buffered_bytes < len(original) / 30


# --- hostile uploads ----------------------------------------------------------

HOSTILE = {
    "elf_named_jpg": ("evidence_type_not_allowed", "photo.jpg", "image/jpeg", samples.ELF),
    "windows_exe_named_jpg": (
        "evidence_type_not_allowed",
        "photo.jpg",
        "image/jpeg",
        samples.WINDOWS_EXE,
    ),
    "unknown_binary": ("evidence_type_not_allowed", "x.jpg", "image/jpeg", samples.noise(5000)),
    "utf16_text": (
        "evidence_type_not_allowed",
        "chat.txt",
        "text/plain",
        "\ufeffchat".encode("utf-16-le") * 100,
    ),
    "bmp_image": ("evidence_type_not_allowed", "a.bmp", "image/bmp", samples.image_bytes("BMP")),
    "text_with_a_binary_tail": (
        "evidence_type_not_allowed",
        "chat.txt",
        "text/plain",
        samples.chat_export(HEAD_BYTES + 50_000) + samples.ELF,
    ),
    "jpeg_with_zip_appended": (
        "evidence_polyglot",
        "photo.jpg",
        "image/jpeg",
        samples.jpeg() + samples.zip_of({"payload.js": b"alert(1)"}),
    ),
    "png_with_script_appended": (
        "evidence_polyglot",
        "photo.png",
        "image/png",
        samples.image_bytes("PNG") + b"<script>fetch('/steal')</script>",
    ),
    "jpeg_with_pdf_appended": (
        "evidence_polyglot",
        "photo.jpg",
        "image/jpeg",
        samples.jpeg() + samples.pdf(),
    ),
    "jpeg_with_elf_appended": (
        "evidence_polyglot",
        "photo.jpg",
        "image/jpeg",
        samples.jpeg() + samples.ELF,
    ),
    "pdf_that_is_also_html": (
        "evidence_polyglot",
        "report.pdf",
        "application/pdf",
        samples.pdf(b"<html><body><SCRIPT>document.location='//x'</SCRIPT></body></html>\n"),
    ),
    "video_with_zip_after_the_head": (
        "evidence_polyglot",
        "clip.mp4",
        "video/mp4",
        samples.mp4(HEAD_BYTES + 70_000) + samples.zip_of({"a.txt": b"x"}),
    ),
    "html_named_txt": (
        "evidence_polyglot",
        "chat.txt",
        "text/plain",
        b"<!DOCTYPE html>\n<html><body>hello</body></html>\n",
    ),
    "zip_with_stored_executable": (
        "evidence_polyglot",
        "chat.zip",
        "application/zip",
        samples.zip_of({"_chat.txt": b"hi", "tool.exe": samples.WINDOWS_EXE}, stored=True),
    ),
    "png_bomb_400_megapixels": (
        "evidence_image_too_large",
        "photo.png",
        "image/png",
        samples.png_of_zeros(20_000, 20_000),
    ),
    "png_95_megapixels_pillow_warns": (
        "evidence_image_too_large",
        "photo.png",
        "image/png",
        samples.png_of_zeros(10_000, 9_500),
    ),
    "png_64_megapixels_over_our_bound": (
        "evidence_image_too_large",
        "photo.png",
        "image/png",
        samples.png_of_zeros(8_000, 8_000),
    ),
    "jpeg_header_only": ("evidence_image_unreadable", "photo.jpg", "image/jpeg", b"\xff\xd8\xff"),
    "zero_bytes": ("evidence_empty", "photo.jpg", "image/jpeg", b""),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_handler__refuses_hostile_upload_and_stores_nothing(
    name, post_evidence, sealer, upload_tmp, _evidence_dir
):
    code, filename, declared, content = HOSTILE[name]
    _request, _handler, (upload,) = post_evidence([("evidence", filename, declared, content)])

    assert not upload.accepted
    assert upload.rejection.code == code
    assert upload.kind is None and upload.sha256 == ""
    assert files_under(upload_tmp) == []  # refused ciphertext deleted at once
    with pytest.raises(ValidationError) as refused:
        evidence_store(sealer=sealer, upload=upload)
    assert refused.value.code == code
    assert files_under(_evidence_dir) == []
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_handler__refuses_26_mb_and_stops_processing_at_the_limit(
    post_evidence, sealer, upload_tmp, _evidence_dir, settings
):
    assert settings.SANAD_EVIDENCE_MAX_BYTES == 25 * samples.MIB
    original = samples.mp4(26 * samples.MIB)
    _request, handler, (upload,) = post_evidence([("evidence", "big.mp4", "video/mp4", original)])

    assert upload.rejection.code == "evidence_too_large"
    # Counting stopped with the chunk that crossed the limit: the last MB was
    # never hashed, encrypted or written.
    assert (
        settings.SANAD_EVIDENCE_MAX_BYTES < upload.size <= settings.SANAD_EVIDENCE_MAX_BYTES + CHUNK
    )
    assert handler.peak_buffered_bytes <= BUFFERED_BOUND
    assert files_under(upload_tmp) == []
    with pytest.raises(ValidationError):
        evidence_store(sealer=sealer, upload=upload)
    assert files_under(_evidence_dir) == []
    assert not Evidence.objects.exists()


def test_handler__refusing_one_file_keeps_the_others(post_evidence):
    _request, _handler, uploads = post_evidence(
        [
            ("evidence", "a.jpg", "image/jpeg", samples.jpeg()),
            ("evidence", "b.jpg", "image/jpeg", samples.ELF),
            ("evidence", "c.txt", "text/plain", samples.chat_export()),
            ("evidence", "d.txt", "text/plain", b""),
        ]
    )
    assert [u.rejection.code if u.rejection else u.kind for u in uploads] == [
        "image",
        "evidence_type_not_allowed",
        "text",
        "evidence_empty",
    ]
    assert len({u.file_id for u in uploads}) == 4


def _feed_directly(sealer, chunks: list[bytes]):
    handler = EncryptingUploadHandler(None, sealer=sealer)
    with pytest.raises(StopFutureHandlers):
        handler.new_file("evidence", "x", "application/octet-stream", None)
    position = 0
    for chunk in chunks:
        handler.receive_data_chunk(chunk, position)
        position += len(chunk)
    return handler.file_complete(position)


@pytest.mark.parametrize("offset", range(-8, 2))
def test_handler__finds_a_script_split_across_two_chunks(sealer, offset):
    body = samples.mp4(CHUNK - 3) + b"<script>alert(1)</script>" + samples.noise(5000, seed=2)
    split = CHUNK + offset
    upload = _feed_directly(sealer, [body[:split], body[split:]])
    assert upload.rejection.code == "evidence_polyglot"


def test_handler__accepts_the_same_video_without_the_script(sealer):
    body = samples.mp4(CHUNK - 3) + samples.noise(5000, seed=2)
    upload = _feed_directly(sealer, [body[:CHUNK], body[CHUNK:]])
    assert upload.accepted
    upload.close()


# --- allowed types ------------------------------------------------------------

ALLOWED = {
    "jpeg": ("image", "image/jpeg", samples.jpeg()),
    "png": ("image", "image/png", samples.image_bytes("PNG")),
    "gif": ("image", "image/gif", samples.image_bytes("GIF", mode="P")),
    "webp": ("image", "image/webp", samples.image_bytes("WEBP")),
    "heic": ("image", "image/heic", samples.heic()),
    "mp4": ("video", "video/mp4", samples.mp4(10_000)),
    "3gp": ("video", "video/3gpp", samples.iso_bmff(b"3gp4")),
    "mov": ("video", "video/quicktime", samples.iso_bmff(b"qt  ")),
    "webm": ("video", "video/webm", samples.webm()),
    "pdf": ("pdf", "application/pdf", samples.pdf()),
    "whatsapp_zip": (
        "archive",
        "application/zip",
        samples.zip_of(
            {
                "_chat.txt": samples.chat_export(),
                "IMG-1.jpg": samples.jpeg(),
                "doc.pdf": samples.pdf(),
            },
            stored=True,
        ),
    ),
    "whatsapp_txt": ("text", "text/plain", samples.chat_export(HEAD_BYTES + 10_000)),
    "text_with_bom": ("text", "text/plain", b"\xef\xbb\xbf" + samples.chat_export(500)),
}


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_handler__accepts_allowed_type_by_content(name, post_evidence):
    kind, content_type, content = ALLOWED[name]
    _request, _handler, (upload,) = post_evidence(
        [("evidence", "upload.bin", "application/octet-stream", content)]
    )
    assert upload.rejection is None
    assert (upload.kind, upload.content_type) == (kind, content_type)
    upload.close()


# --- signature scanner --------------------------------------------------------

SIGNATURES = [
    b"<script>",
    b"<HTML>",
    b"<iframe src=x>",
    b"<!DOCTYPE html>",
    b"<?php system($_GET[1]); ?>",
    b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
    b"PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00",
    b"Rar!\x1a\x07\x01\x00",
    b"7z\xbc\xaf\x27\x1c\x00\x04",
    b"%PDF-1.7",
    b"\x7fELF\x02\x01\x01",
    b"This program cannot be run in DOS mode",
]


@pytest.mark.parametrize("signature", SIGNATURES)
def test_scanner__finds_a_signature_at_every_split_point(signature):
    filler = samples.noise(300)
    for split in range(1, len(signature)):
        scanner = SignatureScanner()
        scanner.feed(filler + signature[:split])
        scanner.feed(signature[split:] + filler)
        assert scanner.found, split


def test_scanner__random_and_compressed_data_trigger_nothing():
    scanner = SignatureScanner()
    data = samples.noise(8 * samples.MIB, seed=7)
    for start in range(0, len(data), CHUNK):
        scanner.feed(data[start : start + CHUNK])
    scanner.feed(samples.jpeg(image=samples.checkerboard((1200, 900))))
    assert scanner.found == set()


def test_scanner__words_that_merely_start_like_tags_do_not_count():
    scanner = SignatureScanner()
    scanner.feed(b"see <htmlish> and <scripts> and PK\x03\x04 alone")
    assert scanner.found == set()


# --- file names ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("C:\\Users\\victim\\Desktop\\photo.jpg", "photo.jpg"),
        ("photo\u202egpj.exe", "photogpj.exe"),
        ("chat\x00\x1b[31m\r\n.txt", "chat[31m.txt"),
        ("..", ""),
        ("", ""),
        ("وێنەی\u200cمن.jpg", "وێنەی\u200cمن.jpg"),
        ("a" * 300 + ".jpeg", "a" * 115 + ".jpeg"),
        ("b" * 300, "b" * 120),
    ],
)
def test_sanitize_file_name__strips_directories_and_controls_and_truncates(raw, clean):
    assert sanitize_file_name(raw) == clean
    assert len(sanitize_file_name(raw)) <= 120


@pytest.mark.django_db
def test_handler__path_traversal_name_is_never_used_for_storage(
    post_evidence, sealer, tmp_path, _evidence_dir
):
    _request, _handler, (upload,) = post_evidence(
        [("evidence", "../../etc/passwd.jpg", "image/jpeg", samples.jpeg())]
    )
    assert upload.name == "evidence.jpg"
    assert "passwd" not in repr(upload)
    evidence = evidence_store(sealer=sealer, upload=upload)

    assert re.fullmatch(r"ev/[0-9a-f]{32}", evidence.storage_name)
    stored = files_under(_evidence_dir)
    assert [path.relative_to(_evidence_dir).as_posix() for path in stored] == [
        evidence.storage_name
    ]
    assert not [path for path in tmp_path.rglob("*") if "passwd" in path.name]
    assert b"passwd" not in bytes(evidence.filename_enc)
    assert evidence_original_name(evidence=evidence, sealer=sealer) == "passwd.jpg"


# --- the documented view pattern ----------------------------------------------


@pytest.mark.django_db
@pytest.mark.urls("tests.casework.upload_urls")
def test_view__csrf_protected_view_gets_encrypted_uploads(sealer, upload_tmp, _evidence_dir):
    SEALERS["current"] = sealer
    client = Client(enforce_csrf_checks=True)
    token = client.get("/token/").json()["token"]
    big = samples.mp4(3 * samples.MIB)  # over the in-memory limit
    response = client.post(
        "/evidence/",
        {
            "csrfmiddlewaretoken": token,
            "note": "kept",
            "evidence": [
                SimpleUploadedFile("a.mp4", big),
                SimpleUploadedFile("b.jpg", samples.ELF),
            ],
        },
    )
    assert response.status_code == 200
    payload = response.json()
    assert payload["refused"] == ["evidence_type_not_allowed"]
    assert payload["handlers"] == ["EncryptingUploadHandler"]
    assert payload["note"] == "kept"
    (stored,) = payload["stored"]
    evidence = Evidence.objects.get(uuid=stored)
    assert b"".join(evidence_open(evidence=evidence, sealer=sealer)) == big
    assert files_under(upload_tmp) == []


@pytest.mark.django_db
@pytest.mark.urls("tests.casework.upload_urls")
def test_view__without_csrf_token_is_refused_and_leaves_nothing(sealer, upload_tmp, _evidence_dir):
    SEALERS["current"] = sealer
    client = Client(enforce_csrf_checks=True)
    response = client.post("/evidence/", {"evidence": SimpleUploadedFile("a.jpg", samples.jpeg())})
    assert response.status_code == 403
    assert not Evidence.objects.exists()
    assert files_under(_evidence_dir) == []
    assert files_under(upload_tmp) == []
