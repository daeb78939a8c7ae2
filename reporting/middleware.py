"""The public site shows every time in Iraq time (Asia/Baghdad).

Times are stored in UTC. A victim reading "09:30" for a message an officer
sent at 09:30 Baghdad time must not see "06:30": the officers' console already
shows Baghdad time, and both sides talk about the same moments.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class VictimTimeZoneMiddleware:
    """Activate Iraq time for the views of the public site (``reporting``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            if getattr(request, "_victim_time_zone", False):
                timezone.deactivate()

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        match = request.resolver_match
        if match is not None and "reporting" in match.namespaces:
            timezone.activate(ZoneInfo(settings.DISPLAY_TIME_ZONE))
            request._victim_time_zone = True
