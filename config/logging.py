"""Logging and error reports that cannot carry a victim's data.

Django's request logging attaches the request (client address, user agent,
query string, POST body) to log records and error reports. Here the request is
removed from every record and reports keep only the method and path.
"""

from __future__ import annotations

import logging

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter


class ScrubRequestFilter(logging.Filter):
    """Drop the request from log records and reduce messages to method + path."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None:
            record.request = None
            method = getattr(request, "method", "?")
            path = getattr(request, "path", "?")
            status = getattr(record, "status_code", "")
            record.msg = "%s %s %s"
            record.args = (method, path, status)
        # 4xx noise on public pages is not worth a line that could be correlated.
        if record.name == "django.request" and getattr(record, "status_code", 500) < 500:
            return False
        return True


class RedactingExceptionReporterFilter(SafeExceptionReporterFilter):
    """Hide every POST value, every local variable and all request metadata."""

    def is_active(self, request):  # noqa: ARG002 - always on, DEBUG or not
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]

    def get_safe_request_meta(self, request):
        return {}

    def get_safe_cookies(self, request):
        return {}


class MinimalExceptionReporter(ExceptionReporter):
    """Error reports without the query string, files or request metadata."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        for key in ("request_GET_items", "request_FILES_items", "request_COOKIES_items"):
            data[key] = []
        data["request_meta"] = {}
        return data
