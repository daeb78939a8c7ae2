"""The victim's follow-up: reference + passphrase open the case's status and
messages. The session ends after 15 idle minutes or with "Leave now"."""

from __future__ import annotations

import functools
import time

from django.conf import settings
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from casework.client import client_address
from casework.crypto import Sealer
from casework.evidence import evidence_store
from casework.hotlines import help_numbers_for
from casework.models import Case, Message
from casework.officer_wording import case_speaks_of_a_woman, officer_label
from casework.services import (
    case_record_external_reference,
    case_withdraw_by_victim,
    feedback_submit,
    message_send_by_victim,
)
from casework.uploads import EncryptingUploadHandler
from config.csrf import csrf_protect
from reporting import forms
from reporting.services import FollowUpOutcome, followup_authenticate

SESSION_CASE = "followup_case"
SESSION_SEEN = "followup_seen"

LOGIN_INVALID = _(
    "The case number or the secret code is not right. Please check both and try again."
)
LOGIN_LOCKED = _(
    "Too many wrong tries for this case number. For your safety it is locked for 15 minutes. "
    "If you need help now, call 497 or 131."
)
LOGIN_CLIENT_LOCKED = _(
    "Too many wrong tries from this connection. Please wait 15 minutes and try again."
)
SIGNED_OUT_IDLE = _("For your safety you were signed out after 15 minutes without activity.")
MESSAGE_SENT = _("Your message was sent.")
EVIDENCE_ADDED = _("Your files were added to your case.")
REFERENCE_SAVED = _("Thank you. The number was saved to your case.")
FEEDBACK_THANKS = _("Thank you. A supervisor will read this.")
WITHDRAWN = _("Your report has been withdrawn. You can still call 497 or 131 at any time.")

# What each status means, in words for the person who reported.
STATUS_EXPLAINED = {
    Case.Status.NEW: _("Your report has arrived. An officer will read it soon."),
    Case.Status.TRIAGED: _("An officer has read your report and is arranging who will handle it."),
    Case.Status.ASSIGNED: _(
        "An officer has been given your case and will contact you in the way you chose."
    ),
    Case.Status.IN_CONTACT: _("An officer is working on your case with you."),
    Case.Status.ACCOUNTS_SECURED: _(
        "Your accounts have been secured. The officer is working on the rest."
    ),
    Case.Status.SUSPECT_IDENTIFIED: _("The police have identified the person threatening you."),
    Case.Status.REFERRED_TO_COURT: _("Your case has been sent to the court."),
    Case.Status.RESOLVED: _("Your case has been resolved."),
    Case.Status.CLOSED: _("Your case is closed."),
    Case.Status.WITHDRAWN: _("You withdrew this report."),
}
# The same sentences where Arabic must say «ضابطة»: the victim asked for a
# woman, or a woman was assigned.
STATUS_EXPLAINED_FEMALE_OFFICER = {
    Case.Status.ASSIGNED: pgettext_lazy(
        "female officer",
        "An officer has been given your case and will contact you in the way you chose.",
    ),
    Case.Status.IN_CONTACT: pgettext_lazy(
        "female officer", "An officer is working on your case with you."
    ),
    Case.Status.ACCOUNTS_SECURED: pgettext_lazy(
        "female officer",
        "Your accounts have been secured. The officer is working on the rest.",
    ),
}


def status_text_for(case: Case) -> str:
    if case_speaks_of_a_woman(case) and case.status in STATUS_EXPLAINED_FEMALE_OFFICER:
        return STATUS_EXPLAINED_FEMALE_OFFICER[case.status]
    return STATUS_EXPLAINED.get(case.status, "")


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
            flash.info(request, SIGNED_OUT_IDLE)
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


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    form = forms.FollowUpLoginForm(data=request.POST or None)
    status = 200
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
            message = {
                FollowUpOutcome.LOCKED: LOGIN_LOCKED,
                FollowUpOutcome.CLIENT_LOCKED: LOGIN_CLIENT_LOCKED,
            }.get(result.outcome, LOGIN_INVALID)
            form.add_error(None, ValidationError(message, code=result.outcome))
            status = 429 if result.outcome != FollowUpOutcome.INVALID else 400
        else:
            status = 400
    return render(request, "reporting/followup_login.html", {"form": form}, status=status)


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
    status=200,
):
    return render(
        request,
        "reporting/followup_case.html",
        {
            "case": case,
            "status_text": status_text_for(case),
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
            "is_withdrawn": case.status == Case.Status.WITHDRAWN,
            "intimate_images": bool(case.category and case.category.involves_intimate_images),
        },
        status=status,
    )


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
            form.add_error("number", error)
        else:
            flash.success(request, REFERENCE_SAVED)
            return redirect("reporting:followup_case")
    return _case_page(request, case, reference_form=form, status=400)


@csrf_exempt
def add_evidence(request: HttpRequest) -> HttpResponse:
    """Install the encrypting upload handler for this case before the body is read."""
    if request.method == "POST" and request.session.get(SESSION_CASE):
        case = Case.objects.filter(pk=request.session[SESSION_CASE]).first()
        if case is not None:
            request.upload_handlers = [
                EncryptingUploadHandler(
                    request,
                    sealer=Sealer.of(case),
                    max_bytes=settings.SANAD_EVIDENCE_MAX_BYTES,
                )
            ]
    return csrf_protect(require_POST(followup_case_required(_store_case_evidence)))(request)


def _store_case_evidence(request: HttpRequest, case: Case) -> HttpResponse:
    errors = []
    sealer = Sealer.of(case)
    uploads = request.FILES.getlist("files")
    for upload in uploads:
        try:
            evidence_store(sealer=sealer, upload=upload, case=case)
        except ValidationError as error:
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
            form.add_error(None, error)
        else:
            flash.success(request, FEEDBACK_THANKS)
            return redirect("reporting:followup_case")
    return _case_page(request, case, feedback_form=form, status=400)


@require_http_methods(["GET", "POST"])
@followup_case_required
def withdraw(request: HttpRequest, case: Case) -> HttpResponse:
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        case_withdraw_by_victim(case=case)
        flash.info(request, WITHDRAWN)
        return redirect("reporting:followup_case")
    return render(request, "reporting/followup_withdraw.html", {"case": case})


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return redirect("reporting:landing")
