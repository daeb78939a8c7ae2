"""Envelope encryption for victim data: AES-256-GCM only.

- Each case has its own random data key (DEK). It is stored wrapped (encrypted)
  by a key-encryption key (KEK) from ``SANAD_KEYS``; the first KEK wraps, all of
  them unwrap, so a new KEK can be introduced without downtime and
  ``manage.py rotate_keys`` re-wraps every DEK under the newest one.
- Every ciphertext is bound by associated data to its owner (the case uuid)
  and to its field: a value copied into another case or field fails to decrypt.
- Evidence files are encrypted as a stream of 64 KiB chunks under a per-file key
  derived from the case DEK. Each chunk's nonce carries its index and a "last
  chunk" flag, so truncating, reordering, dropping or altering chunks fails.

Nothing here logs, and no exception message carries plaintext.
"""

from __future__ import annotations

import base64
import binascii
import collections
import functools
import hashlib
import hmac
import io
import json
import os
import re
import struct
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FORMAT_VERSION = 1
NONCE_BYTES = 12
KEY_BYTES = 32
STREAM_MAGIC = b"SNDE1"
STREAM_CHUNK = 64 * 1024
STREAM_PREFIX_BYTES = 7
TAG_BYTES = 16


class DecryptionError(Exception):
    """Ciphertext was altered, moved, truncated, or the key is unknown."""


@dataclass(frozen=True)
class KeyEncryptionKey:
    key_id: str
    aead: AESGCM
    # HMAC of a constant under the key: proves which key bytes sit behind an
    # id without revealing them (casework.key_checks stores it per key id).
    check_value: str = ""


KEY_CHECK_LABEL = b"sanad/key-check/v1/"


def key_check_value(raw: bytes, key_id: str) -> str:
    return hmac.new(raw, KEY_CHECK_LABEL + key_id.encode(), hashlib.sha256).hexdigest()


_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


@functools.lru_cache(maxsize=8)
def _parse_keks(spec: str) -> tuple[KeyEncryptionKey, ...]:
    # Messages name the entry's position, never its content: they reach logs.
    keks = []
    for position, item in enumerate(spec.split(","), start=1):
        item = item.strip()
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id or len(key_id) > 32 or not _KEY_ID.fullmatch(key_id):
            raise ImproperlyConfigured(
                f"SANAD_KEYS entry {position} must look like 'id:<base64 32 bytes>' "
                "(id: letters, digits, '-' or '_', at most 32)."
            )
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error as error:
            raise ImproperlyConfigured(
                f"SANAD_KEYS entry {position} is not valid base64."
            ) from error
        if len(raw) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"SANAD_KEYS entry {position} must be 32 bytes (256 bits) once decoded."
            )
        keks.append(KeyEncryptionKey(key_id, AESGCM(raw), key_check_value(raw, key_id)))
    if not keks:
        raise ImproperlyConfigured("SANAD_KEYS holds no key.")
    if len({k.key_id for k in keks}) != len(keks):
        raise ImproperlyConfigured("SANAD_KEYS has two keys with the same id.")
    return tuple(keks)


def key_encryption_keys() -> tuple[KeyEncryptionKey, ...]:
    return _parse_keks(settings.SANAD_KEYS)


def newest_key_id() -> str:
    return key_encryption_keys()[0].key_id


def _owner_bytes(owner: uuid.UUID) -> bytes:
    return owner.bytes


# --- data keys -------------------------------------------------------------


def data_key_new(*, owner: uuid.UUID) -> tuple[bytes, bytes]:
    """Return ``(data_key, wrapped)``; store only ``wrapped``."""
    data_key = AESGCM.generate_key(bit_length=256)
    return data_key, data_key_wrap(data_key, owner=owner)


def data_key_wrap(data_key: bytes, *, owner: uuid.UUID) -> bytes:
    kek = key_encryption_keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    key_id = kek.key_id.encode()
    sealed = kek.aead.encrypt(nonce, data_key, b"sanad/dek/" + _owner_bytes(owner))
    return bytes([FORMAT_VERSION, len(key_id)]) + key_id + nonce + sealed


def wrapped_key_id(wrapped: bytes) -> str:
    wrapped = bytes(wrapped)
    return wrapped[2 : 2 + wrapped[1]].decode()


