import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

CSRF_FAILURE_MESSAGE = _(
    "This page was open for too long or was opened in another tab. Please go back, "
    "reload the page and try again. Nothing you sent was saved."
)
TRY_AGAIN_TITLE = _("Please try again in a minute")
TRY_AGAIN_MESSAGE = _(
    "Sanad could not answer just now. What you already wrote is kept: in a minute, "
    "go back and send the page again. If you are in danger now, call 497 or 131."
)
# Seconds a client (or the load balancer) is asked to wait before retrying.
TRY_AGAIN_AFTER_SECONDS = 30


def csrf_failure(request, reason=""):
    return render(
        request,
        "errors/error.html",
        {"title": _("Please try again"), "message": CSRF_FAILURE_MESSAGE},
        status=403,
    )


BAD_REQUEST_TITLE = _("This page could not be opened")
BAD_REQUEST_MESSAGE = _(
    "Something your browser sent could not be read. Please go back, reload the page and "
    "try again. Nothing you sent was saved."
)


def bad_request(request, exception=None):
    """Every 400: malformed input, a body too large, a host name we do not serve."""
    return render(
        request,
        "errors/error.html",
        {"title": BAD_REQUEST_TITLE, "message": BAD_REQUEST_MESSAGE},
        status=400,
    )


def permission_denied(request, exception=None):
    return render(
        request,
        "errors/error.html",
        {
            "title": _("Not allowed"),
            "message": _(
                "You cannot open this page. If you think you should, ask an administrator."
            ),
        },
        status=403,
    )


def page_not_found(request, exception=None):
    return render(
        request,
        "errors/error.html",
        {"title": _("Page not found"), "message": _("This page does not exist.")},
        status=404,
    )


def try_again(request) -> HttpResponse:
    """503 while the database is unreachable (a restart, a failover).

    Rendered without touching the database (no messages, no user), so it
    works during the outage. Nothing half-written stays behind: every write
    that failed rolled back with its transaction, and a draft's earlier steps
    are still on the server when it comes back.
    """
    response = render(
        request,
        "errors/try_again.html",
        {"title": TRY_AGAIN_TITLE, "message": TRY_AGAIN_MESSAGE},
        status=503,
    )
    response["Retry-After"] = str(TRY_AGAIN_AFTER_SECONDS)
    return response


def server_error(request):
    # handler500 runs inside Django's exception handling, so the exception is
    # still at hand: a database that is down or restarting is "try again",
    # not "something went wrong".
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return try_again(request)
    return render(
        request,
        "errors/error.html",
        {
            "title": _("Something went wrong"),
            "message": _(
                "Sorry, something went wrong on our side. Nothing you sent has been shared. "
                "Please try again in a few minutes, or call 497 or 131."
            ),
        },
        status=500,
    )


def healthz(request):
    """200 "ok" only when the database, evidence storage and keys all work.

    For the load balancer: cheap (one indexed query, one storage request),
    and says nothing about what failed; the server log names the part.
    """
    from casework.key_checks import key_checks_mismatched
    from casework.storage_checks import storage_reachable

    part = "database"
    try:
        mismatched = key_checks_mismatched()
        part = "keys"
        if mismatched:
            raise LookupError("key check mismatch")
        part = "storage"
        storage_reachable()
    except Exception:
        logger.warning("healthz: %s unavailable", part)
        return HttpResponse("unavailable", content_type="text/plain", status=503)
    return HttpResponse("ok", content_type="text/plain")
