"""Public pages. Views parse input and call services; no rule lives here."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from reporting.models import AdvicePage


def landing(request: HttpRequest) -> HttpResponse:
    pages = AdvicePage.objects.filter(is_published=True)
    return render(request, "reporting/landing.html", {"advice_pages": pages})


def advice_list(request: HttpRequest) -> HttpResponse:
    pages = AdvicePage.objects.filter(is_published=True)
    return render(request, "reporting/advice_list.html", {"pages": pages})


def advice_page(request: HttpRequest, slug: str) -> HttpResponse:
    page = get_object_or_404(AdvicePage, slug=slug, is_published=True)
    return render(request, "reporting/advice_page.html", {"page": page})


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
