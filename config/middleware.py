"""Headers every response carries, whatever view produced it; bad input as a 400."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from whitenoise.middleware import WhiteNoiseFileResponse

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)


class PrivacyHeadersMiddleware:
    """No page is stored by the browser or a proxy; the outermost middleware.

    Sanad is used on shared and watched phones: a page kept in the browser's
    cache or back/forward history can tell someone else that a report exists.
    Being first in MIDDLEWARE, it sees every response, including those made
    by other middleware (redirects, 400s for a bad Host header), and sets the
    headers SecurityMiddleware would have set when that one was skipped.
    Static files (whitenoise) keep their long cache: they are the same for
    everyone and tell nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not isinstance(response, WhiteNoiseFileResponse):
            response["Cache-Control"] = "no-store, max-age=0"
            response["Pragma"] = "no-cache"
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Referrer-Policy", "no-referrer")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.setdefault("X-Robots-Tag", "noindex, nofollow")
        return response


class BadInputMiddleware:
    """Input no honest browser sends gets the translated 400 page, never a 500.

    - a NUL character anywhere in the query string (PostgreSQL refuses it in
      text, so a console filter with one failed as a 500);
    - a url-encoded body that cannot be decoded in the charset it declares,
      or that is too large (read here, before the CSRF check reads it and
      fails outside any handler; multipart bodies are left to the views,
      which install their own upload handlers);
    - in the console's lists, a filter value the database or Python cannot
      take (``?filed_at__year=99999``).

    Runs after LocaleMiddleware, so the page is in the visitor's language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in key or "\x00" in value for key, value in _all_items(request.GET)):
            return _bad_request(request)
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            try:
                request.POST  # noqa: B018 - parse now, where a failure can be answered
            except (UnicodeDecodeError, RequestDataTooBig, TooManyFieldsSent):
                return _bad_request(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, UnicodeDecodeError):
            return _bad_request(request)
        match = getattr(request, "resolver_match", None)
        in_console_list = (
            match is not None
            and "console" in match.namespaces
            and (match.url_name or "").endswith("_changelist")
        )
        if in_console_list and isinstance(exception, ValueError | DataError):
            return _bad_request(request)
        return None


def _all_items(query):
    for key, values in query.lists():
        for value in values:
            yield key, value


def _bad_request(request: HttpRequest) -> HttpResponse:
    from config.views import bad_request

    return bad_request(request)
