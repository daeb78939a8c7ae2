"""A victim files in each language with a unique marker ("canary") in every
field she can type in and inside her evidence; then everything the server keeps
is searched for those markers: every row of every table (sessions included),
every byte of evidence storage, every log record, and every file written to the
temp directory during the journey. Nothing may be found."""

from __future__ import annotations

import io
import logging
import secrets
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from PIL import Image, PngImagePlugin

from tests.reporting.test_journey import upload

pytestmark = pytest.mark.django_db


def _canaries() -> dict[str, str]:
    tag = secrets.token_hex(4).upper()
    digits = "".join(secrets.choice("0123456789") for _ in range(7))
    return {
        "narrative": f"NARRATIVE{tag} he has my photos",
        "identifiers": f"@handle{tag.lower()}",
        "demands": f"DEMANDS{tag}",
        "amount_paid": f"AMOUNT{tag}",
        "phone": f"0770{digits}",
        "phone_e164": f"+964770{digits}",
        "safe_hours": f"HOURS{tag}",
        "name": f"NAME{tag}",
        "message": f"MESSAGE{tag} please call after four",
        "evidence": f"EXIF{tag}",
        "file_name": f"FILENAME{tag}",
    }


def _png_with_text(text: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def _file_and_follow_up(client: Client, lang: str, canary: dict[str, str]) -> str:
    base = f"/{lang}/report"
    steps = [
        ("what", {"category": "intimate_images", "platform": "instagram",
                  "narrative": canary["narrative"]}),
        ("blackmailer", {"knows_blackmailer": "yes", "identifiers": canary["identifiers"]}),
        ("threat", {"deadline": "week", "demands": canary["demands"], "money_demanded": "yes",
                    "money_paid": "yes", "amount_paid": canary["amount_paid"]}),
        ("safety", {"is_minor": "no", "self_harm": "no", "device_shared": "yes"}),
        ("contact", {"contact_method": "phone", "phone": canary["phone"],
                     "safe_hours": canary["safe_hours"], "name": canary["name"],
                     "governorate": "baghdad"}),
    ]  # fmt: skip
    for slug, data in steps[:3]:
        assert client.post(f"{base}/{slug}/", {**data, "next": "1"}).status_code == 302, slug
    evidence = upload(f"{canary['file_name']}.png", _png_with_text(canary["evidence"]))
    assert client.post(f"{base}/evidence/", {"files": [evidence], "next": "1"}).status_code == 302
    for slug, data in steps[3:]:
        assert client.post(f"{base}/{slug}/", {**data, "next": "1"}).status_code == 302, slug
    receipt = client.post(f"{base}/send/", follow=True)
    assert receipt.status_code == 200
    reference, code = receipt.context["reference"], receipt.context["passphrase"]
    login = client.post(f"/{lang}/follow-up/", {"reference": reference, "passphrase": code})
    assert login.status_code == 302
    client.post(f"/{lang}/follow-up/case/message/", {"body": canary["message"]})
    canary["code"] = code.replace(" ", "")
    return reference


def _database_text() -> str:
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, bytearray, memoryview)):
                        raw = bytes(value)
                        parts += [raw.decode("utf-8", "ignore"), raw.decode("latin-1")]
                    else:
                        parts.append(str(value))
    return "\n".join(parts)


def _files_text(paths) -> str:
    parts = []
    for path in paths:
        try:
            if path.stat().st_size > 50_000_000:  # another process's big file
                continue
            raw = path.read_bytes()
        except OSError:  # vanished (another process's temp file) or unreadable
            continue
        parts += [raw.decode("utf-8", "ignore"), raw.decode("latin-1"), path.name]
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ["ar", "ckb", "en"])
def test_canaries__nothing_the_server_keeps_holds_a_victims_words(
    lang, reference_data, _evidence_dir, caplog
):
    caplog.set_level(logging.DEBUG)
    temp_root = Path(tempfile.gettempdir())
    started = time.time() - 1
    canary = _canaries()
    reference = _file_and_follow_up(Client(), lang, canary)

    new_temp_files = [
        p
        for p in temp_root.rglob("*")
        if p.is_file() and not p.is_symlink() and _modified_since(p, started)
    ]
    places = {
        "database (sessions included)": _database_text(),
        "evidence storage": _files_text(p for p in _evidence_dir.rglob("*") if p.is_file()),
        "logs": caplog.text + "\n".join(str(r.__dict__) for r in caplog.records),
        "temp files": _files_text(new_temp_files),
    }
    # The scan is real: the store has files and the dump has the (public) reference.
    assert list(_evidence_dir.rglob("*")), "the evidence store is empty"
    assert reference in places["database (sessions included)"]
    for where, text in places.items():
        for field, value in canary.items():
            assert value not in text, f"{field} found in {where}"


def _modified_since(path: Path, since: float) -> bool:
    try:
        return path.stat().st_mtime >= since
    except OSError:
        return False
