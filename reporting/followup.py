"""The victim's follow-up: reference + passphrase open the case's status and
messages. The session ends after SANAD_FOLLOWUP_IDLE_SECONDS without activity or
with "Leave now"."""

from __future__ import annotations

import datetime as dt
import functools
import time
import zoneinfo

from django.conf import settings
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from casework.client import client_address
from casework.crypto import Sealer
from casework.evidence import evidence_store
from casework.evidence_limits import evidence_upload_handler
from casework.hotlines import help_numbers_for
from casework.models import Case, Message
from casework.officer_wording import case_speaks_of_a_woman, officer_label
from casework.services import (
    case_record_external_reference,
    case_withdraw_by_victim,
    feedback_submit,
    message_send_by_victim,
)
from casework.uploads import DiscardingUploadHandler
from casework.victim import (
    REPORT_CLOSED,
    REPORT_WITHDRAWN,
    case_accepts_victim_input,
    case_status_for_victim,
)
from config.csrf import csrf_protect, csrf_secret_present
from reporting import forms
from reporting.services import FollowUpOutcome, FollowUpResult, followup_authenticate

SESSION_CASE = "followup_case"
SESSION_SEEN = "followup_seen"

LOGIN_INVALID = _(
    "The case number or the secret code is not right. Please check both and try again."
)
LOGIN_TRIES_LEFT = ngettext_lazy(
    "You can try %(count)s more time before this case number is locked for a while.",
    "You can try %(count)s more times before this case number is locked for a while.",
    "count",
)
LOGIN_NOW_LOCKED = _(
    "Because of too many wrong codes, this case number is now locked until %(time)s "
    "(Iraq time). Please try again after that."
)
LOGIN_LOCKED = _(
    "Someone tried wrong codes for this case number, so it is locked until %(time)s "
    "(Iraq time). This protects your report: nobody got in. Please try again after that."
)
LOGIN_CLIENT_LOCKED = _(
    "Too many wrong codes were tried from this connection, so it is blocked until %(time)s "
    "(Iraq time). Please try again after that, or from another connection."
)
LOGIN_BUSY = _(
    "Too many people are trying to open their case right now. Please wait a minute and try again."
)
LOGIN_IN_DANGER = _("If you are in danger now, do not wait: call a hotline.")
SIGNED_OUT_IDLE = ngettext_lazy(
    "For your safety you were signed out after %(minutes)s minute without activity.",
    "For your safety you were signed out after %(minutes)s minutes without activity.",
    "minutes",
)
MESSAGE_SENT = _("Your message was sent.")
EVIDENCE_ADDED = _("Your files were added to your case.")
REFERENCE_SAVED = _("Thank you. The number was saved to your case.")
FEEDBACK_THANKS = _("Thank you. A supervisor will read this.")
WITHDRAWN = _("Your report has been withdrawn. You can still call 497 or 131 at any time.")


def followup_case_required(view):
    """Open the follow-up case of this session, or send the person to log in."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        case_pk = request.session.get(SESSION_CASE)
        seen = request.session.get(SESSION_SEEN, 0)
        if case_pk is None:
            return redirect("reporting:followup_login")
        if time.time() - seen > settings.SANAD_FOLLOWUP_IDLE_SECONDS:
            request.session.flush()
            minutes = max(settings.SANAD_FOLLOWUP_IDLE_SECONDS // 60, 1)
            flash.info(request, SIGNED_OUT_IDLE % {"minutes": minutes})
            return redirect("reporting:followup_login")
        case = (
            Case.objects.select_related("category", "assigned_officer").filter(pk=case_pk).first()
        )
        if case is None:
            request.session.flush()
            return redirect("reporting:followup_login")
        request.session[SESSION_SEEN] = time.time()
        return view(request, case, *args, **kwargs)

    return wrapper


def _iraq_time(moment: dt.datetime) -> str:
    """A lock's end as people in Iraq read it: the time, and the day if not today."""
    zone = zoneinfo.ZoneInfo(settings.DISPLAY_TIME_ZONE)
    local = timezone.localtime(moment, zone)
    shown = formats.time_format(local, "TIME_FORMAT")
    if local.date() != timezone.localtime(timezone.now(), zone).date():
        shown = f"{formats.date_format(local, 'MONTH_DAY_FORMAT')} {shown}"
    return shown


