"""The door of every outreach console page.

The console around these pages (login, two-factor enrolment) belongs to the
console site; this decorator only decides who gets through:

- anonymous, or logged in without a verified second factor: sent to the
  console login (``settings.LOGIN_URL``), where the second factor is asked;
- logged in but not outreach staff, a supervisor or an administrator (an
  officer, a user without a staff profile, an inactive account): 404, the
  same answer as for a page that does not exist.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from outreach.selectors import user_has_outreach_access


def _is_verified(user) -> bool:
    # django_otp.middleware.OTPMiddleware installs is_verified(); without the
    # middleware nobody counts as verified.
    check = getattr(user, "is_verified", None)
    return bool(callable(check) and check())


def outreach_access_required(view):
    """Let in active staff with an outreach-capable role and a verified second factor."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated or not _is_verified(user):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not user_has_outreach_access(user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
