"""Headers every response carries, whatever view produced it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)


class PrivacyHeadersMiddleware:
    """No page is stored by the browser or a proxy.

    Sanad is used on shared and watched phones: a page kept in the browser's
    cache or back/forward history can tell someone else that a report exists.
    Static files are served (and cached) by whitenoise before this runs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store, max-age=0"
        response["Pragma"] = "no-cache"
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.setdefault("X-Robots-Tag", "noindex, nofollow")
        return response
