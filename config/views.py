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
