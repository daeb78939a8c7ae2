from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

CSRF_FAILURE_MESSAGE = _(
    "This page was open for too long or was opened in another tab. Please go back, "
    "reload the page and try again. Nothing you sent was saved."
)


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


def page_not_found(request, exception=None):
    return render(
        request,
        "errors/error.html",
        {"title": _("Page not found"), "message": _("This page does not exist.")},
        status=404,
    )


def server_error(request):
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
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")
