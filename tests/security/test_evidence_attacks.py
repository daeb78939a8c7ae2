"""Attacks on the evidence pipeline, through the public upload views and the console.

Every hostile file is generated here (nothing big is committed): decompression
bombs for the preview, storage floods, forged uploads without CSRF, zip bombs,
zip slip, programs inside archives, PDFs with scripts, nameless files and the
temporary files of a killed worker.
"""

from __future__ import annotations

import io
import os
import struct
import time
import tracemalloc
import zipfile

import pikepdf
import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopFutureHandlers
from django.core.management import call_command
from django.test import Client
from PIL import Image, ImageFile

from casework.crypto import Sealer
from casework.evidence import evidence_store
from casework.evidence_limits import client_network
from casework.models import Evidence
from casework.uploads import EncryptingUploadHandler, SignatureScanner, evidence_temp_dir
from reporting.models import ReportDraft
from tests.casework import evidence_samples as samples
from tests.casework.conftest import (  # noqa: F401 (fixtures)
    console_client,
    cp_case,
    staff,
    upload_tmp,
)
from tests.casework.helpers import console_url

MIB = samples.MIB
EVIDENCE_URL = "/en/report/evidence/"


def _upload(client, files, **extra):
    """POST files to the report's evidence step, as the form does."""
    return client.post(EVIDENCE_URL, {"files": files, "upload": "1"}, **extra)


def _file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# --- 1. previews: decoding is bounded before it starts ---------------------------


class DecodedTooMuch(BaseException):
    """Raised by the spy instead of letting a test decode a gigabyte of pixels."""


@pytest.fixture
def decode_spy(monkeypatch):
    """Record the size of every image Pillow decodes; stop any above 16 megapixels."""
    decoded: list[tuple[int, int]] = []
    original = ImageFile.ImageFile.load

    def load(self):
        decoded.append(self.size)
        if self.size[0] * self.size[1] > 16_000_000:
            raise DecodedTooMuch(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return decoded


def _hostile_gif(width: int, height: int) -> bytes:
    """A GIF of a few dozen bytes whose first frame announces width x height pixels."""
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", width, height, 0x80, 0, 0)
        + b"\x00\x00\x00\xff\xff\xff"
        + b","
        + struct.pack("<HHHHB", 0, 0, width, height, 0)
        + b"\x02\x02\x4c\x01\x00;"
    )


