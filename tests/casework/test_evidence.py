"""Evidence services: store, preview, attach at filing, open, discard."""

from __future__ import annotations

import io
import logging
import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from PIL import Image, ImageFilter, ImageStat

from casework import evidence as evidence_services
from casework.audit import audit_verify_chain
from casework.crypto import DecryptionError, Sealer
from casework.evidence import (
    evidence_attach_to_case,
    evidence_discard_for_owner,
    evidence_open,
    evidence_original_name,
    evidence_preview,
    evidence_store,
)
from casework.models import AuditEvent, Evidence
from tests.casework import evidence_samples as samples
from tests.casework.conftest import case_create, files_under

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(post_evidence, sealer):
    """Upload one file through the handler and store it."""

    def store(content, *, filename="file.bin", sealer=sealer, **options):
        _request, _handler, (upload,) = post_evidence(
            [("evidence", filename, "application/octet-stream", content)], sealer=sealer
        )
        return evidence_store(sealer=sealer, upload=upload, **options)

    return store


def _edge_energy(image: Image.Image) -> float:
    return ImageStat.Stat(image.convert("L").filter(ImageFilter.FIND_EDGES)).mean[0]


# --- previews -----------------------------------------------------------------


def test_evidence_store__preview_has_no_metadata_and_is_small_oriented_and_blurred(store, sealer):
    marker = f"Marker{uuid.uuid4().hex[:12]}"
    original = samples.jpeg_with_gps(marker, size=(1200, 900))
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # GPS present

    evidence = store(original, filename="IMG_0001.jpg")
    preview = evidence_preview(evidence=evidence, sealer=sealer)

    assert preview.startswith(b"\xff\xd8")
    assert b"Exif" not in preview and b"http://ns.adobe.com/xap" not in preview
    assert b"ICC_PROFILE" not in preview and marker.encode() not in preview
    with Image.open(io.BytesIO(preview)) as shown:
        assert shown.format == "JPEG"
        assert not shown.getexif()
        assert not {"exif", "comment", "icc_profile", "xmp"} & set(shown.info)
        # Orientation 6 applied: the landscape file is shown portrait.
        assert shown.size == (360, 480)
        sharp = samples.checkerboard((900, 1200)).resize(shown.size)
        assert _edge_energy(shown) < _edge_energy(sharp) / 10
    assert marker.encode() not in bytes(evidence.preview_enc)


@pytest.mark.parametrize("format_", ["PNG", "GIF", "WEBP"])
def test_evidence_store__previews_other_image_formats(store, sealer, format_):
    out = io.BytesIO()
    image = samples.checkerboard((800, 300)).convert("P" if format_ == "GIF" else "RGBA")
    image.save(out, format_)
    evidence = store(out.getvalue())
    with Image.open(io.BytesIO(evidence_preview(evidence=evidence, sealer=sealer))) as shown:
        assert shown.format == "JPEG" and shown.size == (480, 180)


def test_evidence_preview__none_for_files_that_are_not_decodable_images(store, sealer):
    for content in (samples.pdf(), samples.mp4(5000), samples.chat_export(), samples.heic()):
        evidence = store(content)
        assert evidence.preview_enc is None
        assert evidence_preview(evidence=evidence, sealer=sealer) is None


