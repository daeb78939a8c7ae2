"""CSRF protection that works with ``Referrer-Policy: no-referrer``.

Sanad sends no referrer anywhere, so no other site ever learns that a person
came from Sanad. Browsers then send ``Origin: null`` with every form POST and
no ``Referer``, which Django's origin/referer checks reject. Those checks only
defend a token kept in a cookie (which an attacker could plant); here the
token lives in the server-side session (CSRF_USE_SESSIONS) and the session
cookie is SameSite=Lax, so a cross-site POST carries no session and fails the
token check. A real, foreign Origin is still refused.
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.csrf import CSRF_SESSION_KEY, CsrfViewMiddleware
from django.utils.decorators import decorator_from_middleware

_NULL_ORIGIN = "_sanad_null_origin"


class NoReferrerCsrfViewMiddleware(CsrfViewMiddleware):
    def _origin_verified(self, request) -> bool:
        if request.META.get("HTTP_ORIGIN") == "null":
            setattr(request, _NULL_ORIGIN, True)
            return True
        return super()._origin_verified(request)

    def _check_referer(self, request) -> None:
        if getattr(request, _NULL_ORIGIN, False):
            return
        super()._check_referer(request)


# Use this, not django.views.decorators.csrf.csrf_protect, where a view must
# check CSRF itself (upload views install their handler first).
csrf_protect = decorator_from_middleware(NoReferrerCsrfViewMiddleware)


def csrf_secret_present(request) -> bool:
    """Whether the request carries a CSRF secret at all (session or cookie).

    Without one the CSRF check must fail, so an upload view can decide, before
    the body is read, to keep nothing of it. Reads the session; never creates one.
    """
    if getattr(request, "_dont_enforce_csrf_checks", False):
        return True  # as CsrfViewMiddleware: Django's test client without CSRF checks
    if settings.CSRF_USE_SESSIONS:
        return bool(request.session.get(CSRF_SESSION_KEY))
    return bool(request.COOKIES.get(settings.CSRF_COOKIE_NAME))
