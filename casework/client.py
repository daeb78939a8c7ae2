"""Where a request comes from, for throttling only (public site and console).
Never stored, never logged. The one rule for a client's address."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest


@lru_cache(maxsize=8)
def _networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def peer_is_trusted_proxy(peer: str) -> bool:
    """Whether the direct peer is one of ``SANAD_TRUSTED_PROXIES`` (addresses or CIDRs)."""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in _networks(tuple(settings.SANAD_TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    """The client's address as the nearest trusted proxy saw it.

    With ``SANAD_TRUSTED_PROXY_COUNT = n`` the n-th entry from the right of
    X-Forwarded-For is used; entries further left can be forged by the client.
    X-Forwarded-For is believed only when the request came directly from a
    trusted proxy: a client reaching gunicorn directly could otherwise name
    any address, and so dodge every per-client throttle.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    proxies = settings.SANAD_TRUSTED_PROXY_COUNT
    if proxies > 0 and peer_is_trusted_proxy(peer):
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return peer
