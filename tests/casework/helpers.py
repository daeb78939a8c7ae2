"""Small helpers shared by the console tests."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation


def console_url(name: str, *args) -> str:
    """A console URL in English (/en/console/...), so assertions read in English."""
    with translation.override("en"):
        return reverse(f"console:{name}", args=args)