def _login_refusal(result: FollowUpResult) -> list[str]:
    """The words for a refused login: what happened, until when, what to do."""
    until = {"time": _iraq_time(result.until)} if result.until else None
    if result.outcome == FollowUpOutcome.LOCKED:
        return [LOGIN_LOCKED % until if until else LOGIN_BUSY]
    if result.outcome == FollowUpOutcome.CLIENT_LOCKED:
        return [LOGIN_CLIENT_LOCKED % until if until else LOGIN_BUSY]
    if result.outcome == FollowUpOutcome.BUSY:
        return [LOGIN_BUSY]
    lines = [LOGIN_INVALID]
    if result.tries_left == 0 and until:
        lines.append(LOGIN_NOW_LOCKED % until)
    elif result.tries_left:
        lines.append(LOGIN_TRIES_LEFT % {"count": result.tries_left})
    return lines


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    form = forms.FollowUpLoginForm(data=request.POST or None)
    status = 200
    refused = False
    if request.method == "POST":
        # The form's max_length refuses over-long input before any hashing.
        if form.is_valid():
            result = followup_authenticate(
                reference=form.cleaned_data["reference"],
                passphrase=form.cleaned_data["passphrase"],
                client_address=client_address(request),
            )
            if result.outcome == FollowUpOutcome.OK:
                # A fresh session key: whatever id the browser had before is useless now.
                request.session.cycle_key()
                request.session[SESSION_CASE] = result.case.pk
                request.session[SESSION_SEEN] = time.time()
                return redirect("reporting:followup_case")
            for line in _login_refusal(result):
                form.add_error(None, ValidationError(line, code=result.outcome))
            refused = result.outcome != FollowUpOutcome.INVALID or result.tries_left == 0
            status = 429 if result.outcome != FollowUpOutcome.INVALID else 400
        else:
            status = 400
    response = render(
        request,
        "reporting/followup_login.html",
        {"form": form, "refused": refused, "in_danger": LOGIN_IN_DANGER},
        status=status,
    )
    if status == 429:
        response["Retry-After"] = "60"
    return response


def _thread(case: Case) -> list[dict]:
    sealer = Sealer.of(case)
    rows = []
    for message in case.messages.select_related("officer").order_by("created_at", "pk"):
        if message.sender == Message.Sender.VICTIM:
            author = _("You")
        else:
            author = officer_label(message.officer)
        rows.append(
            {
                "mine": message.sender == Message.Sender.VICTIM,
                "author": author,
                "body": sealer.open_text(f"message/{message.pk}", message.body_enc),
                "at": message.created_at,
            }
        )
    return rows


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    message_form=None,
    reference_form=None,
    feedback_form=None,
    upload_errors=None,
    refusal=None,
    status=200,
):
    accepts_input = case_accepts_victim_input(case)
    return render(
        request,
        "reporting/followup_case.html",
        {
            "case": case,
            "victim_status": case_status_for_victim(case),
            "refusal": refusal,
            "female_officer": case_speaks_of_a_woman(case),
            "help_numbers": help_numbers_for(governorate=case.governorate),
            "thread": _thread(case),
            "message_form": message_form or forms.MessageForm(),
            "reference_form": reference_form or forms.ExternalReferenceForm(),
            "feedback_form": feedback_form or forms.FeedbackForm(),
            "evidence_form": forms.EvidenceForm(
                max_files=settings.SANAD_EVIDENCE_MAX_FILES,
                max_megabytes=settings.SANAD_EVIDENCE_MAX_BYTES // (1024 * 1024),
            ),
            "evidence_count": case.evidence.count(),
            "upload_errors": upload_errors or [],
            "accepts_input": accepts_input,
            "closed_notice": None
            if accepts_input
            else (REPORT_WITHDRAWN if case.status == Case.Status.WITHDRAWN else REPORT_CLOSED),
            "intimate_images": bool(case.category and case.category.involves_intimate_images),
        },
        status=status,
    )


