"""The caseworker console: Django's admin at /<lang>/console/, behind two-factor.

Every view of this site requires a user who is active, staff, has a staff
profile, and has verified a django-otp device in this session. What each role
may see is decided in casework.selectors, never here.
"""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm


class ConsoleSite(AdminSite):
    site_header = _("Sanad console")
    site_title = _("Sanad console")
    index_title = _("Casework")
    login_form = OTPAdminAuthenticationForm
    login_template = "console/login.html"
    enable_nav_sidebar = False
    final_catch_all_view = False

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_staff
            and hasattr(user, "staff_profile")
            and user.is_verified()
        )


console_site = ConsoleSite(name="console")
