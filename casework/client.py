"""Where a request comes from, for throttling only (public site and console).
Never stored, never logged."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address as the nearest trusted proxy saw it.

    With ``SANAD_TRUSTED_PROXY_COUNT = n`` the n-th entry from the right of
    X-Forwarded-For is used; entries further left can be forged by the client.
    """
    proxies = settings.SANAD_TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