# A withdrawn or closed report refuses victim input (casework.victim): the
# page says why, whatever form the request came from.
REFUSED_CODES = frozenset({"case_withdrawn", "case_closed"})


def _refused(request: HttpRequest, case: Case, error: ValidationError) -> HttpResponse:
    case.refresh_from_db()
    return _case_page(request, case, refusal=error.messages[0], status=403)


@followup_case_required
def case_view(request: HttpRequest, case: Case) -> HttpResponse:
    return _case_page(request, case)


@require_POST
@followup_case_required
def send_message(request: HttpRequest, case: Case) -> HttpResponse:
    form = forms.MessageForm(data=request.POST)
    if form.is_valid():
        try:
            message_send_by_victim(case=case, body=form.cleaned_data["body"])
        except ValidationError as error:
            if error.code in REFUSED_CODES:
                return _refused(request, case, error)
            form.add_error("body", error)
        else:
            flash.success(request, MESSAGE_SENT)
            return redirect("reporting:followup_case")
    return _case_page(request, case, message_form=form, status=400)


@require_POST
@followup_case_required
def record_reference(request: HttpRequest, case: Case) -> HttpResponse:
    form = forms.ExternalReferenceForm(data=request.POST)
    if form.is_valid():
        try:
            case_record_external_reference(
                case=case, service=form.cleaned_data["service"], number=form.cleaned_data["number"]
            )
        except ValidationError as error:
            if error.code in REFUSED_CODES:
                return _refused(request, case, error)
            form.add_error("number", error)
        else:
            flash.success(request, REFERENCE_SAVED)
            return redirect("reporting:followup_case")
    return _case_page(request, case, reference_form=form, status=400)


@csrf_exempt
def add_evidence(request: HttpRequest) -> HttpResponse:
    """Install the encrypting upload handler for this case before the body is read."""
    if request.method == "POST":
        case = None
        if request.session.get(SESSION_CASE) and csrf_secret_present(request):
            case = Case.objects.filter(pk=request.session[SESSION_CASE]).first()
        if case is not None:
            request.upload_handlers = [
                evidence_upload_handler(
                    request, sealer=Sealer.of(case), client=client_address(request)
                )
            ]
        else:  # cannot pass the checks below: keep nothing of the body
            request.upload_handlers = [DiscardingUploadHandler(request)]
    return csrf_protect(require_POST(followup_case_required(_store_case_evidence)))(request)


def _store_case_evidence(request: HttpRequest, case: Case) -> HttpResponse:
    errors = []
    sealer = Sealer.of(case)
    uploads = request.FILES.getlist("files")
    for index, upload in enumerate(uploads):
        try:
            evidence_store(sealer=sealer, upload=upload, case=case, client=client_address(request))
        except ValidationError as error:
            if error.code in REFUSED_CODES:
                for unused in uploads[index + 1 :]:
                    unused.close()
                return _refused(request, case, error)
            errors.extend(error.messages)
    if errors or not uploads:
        return _case_page(request, case, upload_errors=errors, status=400 if errors else 200)
    flash.success(request, EVIDENCE_ADDED)
    return redirect("reporting:followup_case")


@require_POST
@followup_case_required
def send_feedback(request: HttpRequest, case: Case) -> HttpResponse:
    form = forms.FeedbackForm(data=request.POST)
    if form.is_valid():
        try:
            feedback_submit(
                case=case,
                rating=form.cleaned_data["rating"],
                complaint=form.cleaned_data["complaint"],
            )
        except ValidationError as error:
            if error.code in REFUSED_CODES:
                return _refused(request, case, error)
            form.add_error(None, error)
        else:
            flash.success(request, FEEDBACK_THANKS)
            return redirect("reporting:followup_case")
    return _case_page(request, case, feedback_form=form, status=400)


@require_http_methods(["GET", "POST"])
@followup_case_required
def withdraw(request: HttpRequest, case: Case) -> HttpResponse:
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            case_withdraw_by_victim(case=case)
        except ValidationError as error:
            return _refused(request, case, error)
        flash.info(request, WITHDRAWN)
        return redirect("reporting:followup_case")
    return render(request, "reporting/followup_withdraw.html", {"case": case})


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return redirect("reporting:landing")
