"""Public pages. Views parse input and call services; no rule lives here."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "reporting/landing.html")


# Exempt on purpose: the quick-exit beacon must work from any page, and the
# worst a forged request can do is end a session early.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def quick_exit(request: HttpRequest) -> HttpResponse:
    """End whatever Sanad session this browser has and leave for a neutral site."""
    request.session.flush()
    response = HttpResponseRedirect(settings.SANAD_QUICK_EXIT_URL)
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response
