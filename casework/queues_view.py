"""The console's side of ``casework.queues``: the route form on the case page and
the queues on the supervisors' dashboard. Parses input, calls the services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from casework import queues
from casework.models import Case, StaffProfile
from casework.selectors import staff_is_national_intake

ROUTED = _("Case %(reference)s now belongs to %(unit)s, %(governorate)s.")
ROUTE_REFUSED = _("Case %(reference)s was not routed: %(reason)s")
NATIONAL_INTAKE = _("National intake")
YOUR_QUEUES = _("Your unit's queues")


class RouteForm(forms.Form):
    governorate = forms.ModelChoiceField(label=_("Governorate"), queryset=None)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)

    def __init__(self, *args, viewer: StaffProfile, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        units, governorates = queues.route_choices(viewer=viewer)
        self.fields["unit"].queryset = units
        self.fields["unit"].initial = case.unit_id
        self.fields["governorate"].queryset = governorates
        self.fields["governorate"].initial = case.governorate_id


def route_context(*, case: Case, viewer: StaffProfile, can_assign: bool) -> dict | None:
    """The route form, for those who may route an open case nobody holds:
    national intake, and a unit's supervisors for a case with no governorate."""
    if not can_assign or not case.is_open or case.assigned_officer_id is not None:
        return None
    if case.governorate_id is not None and not staff_is_national_intake(viewer):
        return None
    return {"form": RouteForm(viewer=viewer, case=case)}


def handle_route(admin, request, case: Case, viewer: StaffProfile):
    form = RouteForm(request.POST, viewer=viewer, case=case)
    if not form.is_valid():
        admin.message_user(
            request,
            ROUTE_REFUSED
            % {"reference": case.reference, "reason": str(queues.ROUTE_NOTHING_CHOSEN)},
            messages.ERROR,
        )
        return HttpResponseRedirect(admin._case_url(case))
    try:
        routed = queues.case_route(
            case=case,
            by=viewer,
            governorate=form.cleaned_data["governorate"],
            unit=form.cleaned_data["unit"],
        )
    except ValidationError as error:
        admin.message_user(
            request,
            ROUTE_REFUSED % {"reference": case.reference, "reason": " ".join(error.messages)},
            messages.ERROR,
        )
        return HttpResponseRedirect(admin._case_url(case))
    admin.message_user(
        request,
        ROUTED
        % {
            "reference": routed.reference,
            "unit": routed.unit,
            "governorate": routed.governorate,
        },
        messages.SUCCESS,
    )
    # The case may have left the viewer's scope (that is the point of routing).
    return HttpResponseRedirect(
        reverse("admin:casework_case_changelist", current_app=admin.admin_site.name)
    )


def dashboard_context(
    *, cases: QuerySet, viewer: StaffProfile, start: dt.date, end: dt.date
) -> dict:
    """Each queue of the viewer's scope with its count and oldest case, and the
    measured time until a person first opened a case filed in the months shown
    (``start`` and ``end`` inclusive, calendar days in Iraq)."""
    zone = ZoneInfo(settings.DISPLAY_TIME_ZONE)
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return {
        "queues_title": NATIONAL_INTAKE if staff_is_national_intake(viewer) else YOUR_QUEUES,
        "queues": queues.queue_rows(cases),
        "first_open": queues.first_open_figures(cases, start_at=start_at, end_at=end_at),
    }
