"""Working a case in the console: status, notes, checklist, feedback, and the
supervisor dashboard. Views here only parse input and call services and
selectors; who may do what is decided by ``casework.selectors.case_access_for``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from casework import dashboard, queues_view
from casework.crypto import DecryptionError, Sealer
from casework.models import Case, CaseFeedback, ChecklistItem, StaffProfile
from casework.selectors import case_access_for, case_list_for_viewer
from casework.services import (
    ALLOWED_TRANSITIONS,
    case_note_add,
    case_transition,
    checklist_tick,
)

STATUS_CHANGED = _("The case is now “%(status)s”.")
NOTE_SAVED = _("Your note was saved.")
CHECKLIST_SAVED = _("Recorded: %(action)s.")
DASHBOARD_TITLE = _("Supervisor dashboard")
FEEDBACK_TITLE = _("Feedback and complaints from victims")
MONTHS_LABEL = _("Months shown")
CSV_HEADERS = [
    _("month"),
    _("governorate"),
    _("cases filed"),
    _("median hours to first contact"),
    _("median hours to resolution"),
]
UNREADABLE = _("(could not be decrypted)")
# What the dashboard's queues show of a case (never its ciphertext).
QUEUE_COLUMNS = (
    "reference",
    "priority",
    "status",
    "governorate",
    "first_contact_due_at",
    "first_contact_at",
)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Move the case to"), choices=[])
    article = forms.ChoiceField(
        label=_("Penal Code article (for a court referral)"),
        choices=[("", "—"), *ChecklistItem.Article.choices],
        required=False,
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = sorted(ALLOWED_TRANSITIONS.get(case.status, set()) - {Case.Status.ASSIGNED})
        self.fields["to"].choices = [(s, Case.Status(s).label) for s in allowed]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Add a note (only staff on this case can read it)"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60, "dir": "auto"}),
        max_length=5000,
    )


class ChecklistForm(forms.Form):
    code = forms.ChoiceField(choices=ChecklistItem.Code.choices, widget=forms.HiddenInput)
    article = forms.ChoiceField(
        label=_("Penal Code article"),
        choices=[("", "—"), *ChecklistItem.Article.choices],
        required=False,
    )


def work_context(*, case: Case, viewer: StaffProfile) -> dict:
    """What the "work on this case" part of the case page shows this viewer.

    Never the notes themselves: they are protected content, shown only through
    ``casework.redaction.case_view_for`` (redacted until revealed)."""
    access = case_access_for(case=case, viewer=viewer)
    if not access.can_work:
        return {"can_work": False}
    done = {item.code: item for item in case.checklist.select_related("done_by__user")}
    context = {
        "can_work": True,
        "transition_form": TransitionForm(case=case),
        "note_form": NoteForm(),
        "checklist": [
            {"code": code, "label": label, "item": done.get(code)}
            for code, label in ChecklistItem.Code.choices
        ],
        "article_choices": ChecklistItem.Article.choices,
        "feedback": feedback_rows(cases=Case.objects.filter(pk=case.pk), viewer=viewer)
        if access.supervisor
        else [],
    }
    return context


def feedback_rows(*, cases, viewer: StaffProfile, limit: int | None = None) -> list[dict]:
    """Victims' ratings and complaints for supervisors, never the ones about
    the viewer themselves (the officer concerned must not see them). The
    newest ``limit`` only, when given: each one shown is decrypted."""
    if viewer.role != StaffProfile.Role.SUPERVISOR:
        return []
    rows = []
    items = (
        CaseFeedback.objects.filter(case__in=cases)
        .exclude(about_officer=viewer)
        .select_related("case", "about_officer__user")
        .order_by("-created_at")
    )
    if limit is not None:
        items = items[:limit]
    for item in items:
        body = ""
        if item.body_enc:
            try:
                sealer = Sealer.of(item.case)
                body = sealer.open_text(f"feedback/{item.pk}", item.body_enc)
            except DecryptionError:
                body = str(UNREADABLE)
        rows.append(
            {
                "case": item.case,
                "kind": item.get_kind_display(),
                "rating": item.rating,
                "body": body,
                "about": item.about_officer.user.get_username() if item.about_officer else "—",
                "at": item.created_at,
            }
        )
    return rows


def _redirect_to_case(admin, case: Case) -> HttpResponseRedirect:
    return HttpResponseRedirect(admin._case_url(case))


def _submit(admin, request, case: Case, form: forms.Form, action) -> HttpResponse:
    """Validate ``form``, run ``action(cleaned_data)`` (a service call that
    returns the success message), report errors as messages, back to the case."""
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                admin.message_user(request, message, messages.ERROR)
        return _redirect_to_case(admin, case)
    try:
        done = action(form.cleaned_data)
    except ValidationError as error:
        for message in error.messages:
            admin.message_user(request, message, messages.ERROR)
    else:
        admin.message_user(request, done, messages.SUCCESS)
    return _redirect_to_case(admin, case)


def handle_transition(admin, request, case: Case, viewer: StaffProfile) -> HttpResponse:
    def action(data):
        moved = case_transition(case=case, to=data["to"], by=viewer, article=data["article"])
        return STATUS_CHANGED % {"status": moved.get_status_display()}

    return _submit(admin, request, case, TransitionForm(request.POST, case=case), action)


def handle_note(admin, request, case: Case, viewer: StaffProfile) -> HttpResponse:
    def action(data):
        case_note_add(case=case, body=data["note"], by=viewer)
        return NOTE_SAVED

    return _submit(admin, request, case, NoteForm(request.POST), action)


def handle_checklist(admin, request, case: Case, viewer: StaffProfile) -> HttpResponse:
    def action(data):
        item = checklist_tick(case=case, code=data["code"], by=viewer, article=data["article"])
        return CHECKLIST_SAVED % {"action": item.get_code_display()}

    return _submit(admin, request, case, ChecklistForm(request.POST), action)


# --- the supervisor dashboard ---------------------------------------------------


def _months_back(count: int) -> tuple[dt.date, dt.date]:
    today = timezone.now().astimezone(ZoneInfo(settings.DISPLAY_TIME_ZONE)).date()
    end = today
    year, month = divmod(today.year * 12 + today.month - 1 - (count - 1), 12)
    return dt.date(year, month + 1, 1), end


def bar_chart_svg(points: list[tuple[str, int]], *, title: str, rtl: bool) -> SafeString:
    """Cases filed per month as bars; months run right to left in RTL languages."""
    width, height, gutter, top, bottom = 720, 220, 40, 20, 40
    maximum = max([value for _label, value in points] + [1])
    count = max(len(points), 1)
    slot = (width - gutter - 10) / count
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
        f'aria-labelledby="chart-title"><title id="chart-title">{escape(title)}</title>'
    ]
    base = height - bottom
    for index, (label, value) in enumerate(points):
        position = count - 1 - index if rtl else index
        x = (10 if rtl else gutter) + position * slot
        bar = (base - top) * value / maximum
        parts.append(
            f'<rect x="{x + slot * 0.15:.1f}" y="{base - bar:.1f}" width="{slot * 0.7:.1f}" height="{bar:.1f}" '
            f'fill="#1f4e5f"><title>{escape(label)}: {value}</title></rect>'
        )
        if count <= 12 or index % 3 == 0:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{height - bottom + 16}" font-size="11" text-anchor="middle" '
                f'fill="#1b1f24">{escape(label)}</text>'
            )
    axis_x = width - 6 if rtl else gutter - 6
    anchor = "start" if rtl else "end"
    parts.append(
        f'<text x="{axis_x}" y="{top + 4}" font-size="11" text-anchor="{anchor}" fill="#1b1f24">{maximum}</text>'
    )
    parts.append(
        f'<text x="{axis_x}" y="{base}" font-size="11" text-anchor="{anchor}" fill="#1b1f24">0</text>'
    )
    parts.append(f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="#c9d1d9"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def dashboard_view(admin, request, viewer: StaffProfile, *, as_csv: bool = False) -> HttpResponse:
    if viewer is None or viewer.role != StaffProfile.Role.SUPERVISOR:
        raise Http404
    from django.utils import formats
    from django.utils.translation import get_language_bidi

    try:
        months = min(max(int(request.GET.get("months", 12)), 1), 60)
    except ValueError:
        months = 12
    cases = case_list_for_viewer(viewer=viewer)
    start, end = _months_back(months)
    rows = dashboard.monthly_figures(cases, start=start, end=end)
    if as_csv:
        response = HttpResponse(
            dashboard.monthly_figures_csv(rows, headers=[str(h) for h in CSV_HEADERS]),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="sanad-case-figures.csv"'
        from casework.audit import audit_record
        from casework.models import AuditEvent

        audit_record(
            action=AuditEvent.Action.CASE_EXPORTED,
            actor=viewer.user,
            details={"export": "dashboard_monthly", "months": months, "rows": len(rows)},
        )
        return response
    totals = dashboard.monthly_totals(rows)
    points = [(formats.date_format(month, "n/Y"), value) for month, value in totals]
    context = {
        **admin.admin_site.each_context(request),
        "opts": admin.opts,
        "title": DASHBOARD_TITLE,
        "counts": dashboard.open_counts(cases),
        "overdue": list(
            dashboard.cases_urgent_and_overdue_first(dashboard.cases_overdue(cases))
            .select_related("governorate")
            .only(*QUEUE_COLUMNS)[:25]
        ),
        "awaiting_female": list(
            dashboard.cases_urgent_and_overdue_first(dashboard.cases_awaiting_female_officer(cases))
            .select_related("governorate")
            .only(*QUEUE_COLUMNS)[:25]
        ),
        "rows": rows,
        "chart": bar_chart_svg(points, title=str(DASHBOARD_TITLE), rtl=get_language_bidi()),
        "months": months,
        "month_choices": [3, 6, 12, 24, 36],
        "feedback": feedback_rows(cases=cases, viewer=viewer, limit=25),
        "display_time_zone": settings.DISPLAY_TIME_ZONE,
        # No case unseen: each queue, its oldest case, time until first opened.
        **queues_view.dashboard_context(cases=cases, viewer=viewer, start=start, end=end),
    }
    request.current_app = admin.admin_site.name
    return TemplateResponse(request, "admin/casework/dashboard.html", context)


def feedback_view(admin, request, viewer: StaffProfile) -> HttpResponse:
    if viewer is None or viewer.role != StaffProfile.Role.SUPERVISOR:
        raise Http404
    context = {
        **admin.admin_site.each_context(request),
        "opts": admin.opts,
        "title": FEEDBACK_TITLE,
        "feedback": feedback_rows(cases=case_list_for_viewer(viewer=viewer), viewer=viewer),
        "display_time_zone": settings.DISPLAY_TIME_ZONE,
    }
    request.current_app = admin.admin_site.name
    return TemplateResponse(request, "admin/casework/feedback.html", context)