def data_key_unwrap(wrapped: bytes, *, owner: uuid.UUID) -> bytes:
    wrapped = bytes(wrapped)
    if len(wrapped) < 2 or wrapped[0] != FORMAT_VERSION:
        raise DecryptionError("unknown wrapped-key format")
    id_len = wrapped[1]
    key_id = wrapped[2 : 2 + id_len].decode()
    nonce = wrapped[2 + id_len : 2 + id_len + NONCE_BYTES]
    sealed = wrapped[2 + id_len + NONCE_BYTES :]
    for kek in key_encryption_keys():
        if kek.key_id == key_id:
            try:
                return kek.aead.decrypt(nonce, sealed, b"sanad/dek/" + _owner_bytes(owner))
            except InvalidTag as error:
                raise DecryptionError("data key does not belong to this owner") from error
    raise DecryptionError("the key that wrapped this data key is not configured")


def data_key_rewrap(wrapped: bytes, *, owner: uuid.UUID) -> bytes:
    """Re-wrap under the newest KEK (no-op result if it already is)."""
    if wrapped_key_id(wrapped) == newest_key_id():
        return bytes(wrapped)
    return data_key_wrap(data_key_unwrap(wrapped, owner=owner), owner=owner)


# --- fields ----------------------------------------------------------------


def _field_ad(owner: uuid.UUID, field: str) -> bytes:
    return b"sanad/field/" + _owner_bytes(owner) + b"/" + field.encode()


def field_encrypt(data_key: bytes, plaintext: bytes, *, owner: uuid.UUID, field: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return (
        bytes([FORMAT_VERSION])
        + nonce
        + AESGCM(data_key).encrypt(nonce, plaintext, _field_ad(owner, field))
    )


def field_decrypt(data_key: bytes, blob: bytes, *, owner: uuid.UUID, field: str) -> bytes:
    blob = bytes(blob)
    if len(blob) < 1 + NONCE_BYTES + TAG_BYTES or blob[0] != FORMAT_VERSION:
        raise DecryptionError("unknown ciphertext format")
    nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return AESGCM(data_key).decrypt(nonce, sealed, _field_ad(owner, field))
    except InvalidTag as error:
        raise DecryptionError("ciphertext does not belong to this owner and field") from error


class Sealer:
    """Encrypt and decrypt the fields of one owner (a case, or a draft that becomes one)."""

    def __init__(
        self, *, owner: uuid.UUID, wrapped_key: bytes | None = None, data_key: bytes | None = None
    ):
        self.owner = owner
        if data_key is None:
            if wrapped_key is None:
                raise ValueError("a Sealer needs a wrapped key or a data key")
            data_key = data_key_unwrap(wrapped_key, owner=owner)
        self._data_key = data_key

    @classmethod
    def of(cls, holder) -> Sealer:
        """The sealer of anything that keeps its own wrapped data key under its
        uuid: a case, or a draft that becomes one."""
        return cls(owner=holder.uuid, wrapped_key=holder.wrapped_key)

    @classmethod
    def new(cls, *, owner: uuid.UUID) -> tuple[Sealer, bytes]:
        data_key, wrapped = data_key_new(owner=owner)
        return cls(owner=owner, data_key=data_key), wrapped

    def seal_text(self, field: str, value: str | None) -> bytes | None:
        if value is None or value == "":
            return None
        return field_encrypt(self._data_key, value.encode("utf-8"), owner=self.owner, field=field)

    def open_text(self, field: str, blob: bytes | None) -> str:
        if not blob:
            return ""
        return field_decrypt(self._data_key, blob, owner=self.owner, field=field).decode("utf-8")

    def seal_json(self, field: str, value: Any) -> bytes:
        payload = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
        return field_encrypt(self._data_key, payload.encode("utf-8"), owner=self.owner, field=field)

    def open_json(self, field: str, blob: bytes | None, default: Any = None) -> Any:
        if not blob:
            return default
        return json.loads(field_decrypt(self._data_key, blob, owner=self.owner, field=field))

    def seal_bytes(self, field: str, value: bytes | None) -> bytes | None:
        """Encrypt binary data (an evidence preview) bound to this owner and ``field``."""
        if value is None:
            return None
        return field_encrypt(self._data_key, bytes(value), owner=self.owner, field=field)

    def open_bytes(self, field: str, blob: bytes | None) -> bytes:
        if not blob:
            return b""
        return field_decrypt(self._data_key, blob, owner=self.owner, field=field)

    def stream_encryptor(self, *, file_id: uuid.UUID) -> StreamEncryptor:
        return StreamEncryptor(_file_key(self._data_key, self.owner, file_id))

    def stream_decrypt(self, *, file_id: uuid.UUID, source: BinaryIO) -> Iterator[bytes]:
        return stream_decrypt(_file_key(self._data_key, self.owner, file_id), source)

    def stream_reader(self, *, file_id: uuid.UUID, source: BinaryIO) -> StreamReader:
        """A seekable, read-only plaintext view of an encrypted stream (one chunk in memory)."""
        return StreamReader(_file_key(self._data_key, self.owner, file_id), source)


# --- streams (evidence files) -------------------------------------------------


def _file_key(data_key: bytes, owner: uuid.UUID, file_id: uuid.UUID) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=None,
        info=b"sanad/evidence/" + _owner_bytes(owner) + file_id.bytes,
    ).derive(data_key)


