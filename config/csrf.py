"""CSRF protection: a cookie-held secret, the Origin check, and ``Origin: null``.

Sanad sends ``Referrer-Policy: same-origin``: no referrer ever leaves for
another site, and the browser sends a real ``Origin`` with Sanad's own form
POSTs, which Django checks. The token's secret is in a cookie
(``__Host-csrftoken`` in production: HttpOnly, Secure, SameSite=Lax, never set
by a subdomain), not in the session, so showing a form writes nothing to the
database and a visitor has no session until a POST needs one.

Some privacy-hardened browsers still send ``Origin: null`` (and no Referer).
Those requests are let past the origin and referer checks, and nothing else:
the token must still match the cookie's secret, and a cross-site POST carries
no SameSite=Lax cookie. A real, foreign Origin is refused.
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
