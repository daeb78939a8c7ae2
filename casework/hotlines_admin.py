"""The console page where administrators keep the help numbers (hotlines).

Saving goes through ``casework.hotlines.help_number_save`` (checked, audited).
Only administrators see the page; numbers are switched off, never deleted, so
the audit log keeps pointing at them.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from modeltranslation.admin import TranslationAdmin

from casework.console import console_site
from casework.hotlines import HelpNumber, help_number_normalise, help_number_save
from casework.models import StaffProfile


def _is_administrator(request) -> bool:
    profile = getattr(request.user, "staff_profile", None)
    return profile is not None and profile.role == StaffProfile.Role.ADMINISTRATOR


@admin.register(HelpNumber, site=console_site)
class HelpNumberAdmin(TranslationAdmin):
    list_display = ["label", "number", "governorate", "service", "is_active", "sort_order"]
    list_filter = ["service", "governorate", "is_active"]
    list_select_related = ["governorate"]
    fields = [
        "service",
        "governorate",
        "number",
        "label",
        "when_to_call",
        "sort_order",
        "is_active",
    ]

    def has_module_permission(self, request) -> bool:
        return _is_administrator(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _is_administrator(request)

    def has_add_permission(self, request) -> bool:
        return _is_administrator(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _is_administrator(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class CheckedForm(form):
            def _post_clean(self):
                super()._post_clean()
                # The service's own check, shown on the field, before saving.
                try:
                    help_number_normalise(self.instance.number)
                except ValidationError as refused:
                    self._update_errors(refused)

        return CheckedForm

    def save_model(self, request, obj, form, change) -> None:
        help_number_save(help_number=obj, by=request.user)
