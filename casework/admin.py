"""The caseworker console's case pages, on ``casework.console.console_site``.

These admin classes only parse requests and call selectors and services. Who
may see which case, and how much of it, is decided in ``casework.selectors`` and
``casework.redaction``; assignment, reveals, messages and evidence openings are
``casework.services`` calls that write their own audit events.

Permissions deliberately ignore Django's model permissions: every
``has_*_permission`` answers from ``is_staff`` + ``StaffProfile.role`` through
the selectors, so adding a user to a group can never widen what they see.
Nothing here can delete a case, a message, an evidence file or an audit event,
and no ModelForm ever saves a case, so no admin LogEntry (whose
``object_repr`` could leak) is written for one.
"""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from casework import console_work, dashboard, queues_view
from casework import staff_admin as _staff_admin  # noqa: F401 - registers its pages
from casework.console import console_site
from casework.console_list import (
    ConsoleListPaginator,
    case_list_rows,
    cases_matching_reference,
)
from casework.models import OPEN_RANK_LIMIT, AuditEvent, Case, Evidence, StaffProfile
from casework.redaction import case_initials, case_view_for
from casework.selectors import (
    audit_list_for_case,
    audit_list_for_viewer,
    case_access_for,
    case_awaiting_counts,
    case_console_allowed,
    case_get_for_viewer,
    case_list_for_viewer,
    evidence_can_open,
    evidence_preview_for_viewer,
    officer_list_for_case,
    officer_list_for_supervisor,
    staff_profile_of,
)
from casework.services import (
    CURRENT,
    MAX_MESSAGE_LENGTH,
    MAX_REASON_LENGTH,
    case_assign,
    evidence_open_by_staff,
    message_send_by_officer,
)

ASSIGN_ACTION_LABEL = _("Assign to…")
ASSIGN_CHOOSE_OFFICER = _("Please choose an officer.")
ASSIGN_DONE = _("Case %(reference)s is now assigned to %(officer)s.")
ASSIGN_REFUSED = _("Case %(reference)s was not assigned: %(reason)s")
MESSAGE_SENT = _("Your message was sent to the victim.")
REASON_LABEL = _("Reason")
REASON_HELP = _("Written to the audit log with your name.")
MESSAGE_LABEL = _("Message to the victim")
VICTIM_COLUMN = _("victim")
OVERDUE_COLUMN = _("overdue")
OFFICER_COLUMN = _("officer")
CASE_COLUMN = _("case")
DETAILS_COLUMN = _("details")
CASE_TITLE = _("Case %(reference)s")
HISTORY_TITLE = _("History of case %(reference)s")
ASSIGN_TITLE = _("Assign cases to an officer")

# Neutral download names: the original file name may carry the victim's name.
EVIDENCE_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/heic": "heic",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "video/3gpp": "3gp",
    "application/pdf": "pdf",
    "text/plain": "txt",
    "application/zip": "zip",
}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=REASON_LABEL,
        help_text=REASON_HELP,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=MESSAGE_LABEL,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )


def _viewer(request) -> StaffProfile | None:
    return staff_profile_of(request.user)


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _officer_from(value) -> StaffProfile | None:
    """Any staff profile by pk: the service, not the form, decides who may take
    a case, so a refused attempt is refused (and audited) by the one rule."""
    pk = _int_or_none(value)
    if pk is None:
        return None
    return StaffProfile.objects.select_related("user").filter(pk=pk).first()


def _expected_from(post, key: str):
    """What the supervisor saw as the assigned officer ("" = nobody)."""
    if key not in post:
        return CURRENT
    pk = _int_or_none(post.get(key))
    return StaffProfile(pk=pk) if pk is not None else None