def _animated_gif() -> bytes:
    frames = [Image.new("P", (64, 48), colour) for colour in (10, 200)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, content",
    [
        ("bomb.png", samples.png_of_zeros(7_000, 7_000)),  # 49 MP in a few KB
        ("bomb.gif", _hostile_gif(7_000, 7_000)),
    ],
)
def test_preview__49_megapixel_image_is_kept_without_decoding_it(
    name, content, client, reference_data, decode_spy
):
    assert len(content) < 40_000
    started = time.perf_counter()
    response = _upload(client, [_file(name, content)], REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    assert time.perf_counter() - started < 2
    (evidence,) = Evidence.objects.all()
    assert evidence.kind == Evidence.Kind.IMAGE
    assert evidence.preview_enc is None  # "preview not available"
    assert all(width * height <= 6_000_000 for width, height in decode_spy)


@pytest.mark.django_db
def test_preview__large_jpeg_decodes_at_reduced_scale(client, reference_data, decode_spy):
    photo = samples.jpeg(image=Image.new("L", (6_000, 4_000), 90).convert("RGB"), quality=30)
    response = _upload(client, [_file("big.jpg", photo)])
    assert response.status_code == 200
    (evidence,) = Evidence.objects.all()
    assert evidence.preview_enc is not None
    assert decode_spy and max(w * h for w, h in decode_spy) <= 1_000_000  # 1/8 scale


@pytest.mark.django_db
def test_preview__progressive_jpeg_above_the_bound_is_not_decoded(
    client, reference_data, decode_spy, settings
):
    settings.SANAD_EVIDENCE_PREVIEW_MAX_PIXELS = 1_000_000
    photo = samples.jpeg(image=Image.new("RGB", (1_600, 1_200), 90), progressive=True)
    _upload(client, [_file("big.jpg", photo)])
    (evidence,) = Evidence.objects.all()
    assert evidence.preview_enc is None
    assert decode_spy == []


@pytest.mark.django_db
def test_preview__animated_gif_decodes_the_first_frame_only(
    sealer_for_owner, monkeypatch, post_upload
):
    animation = _animated_gif()
    seeks = []
    original_seek = Image.Image.seek

    def seek(self, frame):
        seeks.append(frame)
        return original_seek(self, frame)

    monkeypatch.setattr(Image.Image, "seek", seek)
    evidence = evidence_store(sealer=sealer_for_owner, upload=post_upload(animation))
    assert evidence.preview_enc is not None
    assert [frame for frame in seeks if frame != 0] == []


@pytest.mark.django_db
def test_console__oversized_image_shows_preview_not_available(
    cp_case,  # noqa: F811
    staff,  # noqa: F811
    console_client,  # noqa: F811
    post_upload,
):
    officer = staff("officer.baghdad", governorates=["baghdad"])
    case = cp_case()
    assert case.assigned_officer == officer
    evidence = evidence_store(
        sealer=Sealer.of(case),
        upload=post_upload(samples.png_of_zeros(7_000, 7_000), case),
        case=case,
    )
    assert evidence.preview_enc is None
    page = (
        console_client(officer).get(console_url("casework_case_change", case.pk)).content.decode()
    )
    assert "Preview not available" in page
    assert console_url("casework_case_evidence_preview", case.pk, evidence.pk) not in page


# --- 5. memory: the decrypted photo is never held whole --------------------------


@pytest.fixture
def sealer_for_owner():
    return Sealer.new(owner=__import__("uuid").uuid4())[0]


@pytest.fixture
def post_upload(sealer_for_owner, upload_tmp):  # noqa: F811
    """``post_upload(bytes, case=None)``: one file through the real multipart parser."""
    from django.test import RequestFactory

    requests = []

    def _post(content: bytes, case=None, name="photo"):
        sealer = Sealer.of(case) if case is not None else sealer_for_owner
        body, content_type = samples.multipart_body(
            [("files", name, "application/octet-stream", content)]
        )
        request = RequestFactory().generic("POST", "/x/", data=body, content_type=content_type)
        request.upload_handlers = [EncryptingUploadHandler(request, sealer=sealer)]
        requests.append(request)
        (upload,) = request.FILES.getlist("files")
        return upload

    yield _post
    for request in requests:
        request.close()


def _noise_jpeg(size: tuple[int, int]) -> bytes:
    pixels = samples.noise(size[0] * size[1] * 3, seed=5)
    return samples.jpeg(image=Image.frombytes("RGB", size, pixels), quality=95)


@pytest.mark.django_db
def test_evidence_store__memory_is_flat_in_the_file_size(sealer_for_owner, post_upload):
    photo = _noise_jpeg((2_400, 1_600))
    assert len(photo) > 3 * MIB
    upload = post_upload(photo)
    tracemalloc.start()
    try:
        evidence_store(sealer=sealer_for_owner, upload=upload)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Python-side allocations while checking, hashing and previewing: a few
    # chunks, never the whole decrypted photo.
    assert peak < 1.5 * MIB < len(photo)


def test_scanner__cost_does_not_grow_with_the_file(monkeypatch, sealer_for_owner):
    scanned = []
    original = SignatureScanner._scan

    def spy(self, chunk):
        scanned.append(len(chunk))
        return original(self, chunk)

    monkeypatch.setattr(SignatureScanner, "_scan", spy)
    body = samples.mp4(20 * MIB)
    handler = EncryptingUploadHandler(None, sealer=sealer_for_owner)
    with pytest.raises(StopFutureHandlers):
        handler.new_file("files", "clip", "video/mp4", None)
    for start in range(0, len(body), 64 * 1024):
        handler.receive_data_chunk(body[start : start + 64 * 1024], start)
    upload = handler.file_complete(len(body))
    assert upload.accepted
    upload.close()
    assert sum(scanned) < 1 * MIB


# --- 2. storage floods, CSRF order, disk guard --------------------------------------


@pytest.mark.django_db
def test_upload__no_session_no_csrf_creates_nothing(reference_data, upload_tmp):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    response = _upload(client, [_file("a.jpg", samples.jpeg())])
    assert response.status_code == 403
    assert not ReportDraft.objects.exists()
    assert not Session.objects.exists()
    assert not Evidence.objects.exists()
    assert [path for path in upload_tmp.rglob("*") if path.is_file()] == []


@pytest.mark.django_db
def test_upload__wrong_csrf_token_creates_no_draft(reference_data, upload_tmp):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    assert client.get("/en/report/evidence/").status_code == 200  # a session with a token
    sessions = Session.objects.count()
    response = client.post(
        EVIDENCE_URL,
        {"files": [_file("a.jpg", samples.jpeg())], "csrfmiddlewaretoken": "x" * 64},
    )
    assert response.status_code == 403
    assert not ReportDraft.objects.exists()
    assert not Evidence.objects.exists()
    assert Session.objects.count() == sessions
    assert [path for path in upload_tmp.rglob("*") if path.is_file()] == []


@pytest.mark.django_db
def test_upload__with_csrf_token_creates_the_draft_with_the_files_key(reference_data):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/en/report/evidence/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        EVIDENCE_URL,
        {"files": [_file("a.jpg", samples.jpeg())], "csrfmiddlewaretoken": token, "upload": "1"},
    )
    assert response.status_code == 200
    (draft,) = ReportDraft.objects.all()
    (evidence,) = Evidence.objects.all()
    assert evidence.owner_uuid == draft.uuid
    # The file opens with the key the draft was given.
    assert Sealer.of(draft).owner == evidence.owner_uuid


