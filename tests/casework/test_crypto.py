import base64
import io
import os
import uuid

import pytest

from casework import crypto

KEY_A = "a:" + base64.b64encode(b"A" * 32).decode()
KEY_B = "b:" + base64.b64encode(b"B" * 32).decode()


def test_field__round_trips_and_is_bound_to_owner_and_field():
    owner = uuid.uuid4()
    sealer, _wrapped = crypto.Sealer.new(owner=owner)
    blob = sealer.seal_text("narrative", "نص سري")
    assert "نص سري".encode() not in blob
    assert sealer.open_text("narrative", blob) == "نص سري"
    with pytest.raises(crypto.DecryptionError):
        sealer.open_text("identity", blob)  # moved to another field
    other = crypto.Sealer(owner=uuid.uuid4(), data_key=sealer._data_key)
    with pytest.raises(crypto.DecryptionError):
        other.open_text("narrative", blob)  # moved to another case


def test_field__tampering_fails():
    owner = uuid.uuid4()
    sealer, _ = crypto.Sealer.new(owner=owner)
    blob = bytearray(sealer.seal_text("narrative", "hello"))
    blob[-1] ^= 1
    with pytest.raises(crypto.DecryptionError):
        sealer.open_text("narrative", bytes(blob))


def test_data_key__wrapped_key_is_bound_to_owner():
    owner = uuid.uuid4()
    _key, wrapped = crypto.data_key_new(owner=owner)
    with pytest.raises(crypto.DecryptionError):
        crypto.data_key_unwrap(wrapped, owner=uuid.uuid4())


def test_key_rotation__old_data_readable_then_rewrapped_readable_with_new_key_alone(settings):
    owner = uuid.uuid4()
    settings.SANAD_KEYS = KEY_A
    sealer, wrapped = crypto.Sealer.new(owner=owner)
    blob = sealer.seal_text("narrative", "secret story")

    settings.SANAD_KEYS = f"{KEY_B},{KEY_A}"  # B is newest; A still unwraps
    assert (
        crypto.Sealer(owner=owner, wrapped_key=wrapped).open_text("narrative", blob)
        == "secret story"
    )
    rewrapped = crypto.data_key_rewrap(wrapped, owner=owner)
    assert crypto.wrapped_key_id(rewrapped) == "b"

    settings.SANAD_KEYS = KEY_B  # A retired
    assert (
        crypto.Sealer(owner=owner, wrapped_key=rewrapped).open_text("narrative", blob)
        == "secret story"
    )
    with pytest.raises(crypto.DecryptionError):
        crypto.Sealer(owner=owner, wrapped_key=wrapped)


@pytest.mark.parametrize(
    "size", [0, 1, crypto.STREAM_CHUNK - 1, crypto.STREAM_CHUNK, crypto.STREAM_CHUNK * 3 + 17]
)
def test_stream__round_trips_any_size(size):
    owner, file_id = uuid.uuid4(), uuid.uuid4()
    sealer, _ = crypto.Sealer.new(owner=owner)
    data = os.urandom(size)
    encryptor = sealer.stream_encryptor(file_id=file_id)
    out = b"".join(encryptor.update(data[i : i + 1000]) for i in range(0, len(data), 1000))
    out += encryptor.finalize()
    # A byte or two can occur in any ciphertext by chance; a longer run cannot.
    assert data not in out or size < 16
    assert b"".join(sealer.stream_decrypt(file_id=file_id, source=io.BytesIO(out))) == data


def _sealed_stream(chunks=3):
    owner, file_id = uuid.uuid4(), uuid.uuid4()
    sealer, _ = crypto.Sealer.new(owner=owner)
    data = os.urandom(crypto.STREAM_CHUNK * chunks + 100)
    encryptor = sealer.stream_encryptor(file_id=file_id)
    blob = encryptor.update(data) + encryptor.finalize()
    return sealer, file_id, blob


def _decrypt(sealer, file_id, blob):
    return b"".join(sealer.stream_decrypt(file_id=file_id, source=io.BytesIO(blob)))


def test_stream__truncation_at_a_chunk_boundary_fails():
    sealer, file_id, blob = _sealed_stream()
    header = len(crypto.STREAM_MAGIC) + 4 + crypto.STREAM_PREFIX_BYTES
    sealed_chunk = crypto.STREAM_CHUNK + crypto.TAG_BYTES
    with pytest.raises(crypto.DecryptionError):
        _decrypt(sealer, file_id, blob[: header + 2 * sealed_chunk])


def test_stream__reordering_chunks_fails():
    sealer, file_id, blob = _sealed_stream()
    header = len(crypto.STREAM_MAGIC) + 4 + crypto.STREAM_PREFIX_BYTES
    size = crypto.STREAM_CHUNK + crypto.TAG_BYTES
    first, second = blob[header : header + size], blob[header + size : header + 2 * size]
    swapped = blob[:header] + second + first + blob[header + 2 * size :]
    with pytest.raises(crypto.DecryptionError):
        _decrypt(sealer, file_id, swapped)


def test_stream__altered_byte_or_appended_data_fails():
    sealer, file_id, blob = _sealed_stream()
    altered = bytearray(blob)
    altered[len(blob) // 2] ^= 0x40
    with pytest.raises(crypto.DecryptionError):
        _decrypt(sealer, file_id, bytes(altered))
    with pytest.raises(crypto.DecryptionError):
        _decrypt(sealer, file_id, blob + b"\x00" * 40)


def test_stream__bound_to_its_file_id():
    sealer, file_id, blob = _sealed_stream(chunks=1)
    with pytest.raises(crypto.DecryptionError):
        _decrypt(sealer, uuid.uuid4(), blob)


def test_fingerprint__is_keyed(settings):
    first = crypto.fingerprint("+9647701234567")
    settings.SANAD_FINGERPRINT_KEY = "another key"
    assert crypto.fingerprint("+9647701234567") != first


def test_bytes_field__round_trips_and_is_bound_to_owner_and_field():
    owner = uuid.uuid4()
    sealer, _ = crypto.Sealer.new(owner=owner)
    preview = os.urandom(3000)
    blob = sealer.seal_bytes("evidence/1/preview", preview)
    assert preview not in blob
    assert sealer.open_bytes("evidence/1/preview", blob) == preview
    assert sealer.seal_bytes("evidence/1/preview", None) is None
    assert sealer.open_bytes("evidence/1/preview", None) == b""
    with pytest.raises(crypto.DecryptionError):
        sealer.open_bytes("evidence/2/preview", blob)  # another file's preview
    with pytest.raises(crypto.DecryptionError):
        crypto.Sealer(owner=uuid.uuid4(), data_key=sealer._data_key).open_bytes(
            "evidence/1/preview", blob
        )


def test_stream_encryptor__holds_back_less_than_one_chunk_whatever_the_input():
    sealer, _ = crypto.Sealer.new(owner=uuid.uuid4())
    encryptor = sealer.stream_encryptor(file_id=uuid.uuid4())
    for size in [1, 50_000, crypto.STREAM_CHUNK, 3 * crypto.STREAM_CHUNK + 5, 7]:
        encryptor.update(os.urandom(size))
        assert 0 < encryptor.buffered <= crypto.STREAM_CHUNK
    encryptor.finalize()
    assert encryptor.buffered == 0