def _refusal_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _private_download_headers(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


# What a row of the case list shows (and the identity, for the initials).
LIST_COLUMNS = (
    "reference",
    "uuid",
    "wrapped_key",
    "identity_enc",
    "status",
    "priority",
    "unit",
    "governorate",
    "assignment_state",
    "assigned_officer",
    "assigned_officer__user__username",
    "wants_female_officer",
    "first_contact_due_at",
    "first_contact_at",
    "filed_at",
)


class AssignedToMeFilter(admin.SimpleListFilter):
    title = _("assigned to me")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(assigned_officer=_viewer(request))
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = _("first contact overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return dashboard.cases_overdue(queryset)
        return queryset


class OpenOrClosedFilter(admin.SimpleListFilter):
    """Open cases only unless asked: finished cases do not crowd the officer's
    list (on a phone above all); one click shows the closed ones or all."""

    title = _("open or closed")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("closed", _("Closed cases")), ("all", _("All cases"))]

    def queryset(self, request, queryset):
        # A search by reference finds the case whatever its state.
        if self.value() == "all" or (self.value() is None and request.GET.get("q")):
            return queryset
        # Open as a range of the stored queue order (casework.models.OPEN_RANK_LIMIT),
        # which the console's order index walks; a status list beside it makes
        # PostgreSQL misjudge the rows.
        if self.value() == "closed":
            return queryset.filter(console_rank__gte=OPEN_RANK_LIMIT)
        return queryset.filter(console_rank__lt=OPEN_RANK_LIMIT)

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Open cases"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


@admin.register(Case, site=console_site)
class CaseAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "victim",
        "status",
        "priority",
        "unit",
        "governorate",
        "assignment_state",
        "officer",
        "first_contact_due_at",
        "overdue",
    )
    list_filter = (
        OpenOrClosedFilter,
        AssignedToMeFilter,
        OverdueFilter,
        "assignment_state",
        "status",
        "priority",
        "unit",
        "governorate",
    )
    # Searched by casework.console_list (whole or partial references), not by
    # the admin's own lookups: see get_search_results.
    search_fields = ("reference",)
    list_per_page = 50
    list_max_show_all = 50
    show_full_result_count = False
    # Facet counts would count every filter value over the whole list.
    show_facets = admin.ShowFacets.NEVER
    # Only columns an index can order; the rest would sort every case in scope.
    sortable_by = ("reference", "status", "priority", "first_contact_due_at")
    paginator = ConsoleListPaginator
    actions = ["assign_to"]
    view_on_site = False
    ordering = ("-filed_at",)
    change_list_template = "admin/casework/case/change_list.html"

    # --- permissions: from the role and scope only ---------------------------

    def has_module_permission(self, request) -> bool:
        return case_console_allowed(viewer=_viewer(request))

    def has_view_permission(self, request, obj=None) -> bool:
        viewer = _viewer(request)
        if obj is None:
            return case_console_allowed(viewer=viewer)
        return case_access_for(case=obj, viewer=viewer).visible

    def has_add_permission(self, request) -> bool:
        # Cases come to exist only through the victim's report (report_file).
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # No field of a case is edited through a form: every change is a service.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Cases are never deleted from the console.
        return False

    def has_assign_permission(self, request) -> bool:
        viewer = _viewer(request)
        return viewer is not None and viewer.role == StaffProfile.Role.SUPERVISOR

    # --- what is listed, and how -----------------------------------------------

    def get_ordering(self, request):
        # Open first, urgent first, overdue first, then the nearest first-contact
        # deadline: a stored key walked through an index (casework.console_list).
        # A column click still reorders.
        return list(dashboard.CONSOLE_ORDER)

    def get_queryset(self, request):
        # The paginator selects ids only; these columns are read for the page's
        # rows alone. Only the identity is decrypted (for initials), the other
        # ciphertext is never read.
        return (
            case_list_for_viewer(viewer=_viewer(request))
            .select_related("unit", "governorate", "assigned_officer__user")
            .only(*LIST_COLUMNS)
        )

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return cases_matching_reference(queryset, search_term), False

    def get_object(self, request, object_id, from_field=None):
        # Out of scope and nonexistent look the same: 404.
        return case_get_for_viewer(viewer=_viewer(request), pk=object_id)

    @admin.display(description=VICTIM_COLUMN)
    def victim(self, case: Case) -> str:
        return case_initials(case) or "—"

    @admin.display(description=OFFICER_COLUMN, ordering="assigned_officer__user__username")
    def officer(self, case: Case) -> str:
        if case.assigned_officer is None:
            return "—"
        return case.assigned_officer.user.get_username()

    @admin.display(description=OVERDUE_COLUMN, boolean=True)
    def overdue(self, case: Case) -> bool:
        return case.is_overdue

    def changelist_view(self, request, extra_context=None):
        viewer = _viewer(request)
        if not case_console_allowed(viewer=viewer):
            raise Http404
        if request.method == "POST" and "action" in request.POST:
            self._check_action_request(request, viewer)
        extra_context = {"display_time_zone": settings.DISPLAY_TIME_ZONE, **(extra_context or {})}
        if viewer.role == StaffProfile.Role.SUPERVISOR:
            extra_context["awaiting"] = case_awaiting_counts(viewer=viewer)
        response = super().changelist_view(request, extra_context=extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            change_url = reverse(
                "admin:casework_case_change", args=[0], current_app=self.admin_site.name
            )
            prefix, suffix = change_url.split("/0/", 1)
            context["case_rows"] = case_list_rows(
                context["cl"].result_list, change_url_of=lambda pk: f"{prefix}/{pk}/{suffix}"
            )
        return response

    def _check_action_request(self, request, viewer: StaffProfile) -> None:
        """Actions go through the same rules as the case page: any selected case
        outside the viewer's scope is a 404, then the role is checked (403)."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        ids = {_int_or_none(value) for value in selected}
        if None in ids:
            raise Http404
        if ids and case_list_for_viewer(viewer=viewer).filter(pk__in=ids).count() != len(ids):
            raise Http404
        if not self.has_assign_permission(request):
            raise PermissionDenied

    # --- the bulk action -----------------------------------------------------------

    @admin.action(description=ASSIGN_ACTION_LABEL, permissions=["assign"])
    def assign_to(self, request, queryset):
        """Assign the selected cases to one officer, case by case.

        Each case goes through ``case_assign`` on its own: the cases the rules
        allow are assigned, the others are refused (and audited) and reported
        one by one. So a mixed selection never puts a case that asked for a
        female officer with a male officer, and the refusal of one case does not
        hold back the others.
        """
        viewer = _viewer(request)
        cases = list(
            queryset.select_related("assigned_officer__user", "unit", "governorate").order_by("pk")
        )
        if "apply" not in request.POST:
            return self._assign_page(request, cases, viewer)
        officer = _officer_from(request.POST.get("officer"))
        if officer is None:
            self.message_user(request, ASSIGN_CHOOSE_OFFICER, messages.ERROR)
            return self._assign_page(request, cases, viewer)
        assigned = 0
        for case in cases:
            try:
                case_assign(
                    case=case,
                    officer=officer,
                    by=viewer,
                    expected_officer=_expected_from(request.POST, f"seen_{case.pk}"),
                    via="console_bulk",
                )
            except ValidationError as error:
                self.message_user(
                    request,
                    ASSIGN_REFUSED % {"reference": case.reference, "reason": _refusal_text(error)},
                    messages.ERROR,
                )
            else:
                assigned += 1
        if assigned:
            self.message_user(
                request,
                ngettext(
                    "%(count)s case was assigned to %(officer)s.",
                    "%(count)s cases were assigned to %(officer)s.",
                    assigned,
                )
                % {"count": assigned, "officer": officer.user.get_username()},
                messages.SUCCESS,
            )
        return None

    def _assign_page(self, request, cases, viewer):
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": ASSIGN_TITLE,
            "cases": cases,
            "officers": officer_list_for_supervisor(supervisor=viewer),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/casework/case/assign_to.html", context)

    # --- the case page and its forms --------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("dashboard/", wrap(self.dashboard_view), name="casework_case_dashboard"),
            path(
                "dashboard.csv", wrap(self.dashboard_csv_view), name="casework_case_dashboard_csv"
            ),
            path("feedback/", wrap(self.feedback_view), name="casework_case_feedback"),
            path(
                "<int:case_id>/transition/",
                wrap(self.transition_view),
                name="casework_case_transition",
            ),
            path("<int:case_id>/note/", wrap(self.note_view), name="casework_case_note"),
            path(
                "<int:case_id>/checklist/",
                wrap(self.checklist_view),
                name="casework_case_checklist",
            ),
            path(
                "<int:case_id>/reveal/",
                wrap(self.reveal_view),
                name="casework_case_reveal",
            ),
            path(
                "<int:case_id>/assign/",
                wrap(self.assign_view),
                name="casework_case_assign",
            ),
            path(
                "<int:case_id>/route/",
                wrap(self.route_view),
                name="casework_case_route",
            ),
            path(
                "<int:case_id>/message/",
                wrap(self.message_view),
                name="casework_case_message",
            ),
            path(
                "<int:case_id>/evidence/<int:evidence_id>/preview/",
                wrap(self.evidence_preview_view),
                name="casework_case_evidence_preview",
            ),
            path(
                "<int:case_id>/evidence/<int:evidence_id>/open/",
                wrap(self.evidence_open_view),
                name="casework_case_evidence_open",
            ),
            *super().get_urls(),
        ]

    def _case_url(self, case: Case) -> str:
        return reverse(
            "admin:casework_case_change", args=[case.pk], current_app=self.admin_site.name
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method not in {"GET", "HEAD"}:
            # The page has no form of its own: each form posts to its own URL.
            return HttpResponseNotAllowed(["GET", "HEAD"])
        case = case_get_for_viewer(viewer=_viewer(request), pk=object_id)
        return self._case_page(request, case)

    def _case_page(
        self,
        request,
        case: Case,
        *,
        reveal_reason: str | None = None,
        reveal_form: ReasonForm | None = None,
        message_form: MessageForm | None = None,
        status: int = 200,
    ):
        viewer = _viewer(request)
        view = case_view_for(case=case, viewer=viewer, reveal_reason=reveal_reason)
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": CASE_TITLE % {"reference": case.reference},
            "case": case,
            "view": view,
            "reveal_form": reveal_form or ReasonForm(),
            "message_form": message_form or MessageForm(),
            "evidence_form": ReasonForm(),
            "officers": list(officer_list_for_case(case=case)) if view.can_assign else [],
            "route": queues_view.route_context(
                case=case, viewer=viewer, can_assign=view.can_assign
            ),
            "display_time_zone": settings.DISPLAY_TIME_ZONE,
            "work": console_work.work_context(case=case, viewer=viewer),
        }
        return TemplateResponse(
            request, "admin/casework/case/case_page.html", context, status=status
        )

    # --- working the case (console part 2) --------------------------------------

    def _work_post(self, handler, request, case_id: int):
        viewer = _viewer(request)
        case = case_get_for_viewer(viewer=viewer, pk=case_id)
        # The services refuse too; this answers with 403 rather than a message.
        if not case_access_for(case=case, viewer=viewer).can_work:
            raise PermissionDenied
        return handler(self, request, case, viewer)

    def transition_view(self, request, case_id: int):
        return self._post_in_scope(
            lambda r, c: self._work_post(console_work.handle_transition, r, c), request, case_id
        )

    def note_view(self, request, case_id: int):
        return self._post_in_scope(
            lambda r, c: self._work_post(console_work.handle_note, r, c), request, case_id
        )

    def checklist_view(self, request, case_id: int):
        return self._post_in_scope(
            lambda r, c: self._work_post(console_work.handle_checklist, r, c), request, case_id
        )

    def dashboard_view(self, request):
        return console_work.dashboard_view(self, request, _viewer(request))

    def dashboard_csv_view(self, request):
        return console_work.dashboard_view(self, request, _viewer(request), as_csv=True)

    def feedback_view(self, request):
        return console_work.feedback_view(self, request, _viewer(request))

    def _post_in_scope(self, handler, request, case_id: int, *args):
        # Scope first: outside it every URL is a 404, whatever the method.
        case_get_for_viewer(viewer=_viewer(request), pk=case_id)
        return require_POST(handler)(request, case_id, *args)

    def reveal_view(self, request, case_id: int):
        return self._post_in_scope(self._reveal, request, case_id)

    def _reveal(self, request, case_id: int):
        viewer = _viewer(request)
        case = case_get_for_viewer(viewer=viewer, pk=case_id)
        if not case_access_for(case=case, viewer=viewer).can_reveal:
            raise PermissionDenied
        form = ReasonForm(request.POST)
        if not form.is_valid():
            return self._case_page(request, case, reveal_form=form, status=400)
        # The full case, for this response only; the reveal is audited with its reason.
        return self._case_page(request, case, reveal_reason=form.cleaned_data["reason"])

    def assign_view(self, request, case_id: int):
        return self._post_in_scope(self._assign, request, case_id)

    def _assign(self, request, case_id: int):
        viewer = _viewer(request)
        case = case_get_for_viewer(viewer=viewer, pk=case_id)
        if not case_access_for(case=case, viewer=viewer).can_assign:
            raise PermissionDenied
        officer = _officer_from(request.POST.get("officer"))
        if officer is None:
            self.message_user(request, ASSIGN_CHOOSE_OFFICER, messages.ERROR)
            return HttpResponseRedirect(self._case_url(case))
        try:
            case_assign(
                case=case,
                officer=officer,
                by=viewer,
                expected_officer=_expected_from(request.POST, "expected_officer"),
                via="console_form",
            )
        except ValidationError as error:
            self.message_user(
                request,
                ASSIGN_REFUSED % {"reference": case.reference, "reason": _refusal_text(error)},
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                ASSIGN_DONE % {"reference": case.reference, "officer": officer.user.get_username()},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(self._case_url(case))

    def route_view(self, request, case_id: int):
        return self._post_in_scope(self._route, request, case_id)

    def _route(self, request, case_id: int):
        viewer = _viewer(request)
        case = case_get_for_viewer(viewer=viewer, pk=case_id)
        if not case_access_for(case=case, viewer=viewer).can_assign:
            raise PermissionDenied
        return queues_view.handle_route(self, request, case, viewer)

    def message_view(self, request, case_id: int):
        return self._post_in_scope(self._message, request, case_id)

    def _message(self, request, case_id: int):
        viewer = _viewer(request)
        case = case_get_for_viewer(viewer=viewer, pk=case_id)
        if not case_access_for(case=case, viewer=viewer).can_message:
            raise PermissionDenied
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                message_send_by_officer(case=case, body=form.cleaned_data["body"], by=viewer)
            except ValidationError as error:
                form.add_error("body", error)
        if not form.is_valid():
            # Re-shown with the text kept, so nothing the officer wrote is lost.
            return self._case_page(request, case, message_form=form, status=400)
        self.message_user(request, MESSAGE_SENT, messages.SUCCESS)
        return HttpResponseRedirect(self._case_url(case))

    def _evidence(self, request, case_id: int, evidence_id: int) -> tuple[Evidence, StaffProfile]:
        viewer = _viewer(request)
        case = case_get_for_viewer(viewer=viewer, pk=case_id)
        evidence = Evidence.objects.filter(pk=evidence_id, case=case).first()
        if evidence is None:
            raise Http404
        evidence.case = case
        return evidence, viewer

    def evidence_preview_view(self, request, case_id: int, evidence_id: int):
        return require_GET(self._evidence_preview)(request, case_id, evidence_id)

    def _evidence_preview(self, request, case_id: int, evidence_id: int):
        """The blurred, metadata-free preview, checked on every request."""
        evidence, viewer = self._evidence(request, case_id, evidence_id)
        preview = evidence_preview_for_viewer(evidence=evidence, viewer=viewer)
        if not preview:
            raise Http404
        response = HttpResponse(preview, content_type="image/jpeg")
        response["Content-Disposition"] = f'inline; filename="preview-{evidence.pk}.jpg"'
        return _private_download_headers(response)

    def evidence_open_view(self, request, case_id: int, evidence_id: int):
        return self._post_in_scope(self._evidence_open, request, case_id, evidence_id)

    def _evidence_open(self, request, case_id: int, evidence_id: int):
        """The original file, as an attachment with a neutral name, never cached.

        Permission is checked on every request (there is no public URL to share),
        and the opening is audited with the reason given.
        """
        evidence, viewer = self._evidence(request, case_id, evidence_id)
        if not evidence_can_open(evidence=evidence, viewer=viewer):
            raise PermissionDenied
        form = ReasonForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors["reason"][0], code="reason_required")
            chunks = evidence_open_by_staff(
                evidence=evidence, by=viewer, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            if error.code == "by_not_allowed":
                raise PermissionDenied from None
            self.message_user(request, _refusal_text(error), messages.ERROR)
            return HttpResponseRedirect(self._case_url(evidence.case))
        extension = EVIDENCE_EXTENSIONS.get(evidence.content_type, "bin")
        response = StreamingHttpResponse(chunks, content_type="application/octet-stream")
        response["Content-Disposition"] = (
            f'attachment; filename="evidence-{evidence.pk}.{extension}"'
        )
        return _private_download_headers(response)

    def history_view(self, request, object_id, extra_context=None):
        """The case's audit events (not Django's LogEntry), for its supervisors."""
        viewer = _viewer(request)
        case = case_get_for_viewer(viewer=viewer, pk=object_id)
        events = audit_list_for_case(case=case, viewer=viewer)
        page = Paginator(events, 100).get_page(request.GET.get("p"))
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": HISTORY_TITLE % {"reference": case.reference},
            "case": case,
            "page": page,
            "events": [
                {"event": event, "details": sorted(event.details.items())} for event in page
            ],
            "display_time_zone": settings.DISPLAY_TIME_ZONE,
        }
        return TemplateResponse(request, "admin/casework/case/history.html", context)


@admin.register(AuditEvent, site=console_site)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, read-only: supervisors read their cases' events,
    administrators the events about no case (logins, lockouts, key rotation)."""

    list_display = ("sequence", "occurred_at", "action", "actor", "case_reference", "details_text")
    list_filter = ("action",)
    search_fields = ("=case__reference",)
    list_display_links = None
    list_select_related = ("actor", "case")
    list_per_page = 100
    show_full_result_count = False
    actions = None
    ordering = ("-sequence",)

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        viewer = _viewer(request)
        return viewer is not None and viewer.role in {
            StaffProfile.Role.SUPERVISOR,
            StaffProfile.Role.ADMINISTRATOR,
        }

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return audit_list_for_viewer(viewer=_viewer(request))

    @admin.display(description=CASE_COLUMN, ordering="case__reference")
    def case_reference(self, event: AuditEvent) -> str:
        return event.case.reference if event.case_id else "—"

    @admin.display(description=DETAILS_COLUMN)
    def details_text(self, event: AuditEvent) -> str:
        # One "what: value" per line rather than raw JSON; nested values stay JSON.
        return "; ".join(
            f"{key.replace('_', ' ')}: "
            f"{value if isinstance(value, str | int | float) else json.dumps(value, ensure_ascii=False)}"
            for key, value in sorted((event.details or {}).items())
        )

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise Http404
        extra_context = {"display_time_zone": settings.DISPLAY_TIME_ZONE, **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        raise Http404

    def history_view(self, request, object_id, extra_context=None):
        raise Http404

    def delete_view(self, request, object_id, extra_context=None):
        raise Http404


# The help-numbers page lives in its own module.
from casework import hotlines_admin  # noqa: E402, F401
