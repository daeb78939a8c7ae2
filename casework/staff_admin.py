"""The console's pages for staff changes that wait for a second administrator.

``casework.staffing`` holds the rules (two-person rule, audit); this module only
lists the pending changes to administrators and calls its services from the
"Approve" and "Reject" actions.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from casework import staffing
from casework.console import console_site
from casework.models import StaffChangeRequest, StaffProfile

CHANGE_PENDING = _(
    "This change gives %(username)s more access (revealing cases or approving "
    "staff changes), so it waits for a second administrator's approval (under "
    "“Staff changes awaiting approval”)."
)
APPROVED = _("Approved: %(count)s.")
REJECTED = _("Rejected: %(count)s.")


def _acting(request) -> StaffProfile | None:
    return getattr(request.user, "staff_profile", None)


def report_staff_change(model_admin, request, result: staffing.StaffChangeResult) -> None:
    username = result.profile.user.get_username()
    if result.pending is not None:
        model_admin.message_user(request, CHANGE_PENDING % {"username": username}, messages.WARNING)
    if result.cases_moved:
        model_admin.message_user(
            request,
            ngettext(
                "%(username)s may no longer hold %(count)s open case: it was reassigned "
                "or put back in the queue.",
                "%(username)s may no longer hold %(count)s open cases: they were reassigned "
                "or put back in the queue.",
                len(result.cases_moved),
            )
            % {"username": username, "count": len(result.cases_moved)},
            messages.WARNING,
        )


def _is_administrator(request) -> bool:
    profile = _acting(request)
    return (
        profile is not None
        and profile.role == StaffProfile.Role.ADMINISTRATOR
        and request.user.is_active
    )


@admin.register(StaffChangeRequest, site=console_site)
class StaffChangeRequestAdmin(admin.ModelAdmin):
    """Staff changes that wait for a second administrator (two-person rule)."""

    list_display = ["profile", "changes_text", "requested_by", "requested_at", "state"]
    list_filter = ["state"]
    list_select_related = ["profile__user", "requested_by__user"]
    actions = ["approve_selected", "reject_selected"]
    readonly_fields = ["profile", "changes_text", "requested_by", "requested_at", "state"]

    def has_module_permission(self, request) -> bool:
        return _is_administrator(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _is_administrator(request)

    def has_change_permission(self, request, obj=None) -> bool:
        # Decided through the actions only; the list is what administrators need.
        return obj is None and _is_administrator(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("requested changes"))
    def changes_text(self, obj: StaffChangeRequest) -> str:
        return ", ".join(f"{name}: {value}" for name, value in sorted(obj.changes.items()))

    def _decide(self, request, queryset, service, done_message) -> None:
        by = _acting(request)
        done = 0
        for change in queryset.select_related("profile__user"):
            try:
                result = service(request=change, by=by)
            except ValidationError as error:
                self.message_user(
                    request,
                    f"{change.profile.user.get_username()}: {' '.join(error.messages)}",
                    messages.ERROR,
                )
            else:
                done += 1
                if isinstance(result, staffing.StaffChangeResult):
                    report_staff_change(self, request, result)
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Approve selected changes"), permissions=["change"])
    def approve_selected(self, request, queryset) -> None:
        self._decide(request, queryset, staffing.staff_change_approve, APPROVED)

    @admin.action(description=_("Reject selected changes"), permissions=["change"])
    def reject_selected(self, request, queryset) -> None:
        self._decide(request, queryset, staffing.staff_change_reject, REJECTED)