@pytest.mark.django_db
def test_upload__new_sessions_from_one_client_share_one_quota(reference_data, settings):
    settings.SANAD_EVIDENCE_CLIENT_BYTES = 3 * MIB
    video = samples.mp4(MIB)
    for _ in range(3):  # three fresh sessions, as the attacker did
        assert (
            _upload(Client(), [_file("v.mp4", video)], REMOTE_ADDR="203.0.113.9").status_code == 200
        )
    response = _upload(Client(), [_file("v.mp4", video)], REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 400
    assert (
        "Too many files have been sent from this connection recently" in response.content.decode()
    )
    assert "60 minutes" in response.content.decode()  # the window setting, in the message
    assert Evidence.objects.count() == 3
    # Someone else is not affected.
    assert _upload(Client(), [_file("v.mp4", video)], REMOTE_ADDR="192.0.2.44").status_code == 200


@pytest.mark.django_db
def test_upload__one_request_cannot_pass_the_quota(reference_data, settings):
    settings.SANAD_EVIDENCE_CLIENT_BYTES = 2 * MIB + 1000
    files = [_file(f"v{n}.mp4", samples.mp4(MIB, seed=n)) for n in range(4)]
    response = _upload(Client(), files, REMOTE_ADDR="203.0.113.10")
    assert response.status_code == 400
    assert Evidence.objects.count() == 2


@pytest.mark.django_db
def test_upload__addresses_of_one_network_share_the_network_quota(reference_data, settings):
    settings.SANAD_EVIDENCE_NETWORK_BYTES = 2 * MIB + 1000
    video = samples.mp4(MIB)
    for host in (1, 2):
        _upload(Client(), [_file("v.mp4", video)], REMOTE_ADDR=f"2001:db8:5:7::{host}")
    response = _upload(Client(), [_file("v.mp4", video)], REMOTE_ADDR="2001:db8:5:7::99")
    assert response.status_code == 400
    assert Evidence.objects.count() == 2
    assert client_network("2001:db8:5:7::99") == client_network("2001:db8:5:7:ffff::1")
    assert client_network("198.51.100.7") == "198.51.100.0/24"


@pytest.mark.django_db
def test_upload__site_quota_stops_a_flood_from_many_networks(reference_data, settings):
    settings.SANAD_EVIDENCE_SITE_BYTES = 2 * MIB + 1000
    video = samples.mp4(MIB)
    for network in (1, 2):
        _upload(Client(), [_file("v.mp4", video)], REMOTE_ADDR=f"198.51.{network}.1")
    response = _upload(Client(), [_file("v.mp4", video)], REMOTE_ADDR="198.51.3.1")
    assert response.status_code == 400
    assert "Sanad is receiving a great many files right now" in response.content.decode()
    assert Evidence.objects.count() == 2


@pytest.mark.django_db
def test_upload__refused_before_the_disk_fills(reference_data, settings, upload_tmp):  # noqa: F811
    free = os.statvfs(str(upload_tmp))
    settings.SANAD_EVIDENCE_DISK_RESERVE_BYTES = free.f_bavail * free.f_frsize  # leaves < one file
    response = _upload(Client(), [_file("v.mp4", samples.mp4(MIB))])
    assert response.status_code == 400
    assert "Files cannot be received at the moment" in response.content.decode()
    assert not Evidence.objects.exists()
    assert [path for path in upload_tmp.rglob("*") if path.is_file()] == []


@pytest.mark.django_db
def test_followup_upload__counts_against_the_same_quota(reference_data, settings, file_report):
    from reporting.followup import SESSION_CASE, SESSION_SEEN

    settings.SANAD_EVIDENCE_CLIENT_BYTES = MIB + 1000
    case = file_report().case
    video = samples.mp4(MIB)
    _upload(Client(), [_file("v.mp4", video)], REMOTE_ADDR="203.0.113.77")
    client = Client()
    session = client.session
    session[SESSION_CASE] = case.pk
    session[SESSION_SEEN] = time.time()
    session.save()
    response = client.post(
        "/en/follow-up/case/evidence/",
        {"files": [_file("v.mp4", video)]},
        REMOTE_ADDR="203.0.113.77",
    )
    assert response.status_code == 400
    assert (
        "Too many files have been sent from this connection recently" in response.content.decode()
    )
    assert not Evidence.objects.filter(case=case).exists()
    # The victim's own quota is separate from an attacker's on another network.
    response = client.post(
        "/en/follow-up/case/evidence/", {"files": [_file("v.mp4", video)]}, REMOTE_ADDR="192.0.2.8"
    )
    assert response.status_code == 302
    assert Evidence.objects.filter(case=case).count() == 1


# --- 3. archives and PDFs --------------------------------------------------------


def _zip_bomb(gib: int = 1) -> bytes:
    """One entry of ``gib`` GiB of zeros, deflated to a few MB per GiB (fastest level)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("_chat.txt", "w", force_zip64=True) as entry:
            block = bytes(8 * MIB)
            for _ in range(gib * 128):
                entry.write(block)
    return out.getvalue()


def _zip_with_names(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(zipfile.ZipInfo(name), b"hello")
    return out.getvalue()


def _zip_with_symlink() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        info = zipfile.ZipInfo("photos")
        info.external_attr = (0o120777 << 16) | 0x20
        archive.writestr(info, "/etc")
        archive.writestr("_chat.txt", b"hi")
    return out.getvalue()


def _zip_marked_encrypted() -> bytes:
    """A zip whose entry says it is encrypted (flag bit 0): nothing in it can be checked."""
    data = bytearray(samples.zip_of({"_chat.txt": b"hello " * 100}))
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    data[local + 6] |= 0x01
    data[central + 8] |= 0x01
    return bytes(data)


ARCHIVES = {
    "encrypted_entry": ("evidence_archive_unreadable", _zip_marked_encrypted),
    "damaged_zip": (
        "evidence_archive_unreadable",
        lambda: b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + samples.noise(5000, seed=9),
    ),
    "zip_bomb_1_gib": ("evidence_archive_bomb", lambda: _zip_bomb(1)),
    "exe_inside_deflated_zip": (
        "evidence_archive_program",
        lambda: samples.zip_of({"_chat.txt": b"hi", "photo.jpg": samples.WINDOWS_EXE}),
    ),
    "elf_inside_deflated_zip": (
        "evidence_archive_program",
        # Compressible, so the ELF header is not visible in the deflated bytes.
        lambda: samples.zip_of({"_chat.txt": b"hi", "IMG-001.jpg": samples.ELF[:20] + bytes(4000)}),
    ),
    "program_name": ("evidence_archive_program", lambda: samples.zip_of({"run.bat": b"echo"})),
    "nested_zip": (
        "evidence_archive_program",
        lambda: samples.zip_of({"inner.dat": samples.zip_of({"a.exe": samples.WINDOWS_EXE})}),
    ),
    "zip_slip_parent": ("evidence_archive_unsafe_name", lambda: _zip_with_names(["../../x.txt"])),
    "zip_slip_nested": ("evidence_archive_unsafe_name", lambda: _zip_with_names(["a/../../x"])),
    "zip_slip_absolute": ("evidence_archive_unsafe_name", lambda: _zip_with_names(["/etc/x"])),
    "zip_slip_drive": ("evidence_archive_unsafe_name", lambda: _zip_with_names(["C:/win.ini"])),
    "zip_slip_backslash": ("evidence_archive_unsafe_name", lambda: _zip_with_names(["..\\x"])),
    "symlink": ("evidence_archive_unsafe_name", _zip_with_symlink),
    "too_many_entries": (
        "evidence_archive_bomb",
        lambda: _zip_with_names([f"m{n}.txt" for n in range(2_001)]),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ARCHIVES))
def test_upload__hostile_archive_is_refused_and_nothing_kept(
    name,
    reference_data,
    upload_tmp,  # noqa: F811
    _evidence_dir,
):
    code, make = ARCHIVES[name]
    response = _upload(Client(), [_file("chat.zip", make())])
    assert response.status_code == 400
    assert not Evidence.objects.exists()
    assert [path for path in _evidence_dir.rglob("*") if path.is_file()] == []
    assert [path for path in upload_tmp.rglob("*") if path.is_file()] == []
    from casework.inspection import (
        EVIDENCE_ARCHIVE_BOMB,
        EVIDENCE_ARCHIVE_PROGRAM,
        EVIDENCE_ARCHIVE_UNREADABLE,
        EVIDENCE_ARCHIVE_UNSAFE_NAME,
    )

    expected = {
        "evidence_archive_unreadable": EVIDENCE_ARCHIVE_UNREADABLE,
        "evidence_archive_bomb": EVIDENCE_ARCHIVE_BOMB,
        "evidence_archive_program": EVIDENCE_ARCHIVE_PROGRAM,
        "evidence_archive_unsafe_name": EVIDENCE_ARCHIVE_UNSAFE_NAME,
    }[code]
    assert str(expected) in response.content.decode()


@pytest.mark.django_db
def test_upload__whatsapp_export_zip_is_accepted(reference_data):
    export = samples.zip_of(
        {
            "_chat.txt": samples.chat_export(40_000),
            "IMG-20260312-WA0001.jpg": samples.jpeg(),
            "00000012-PHOTO-2026-03-12.jpg": samples.jpeg(),
            "statement.pdf": samples.pdf(),
        }
    )
    assert _upload(Client(), [_file("WhatsApp Chat.zip", export)]).status_code == 200
    (evidence,) = Evidence.objects.all()
    assert evidence.kind == Evidence.Kind.ARCHIVE


def _pdf(build) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    build(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _javascript(pdf):
    pdf.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('x')")
    )


def _launch(pdf):
    pdf.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.Launch, F=pikepdf.String("C:\\Windows\\System32\\calc.exe")
    )


def _embedded(pdf):
    pdf.attachments["invoice.exe"] = pikepdf.AttachedFileSpec(pdf, samples.WINDOWS_EXE)


def _page_action(pdf):
    pdf.pages[0].obj.AA = pikepdf.Dictionary(
        O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("this.print()"))
    )


@pytest.mark.django_db
@pytest.mark.parametrize("build", [_javascript, _launch, _embedded, _page_action])
def test_pdf_with_active_content__kept_byte_identical_and_flagged_for_the_officer(
    build,
    cp_case,  # noqa: F811
    staff,  # noqa: F811
    console_client,  # noqa: F811
    post_upload,
):
    from casework.evidence import evidence_open

    document = _pdf(build)
    staff("officer.baghdad", governorates=["baghdad"])
    case = cp_case()
    evidence = evidence_store(sealer=Sealer.of(case), upload=post_upload(document, case), case=case)
    assert evidence.risk == Evidence.Risk.PDF_ACTIVE
    assert b"".join(evidence_open(evidence=evidence, sealer=Sealer.of(case))) == document
    client = console_client(case.assigned_officer)
    page = client.get(console_url("casework_case_change", case.pk)).content.decode()
    assert "Warning: this PDF contains scripts, automatic actions or embedded files" in page
    response = client.post(
        console_url("casework_case_evidence_open", case.pk, evidence.pk), {"reason": "court"}
    )
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == document


@pytest.mark.django_db
def test_pdf__plain_document_is_not_flagged_and_damaged_one_is(sealer_for_owner, post_upload):
    plain = evidence_store(sealer=sealer_for_owner, upload=post_upload(_pdf(lambda pdf: None)))
    assert plain.risk == Evidence.Risk.NONE
    damaged = evidence_store(
        sealer=sealer_for_owner, upload=post_upload(b"%PDF-1.7\n" + samples.noise(3000))
    )
    assert damaged.risk == Evidence.Risk.PDF_UNCHECKED


# --- 4. nameless files and temporary files of a dead worker --------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", [".", "..", "\x01\x02"])
def test_upload__file_named_dot_is_kept_under_a_generic_name(name, reference_data):
    from casework.evidence import evidence_original_name

    body, content_type = samples.multipart_body(
        [("files", name, "image/jpeg", samples.jpeg())], {"upload": "1"}
    )
    response = Client().post(EVIDENCE_URL, data=body, content_type=content_type)
    assert response.status_code == 200
    (evidence,) = Evidence.objects.all()
    draft = ReportDraft.objects.get()
    assert evidence_original_name(evidence=evidence, sealer=Sealer.of(draft)) == ""


@pytest.mark.django_db
def test_upload__file_with_empty_name_is_refused_aloud(reference_data):
    body, content_type = samples.multipart_body(
        [("files", "", "image/jpeg", samples.jpeg())], {"upload": "1"}
    )
    response = Client().post(EVIDENCE_URL, data=body, content_type=content_type)
    assert response.status_code == 400
    assert "A file arrived without a name" in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_upload__no_file_chosen_is_not_an_error(reference_data):
    body, content_type = samples.multipart_body(
        [("files", "", "application/octet-stream", b"")], {"upload": "1"}
    )
    response = Client().post(EVIDENCE_URL, data=body, content_type=content_type)
    assert response.status_code == 200
    assert "A file arrived without a name" not in response.content.decode()


@pytest.mark.django_db
def test_purge_expired__sweeps_temporary_files_of_dead_workers(settings, upload_tmp):  # noqa: F811
    directory = evidence_temp_dir()
    stale = os.path.join(directory, "sanad-killed.enc")
    fresh = os.path.join(directory, "sanad-running.enc")
    other = os.path.join(directory, "someone-else.tmp")
    for path in (stale, fresh, other):
        with open(path, "wb") as handle:
            handle.write(b"ciphertext")
    old = time.time() - settings.SANAD_EVIDENCE_TEMP_MAX_AGE_SECONDS - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    assert not os.path.exists(stale)
    assert os.path.exists(fresh) and os.path.exists(other)
    assert "Deleted 1 stale temporary upload files" in out.getvalue()