def _chunk_nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", index) + (b"\x01" if last else b"\x00")


class StreamEncryptor:
    """Encrypt a file as it arrives; memory stays at one chunk whatever the size.

    Incoming pieces are held as they are (no copy) until a whole chunk is
    known not to be the last; a piece that is exactly one chunk (what Django's
    upload parser hands over) is sealed without being copied at all.
    """

    def __init__(self, file_key: bytes, chunk_size: int = STREAM_CHUNK):
        self._aead = AESGCM(file_key)
        self._prefix = os.urandom(STREAM_PREFIX_BYTES)
        self._chunk_size = chunk_size
        self.header = STREAM_MAGIC + struct.pack(">I", chunk_size) + self._prefix
        self._pieces: collections.deque[bytes] = collections.deque()
        self._held = 0
        self._index = 0
        self._started = False
        self._finished = False

    def _seal(self, plain: bytes, last: bool) -> bytes:
        if self._index >= 2**32 - 1:
            raise ValueError("file too large for one stream")
        sealed = self._aead.encrypt(
            _chunk_nonce(self._prefix, self._index, last), plain, self.header
        )
        self._index += 1
        return sealed

    @property
    def buffered(self) -> int:
        """Plaintext bytes held back until a whole chunk can be sealed (< chunk size + input)."""
        return self._held

    def _take(self, size: int) -> bytes:
        first = self._pieces[0]
        if len(first) == size:
            self._pieces.popleft()
            self._held -= size
            return first
        parts, wanted = [], size
        while wanted:
            piece = self._pieces.popleft()
            if len(piece) > wanted:
                self._pieces.appendleft(piece[wanted:])
                piece = piece[:wanted]
            parts.append(piece)
            wanted -= len(piece)
        self._held -= size
        return b"".join(parts)

    def update(self, data: bytes) -> bytes:
        if self._finished:
            raise ValueError("stream already finalised")
        out: list[bytes] = []
        if not self._started:
            out.append(self.header)
            self._started = True
        if data:
            self._pieces.append(bytes(data))
            self._held += len(data)
        # Keep at least one byte back: the last chunk must be sealed as last.
        while self._held > self._chunk_size:
            out.append(self._seal(self._take(self._chunk_size), last=False))
        return out[0] if len(out) == 1 else b"".join(out)

    def finalize(self) -> bytes:
        if self._finished:
            raise ValueError("stream already finalised")
        out = b""
        if not self._started:
            out += self.header
            self._started = True
        remaining = b"".join(self._pieces)
        self._pieces.clear()
        self._held = 0
        out += self._seal(remaining, last=True)
        self._finished = True
        return out


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    parts = []
    remaining = size
    while remaining:
        block = source.read(remaining)
        if not block:
            break
        parts.append(block)
        remaining -= len(block)
    return b"".join(parts)


