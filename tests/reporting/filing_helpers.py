"""Writing a report through the public pages, for the filing tests."""

from __future__ import annotations

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

CODE_PATTERN = re.compile(r"\b\d{4} \d{4} \d{4} \d{4} \d{4}\b")


def png_upload(name: str = "threat.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def write_report(client, *, lang: str = "en", evidence: bool = False, **steps) -> None:
    """Fill the report's steps through HTTP; ``steps`` override a step's POST."""
    base = f"/{lang}/report"
    posts = {
        "what": {"category": "hacked_account", "narrative": "my story", "next": "1"},
        "blackmailer": {"knows_blackmailer": "yes", "next": "1"},
        "safety": {"is_minor": "no", "self_harm": "no", "next": "1"},
        "contact": {"contact_method": "messages_only", "governorate": "baghdad", "next": "1"},
    }
    posts.update(steps)
    for slug, data in posts.items():
        client.post(f"{base}/{slug}/", data)
    if evidence:
        response = client.post(f"{base}/evidence/", {"files": [png_upload()], "upload": "1"})
        assert response.status_code == 200, response.content[:300]


def shown_code(html: str) -> str | None:
    found = CODE_PATTERN.search(html)
    return found.group(0) if found else None