def test_evidence_store__keeps_a_truncated_image_without_a_preview(store, sealer):
    whole = samples.jpeg(image=samples.checkerboard((800, 600)))
    evidence = store(whole[: len(whole) // 2])
    assert evidence.kind == "image"
    assert evidence_preview(evidence=evidence, sealer=sealer) is None


def test_evidence_store__marks_pictures_intimate_and_text_not(store):
    assert store(samples.jpeg()).is_intimate
    assert store(samples.mp4(5000)).is_intimate
    assert store(samples.zip_of({"a.jpg": samples.jpeg()})).is_intimate
    assert not store(samples.chat_export()).is_intimate


# --- drafts, cases and the audit log ------------------------------------------


def test_evidence_store__draft_is_not_audited_until_attached_at_filing(
    store, owner, sealer_and_wrapped, reference_data
):
    first = store(samples.jpeg())
    second = store(samples.chat_export())
    assert first.case is None and first.owner_uuid == owner
    assert not AuditEvent.objects.exists()

    case = case_create(owner=owner, wrapped_key=sealer_and_wrapped[1], reference="SND-DRFT-0001")
    assert evidence_attach_to_case(owner_uuid=owner, case=case) == 2

    assert set(case.evidence.all()) == {first, second}
    events = list(AuditEvent.objects.filter(action=AuditEvent.Action.EVIDENCE_ADDED))
    assert len(events) == 2
    assert {event.details["evidence_uuid"] for event in events} == {
        str(first.uuid),
        str(second.uuid),
    }
    for event in events:
        assert event.case == case and event.actor_label == "victim"
        assert set(event.details) == {"evidence", "evidence_uuid", "kind", "size", "source"}
    assert audit_verify_chain() is None
    # Filing twice attaches nothing twice.
    assert evidence_attach_to_case(owner_uuid=owner, case=case) == 0


def test_evidence_attach_to_case__refuses_another_cases_draft(case):
    with pytest.raises(ValueError):
        evidence_attach_to_case(owner_uuid=uuid.uuid4(), case=case)


def test_evidence_store__with_case_audits_once_with_ids_only(store, case, django_user_model):
    officer = django_user_model.objects.create(username="officer-1")
    evidence = store(
        samples.pdf(),
        filename="statement-of-Zainab.pdf",
        case=case,
        source="officer",
        actor=officer,
    )
    (event,) = AuditEvent.objects.filter(action=AuditEvent.Action.EVIDENCE_ADDED)
    assert event.case == case and event.actor == officer
    assert event.details == {
        "evidence": evidence.pk,
        "evidence_uuid": str(evidence.uuid),
        "kind": "pdf",
        "size": evidence.size,
        "source": "officer",
    }
    assert "Zainab" not in str(event.details)


def test_evidence_store__refuses_a_sealer_of_another_case(post_evidence, case, upload_tmp):
    stranger, _ = Sealer.new(owner=uuid.uuid4())
    _request, _handler, (upload,) = post_evidence(
        [("evidence", "a.jpg", "image/jpeg", samples.jpeg())], sealer=stranger
    )
    with pytest.raises(ValueError):
        evidence_store(sealer=stranger, upload=upload, case=case)
    assert files_under(upload_tmp) == []
    assert not Evidence.objects.exists()


def test_evidence_store__refuses_an_upload_encrypted_for_another_owner(
    post_evidence, sealer, upload_tmp
):
    stranger, _ = Sealer.new(owner=uuid.uuid4())
    _request, _handler, (upload,) = post_evidence(
        [("evidence", "a.jpg", "image/jpeg", samples.jpeg())], sealer=stranger
    )
    with pytest.raises(ValueError):
        evidence_store(sealer=sealer, upload=upload)
    assert files_under(upload_tmp) == []


def test_evidence_store__an_upload_is_stored_once(post_evidence, sealer):
    _request, _handler, (upload,) = post_evidence(
        [("evidence", "a.jpg", "image/jpeg", samples.jpeg())]
    )
    evidence_store(sealer=sealer, upload=upload)
    with pytest.raises(ValueError):
        evidence_store(sealer=sealer, upload=upload)
    assert Evidence.objects.count() == 1


# --- limits -------------------------------------------------------------------


def test_evidence_store__refuses_more_than_the_maximum_files_per_owner(
    store, settings, _evidence_dir, upload_tmp, owner
):
    settings.SANAD_EVIDENCE_MAX_FILES = 2
    store(samples.jpeg())
    store(samples.pdf())
    with pytest.raises(ValidationError) as refused:
        store(samples.chat_export())
    assert refused.value.code == "evidence_too_many"
    assert Evidence.objects.filter(owner_uuid=owner).count() == 2
    assert len(files_under(_evidence_dir)) == 2
    assert files_under(upload_tmp) == []
    # Another owner has its own allowance.
    other, _ = Sealer.new(owner=uuid.uuid4())
    assert store(samples.jpeg(), sealer=other)


def test_evidence_store__a_failed_insert_leaves_no_stored_object(
    store, monkeypatch, _evidence_dir, upload_tmp
):
    def fail(**kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(Evidence.objects, "create", fail)
    with pytest.raises(IntegrityError):
        store(samples.jpeg())
    assert files_under(_evidence_dir) == []
    assert files_under(upload_tmp) == []


# --- logs ---------------------------------------------------------------------


def test_evidence_store__logs_no_file_name_or_content(store, post_evidence, sealer, caplog, case):
    marker = f"Rania-{uuid.uuid4().hex[:10]}"
    photo = samples.jpeg_with_gps(marker)  # EXIF Artist and Make carry the marker
    chat = samples.chat_export(marker=marker)
    caplog.set_level(logging.DEBUG)
    store(photo, filename=f"{marker}.jpg", case=case)
    store(chat, filename=f"{marker}.txt")
    _request, _handler, (refused,) = post_evidence(
        [("evidence", f"../{marker}.jpg", "image/jpeg", samples.ELF)]
    )
    with pytest.raises(ValidationError):
        evidence_store(sealer=sealer, upload=refused)

    assert caplog.records, "the services should log something, so this test can fail"
    assert marker not in caplog.text
    assert marker not in repr(refused) and marker not in str(refused)
    for event in AuditEvent.objects.all():
        assert marker not in str(event.details)


# --- opening ------------------------------------------------------------------


def test_evidence_open__streams_the_verified_original(store, sealer):
    original = samples.mp4(3 * 64 * 1024 + 17)
    evidence = store(original)
    assert evidence_original_name(evidence=evidence, sealer=sealer) == "file.bin"
    chunks = list(evidence_open(evidence=evidence, sealer=sealer))
    assert len(chunks) > 1 and b"".join(chunks) == original


def test_evidence_open__altered_ciphertext_fails(store, sealer, _evidence_dir):
    evidence = store(samples.mp4(200_000))
    path = _evidence_dir / evidence.storage_name
    altered = bytearray(path.read_bytes())
    altered[100_000] ^= 1
    path.write_bytes(bytes(altered))
    with pytest.raises(DecryptionError):
        b"".join(evidence_open(evidence=evidence, sealer=sealer))


def test_evidence_open__wrong_recorded_hash_withholds_the_last_chunk(store, sealer):
    original = samples.mp4(200_000)
    evidence = store(original)
    evidence.sha256 = "0" * 64
    received = []
    with pytest.raises(DecryptionError):
        for chunk in evidence_open(evidence=evidence, sealer=sealer):
            received.append(chunk)
    assert 0 < len(b"".join(received)) < len(original)


def test_evidence_open__refuses_the_sealer_of_another_owner(store):
    evidence = store(samples.jpeg())
    stranger, _ = Sealer.new(owner=uuid.uuid4())
    with pytest.raises(DecryptionError):
        evidence_open(evidence=evidence, sealer=stranger)
    with pytest.raises(DecryptionError):
        evidence_preview(evidence=evidence, sealer=stranger)


def test_evidence_open__a_preview_moved_to_another_file_does_not_decrypt(store, sealer):
    first, second = store(samples.jpeg()), store(samples.jpeg(size=(30, 30)))
    second.preview_enc = first.preview_enc
    with pytest.raises(DecryptionError):
        evidence_preview(evidence=second, sealer=sealer)


# --- discarding drafts --------------------------------------------------------


def test_evidence_discard_for_owner__deletes_draft_files_only(store, owner, case, _evidence_dir):
    filed = store(samples.jpeg(), case=case)
    other, _ = Sealer.new(owner=uuid.uuid4())
    others_draft = store(samples.jpeg(), sealer=other)
    store(samples.pdf())  # a draft file of the case's owner, not attached
    assert len(files_under(_evidence_dir)) == 3

    assert evidence_discard_for_owner(owner_uuid=owner) == 1

    assert set(Evidence.objects.all()) == {filed, others_draft}
    remaining = {path.relative_to(_evidence_dir).as_posix() for path in files_under(_evidence_dir)}
    assert remaining == {filed.storage_name, others_draft.storage_name}
    assert evidence_discard_for_owner(owner_uuid=owner) == 0


def test_storage_names__are_random_and_not_derived_from_anything(store):
    names = {store(samples.jpeg()).storage_name for _ in range(3)}
    assert len(names) == 3
    assert all(name.startswith(evidence_services.STORAGE_PREFIX) for name in names)


# --- concurrency (PostgreSQL: row and advisory locks) -------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_evidence_store__two_concurrent_uploads_cannot_pass_the_file_limit(
    post_evidence, sealer, owner, settings, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's locks")
    settings.SANAD_EVIDENCE_MAX_FILES = 1
    uploads = [
        post_evidence([("evidence", "a.jpg", "image/jpeg", samples.jpeg())])[2][0] for _ in range(2)
    ]
    both_counted = threading.Barrier(2, timeout=10)
    real_lock = evidence_services._lock_owner

    def lock_after_both_counted(owner_uuid):
        both_counted.wait()  # both passed the early count: only the lock can stop one
        real_lock(owner_uuid)

    monkeypatch.setattr(evidence_services, "_lock_owner", lock_after_both_counted)
    outcomes = []

    def upload_in_its_own_request(upload):
        try:
            evidence_store(sealer=sealer, upload=upload)
            outcomes.append("stored")
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload_in_its_own_request, args=(u,)) for u in uploads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["evidence_too_many", "stored"]
    assert Evidence.objects.filter(owner_uuid=owner).count() == 1