def stream_decrypt(file_key: bytes, source: BinaryIO) -> Iterator[bytes]:
    """Yield plaintext chunks; raise DecryptionError on any tampering or truncation."""
    header_size = len(STREAM_MAGIC) + 4 + STREAM_PREFIX_BYTES
    header = _read_exactly(source, header_size)
    if len(header) != header_size or not header.startswith(STREAM_MAGIC):
        raise DecryptionError("not an encrypted evidence stream")
    (chunk_size,) = struct.unpack(">I", header[len(STREAM_MAGIC) : len(STREAM_MAGIC) + 4])
    prefix = header[len(STREAM_MAGIC) + 4 :]
    aead = AESGCM(file_key)
    index = 0
    sealed = _read_exactly(source, chunk_size + TAG_BYTES)
    while True:
        if len(sealed) < TAG_BYTES:
            raise DecryptionError("stream truncated")
        following = _read_exactly(source, chunk_size + TAG_BYTES)
        last = not following
        try:
            plain = aead.decrypt(_chunk_nonce(prefix, index, last), sealed, header)
        except InvalidTag as error:
            raise DecryptionError("stream altered, reordered or truncated") from error
        yield plain
        if last:
            return
        index += 1
        sealed = following


class StreamReader(io.RawIOBase):
    """Random-access plaintext of an encrypted evidence stream.

    Inspectors that must seek (zipfile, Pillow, pikepdf) read the file through
    this instead of a decrypted copy: no plaintext ever reaches disk, and
    memory stays at one decrypted chunk whatever the file's size. Every chunk
    is authenticated (index and last-chunk flag in its nonce) before a byte of
    it is returned; DecryptionError otherwise.
    """

    def __init__(self, file_key: bytes, source: BinaryIO):
        super().__init__()
        self._source = source
        source.seek(0, os.SEEK_END)
        total = source.tell()
        source.seek(0)
        header_size = len(STREAM_MAGIC) + 4 + STREAM_PREFIX_BYTES
        self._header = _read_exactly(source, header_size)
        if len(self._header) != header_size or not self._header.startswith(STREAM_MAGIC):
            raise DecryptionError("not an encrypted evidence stream")
        (self._chunk_size,) = struct.unpack(">I", self._header[len(STREAM_MAGIC) : header_size - 7])
        self._prefix = self._header[len(STREAM_MAGIC) + 4 :]
        self._header_size = header_size
        sealed_size = self._chunk_size + TAG_BYTES
        body = total - header_size
        self._chunks = max(1, -(-body // sealed_size))
        last_sealed = body - (self._chunks - 1) * sealed_size
        if last_sealed < TAG_BYTES:
            raise DecryptionError("stream truncated")
        self._size = (self._chunks - 1) * self._chunk_size + last_sealed - TAG_BYTES
        self._aead = AESGCM(file_key)
        self._position = 0
        self._cached_index = -1
        self._cached = b""

    @property
    def size(self) -> int:
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self._size}[whence]
        position = base + offset
        if position < 0:
            raise ValueError("negative seek position")
        self._position = position
        return position

    def _chunk(self, index: int) -> bytes:
        if index != self._cached_index:
            sealed_size = self._chunk_size + TAG_BYTES
            self._source.seek(self._header_size + index * sealed_size)
            sealed = _read_exactly(self._source, sealed_size)
            last = index == self._chunks - 1
            try:
                self._cached = self._aead.decrypt(
                    _chunk_nonce(self._prefix, index, last), sealed, self._header
                )
            except InvalidTag as error:
                raise DecryptionError("stream altered, reordered or truncated") from error
            self._cached_index = index
        return self._cached

    def readinto(self, buffer) -> int:
        with memoryview(buffer) as target:
            wanted = min(len(target), max(0, self._size - self._position))
            written = 0
            while written < wanted:
                index, offset = divmod(self._position, self._chunk_size)
                chunk = self._chunk(index)
                piece = min(wanted - written, len(chunk) - offset)
                target[written : written + piece] = chunk[offset : offset + piece]
                written += piece
                self._position += piece
            return written


def stream_encrypt_all(file_key: bytes, chunks: Iterable[bytes]) -> bytes:
    encryptor = StreamEncryptor(file_key)
    return b"".join([*(encryptor.update(c) for c in chunks), encryptor.finalize()])


# --- fingerprints (case linking without decryption) ---------------------------


def fingerprint(normalised: str) -> str:
    """Keyed hash of a normalised suspect identifier (separate key from encryption)."""
    key = settings.SANAD_FINGERPRINT_KEY.encode()
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


def client_fingerprint(client_address: str, *, purpose: str) -> str:
    """Short keyed hash of a client address, for throttle keys only (never stored with a case)."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{purpose}:{client_address}".encode(), hashlib.sha256).hexdigest()[:16]
