"""The report journey: short steps, answers kept (encrypted) on the server.

Going back and forth loses nothing: each step's answers are stored as typed
when the person moves on, even with errors, and redisplayed. Filing happens
only from the last step, and the receipt is rendered in that response, so
the passphrase is never stored in clear anywhere, not even in the session.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from casework.client import client_address
from casework.evidence import evidence_discard, evidence_store
from casework.identifiers import passphrase_normalise
from casework.models import Answer, Case, Category, Evidence, Governorate, Platform
from casework.throttle import throttle_consume, throttle_key
from casework.uploads import EncryptingUploadHandler
from config.csrf import csrf_protect
from reporting import forms
from reporting.filing import (
    RECEIPT_COOKIE,
    STEP_NEEDS_CHECK,
    answer_from_raw,
    answers_to_report,
    draft_discard_expired,
    draft_step_as_form_data,
    receipt_browser_key_new,
    receipt_browser_key_parse,
    receipt_forget,
    receipt_open,
    report_submit,
)
from reporting.models import ReportDraft
from reporting.services import (
    draft_answers,
    draft_create,
    draft_is_expired,
    draft_save_step,
    draft_sealer,
)

SESSION_DRAFT = "report_draft"
# The uuid of the case this browser session filed: its receipt can be shown again.
SESSION_RECEIPT = "receipt_case_uuid"

PRACTICE_MISMATCH = _("That is not the same code. Please look again carefully and try once more.")
DRAFT_EXPIRED = _(
    "For your safety, unfinished reports are deleted after a few hours. Please start again."
)


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type | None


STEPS = [
    Step("what", _("What happened"), forms.WhatForm),
    Step("blackmailer", _("The person threatening you"), forms.BlackmailerForm),
    Step("threat", _("The threat"), forms.ThreatForm),
    Step("evidence", _("Evidence"), forms.EvidenceForm),
    Step("safety", _("Your safety"), forms.SafetyForm),
    Step("contact", _("How we contact you"), forms.ContactForm),
    Step("review", _("Check and send"), None),
]
STEP_INDEX = {step.slug: index for index, step in enumerate(STEPS)}


def _current_draft(request: HttpRequest, *, create: bool = False) -> ReportDraft | None:
    draft_uuid = request.session.get(SESSION_DRAFT)
    draft = ReportDraft.objects.filter(uuid=draft_uuid).first() if draft_uuid else None
    if draft is not None and draft_is_expired(draft):
        draft_discard_expired(draft=draft)
        draft = None
    if draft is None and create:
        draft = draft_create()
        request.session[SESSION_DRAFT] = str(draft.uuid)
    return draft


def _form_kwargs(step: Step) -> dict:
    if step.form_class is forms.EvidenceForm:
        return {
            "max_files": settings.SANAD_EVIDENCE_MAX_FILES,
            "max_megabytes": settings.SANAD_EVIDENCE_MAX_BYTES // (1024 * 1024),
        }
    return {}


def _raw_step_data(request: HttpRequest, step: Step) -> dict:
    """What the person typed, as lists (multi-value fields survive)."""
    form = step.form_class(**_form_kwargs(step))
    return {name: request.POST.getlist(name) for name in form.fields if name != "files"}


def _initial_from_raw(step: Step, raw: dict) -> dict:
    form = step.form_class(**_form_kwargs(step))
    initial = {}
    for name, field in form.fields.items():
        values = raw.get(name, [])
        if isinstance(field, forms.forms.MultipleChoiceField):
            initial[name] = values
        elif values:
            initial[name] = values[0]
    return initial


def _draft_evidence(draft: ReportDraft | None):
    if draft is None:
        return Evidence.objects.none()
    return Evidence.objects.filter(owner_uuid=draft.uuid, case__isnull=True).order_by("uploaded_at")


def _step_context(request, step: Step, form, draft, answers, *, upload_errors=None) -> dict:
    index = STEP_INDEX[step.slug]
    safety = answers.get("safety", {})
    return {
        "step": step,
        "steps": STEPS,
        "step_number": index + 1,
        "step_count": len(STEPS),
        "form": form,
        "previous": STEPS[index - 1] if index > 0 else None,
        "evidence": list(_draft_evidence(draft)),
        "upload_errors": upload_errors or [],
        "show_self_harm_help": _first(safety, "self_harm") == "yes",
    }


def start(request: HttpRequest) -> HttpResponse:
    return render(request, "reporting/report_start.html", {"steps": STEPS})


@require_http_methods(["GET", "POST"])
def step_view(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in STEP_INDEX or slug == "review":
        raise Http404
    step = STEPS[STEP_INDEX[slug]]
    draft = _current_draft(request, create=request.method == "POST")
    answers = draft_answers(draft) if draft else {}

    if request.method == "GET":
        saved = answers.get(slug, {})
        check_notice = None
        if request.GET.get("check") and step.form_class is not forms.EvidenceForm:
            # Sent back from "Send": show the saved answers with their errors.
            form = step.form_class(data=draft_step_as_form_data(saved), **_form_kwargs(step))
            form.is_valid()
            check_notice = STEP_NEEDS_CHECK
        else:
            form = step.form_class(initial=_initial_from_raw(step, saved), **_form_kwargs(step))
        return _with_receipt_key(
            request,
            render(
                request,
                "reporting/report_step.html",
                {
                    **_step_context(request, step, form, draft, answers),
                    "check_notice": check_notice,
                },
            ),
        )

    upload_errors = []
    if step.form_class is forms.EvidenceForm:
        upload_errors = _receive_evidence(request, draft)
        _remove_evidence(request, draft)
    raw = _raw_step_data(request, step)
    answers = draft_save_step(draft=draft, step=slug, data=raw)
    form = step.form_class(data=request.POST, **_form_kwargs(step))
    going_back = "back" in request.POST
    if going_back:
        index = STEP_INDEX[slug]
        if index == 0:
            return redirect("reporting:report_start")
        return redirect("reporting:report_step", STEPS[index - 1].slug)
    if not form.is_valid() or upload_errors or "upload" in request.POST:
        status = 200 if form.is_valid() and not upload_errors else 400
        return render(
            request,
            "reporting/report_step.html",
            _step_context(request, step, form, draft, answers, upload_errors=upload_errors),
            status=status,
        )
    next_step = STEPS[STEP_INDEX[slug] + 1]
    if next_step.slug == "review":
        return _with_receipt_key(request, redirect("reporting:report_review"))
    return _with_receipt_key(request, redirect("reporting:report_step", next_step.slug))


def _with_receipt_key(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Give the browser its half of the receipt key while the report is written.

    It must be there before "Send" is pressed: of two presses in a row, the
    browser shows the answer to the second, which can open the receipt only
    with a key the browser already sent with both.
    """
    if receipt_browser_key_parse(request.COOKIES.get(RECEIPT_COOKIE)) is None:
        _set_receipt_cookie(response, receipt_browser_key_new())
    return response


def _set_receipt_cookie(response: HttpResponse, value: str) -> None:
    response.set_cookie(
        RECEIPT_COOKIE,
        value,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _receive_evidence(request: HttpRequest, draft: ReportDraft) -> list[str]:
    """Store each uploaded file, encrypted, as draft evidence. Returns the
    translated reasons for files that were refused (nothing of those is kept)."""
    errors = []
    for upload in request.FILES.getlist("files"):
        try:
            evidence_store(sealer=draft_sealer(draft), upload=upload)
        except ValidationError as error:
            errors.extend(error.messages)
    return errors


def _remove_evidence(request: HttpRequest, draft: ReportDraft) -> None:
    remove = set(request.POST.getlist("remove_evidence"))
    if remove:
        for evidence in _draft_evidence(draft).filter(uuid__in=[u for u in remove if _is_uuid(u)]):
            evidence_discard(evidence=evidence)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# CSRF is checked by csrf_protect below, after the handler is installed: the
# middleware would otherwise read the body (and spool files) first.
@csrf_exempt
def evidence_upload_view(request: HttpRequest) -> HttpResponse:
    """The evidence step: installs the encrypting upload handler before the
    request body is read, so no file is ever spooled to disk in clear."""
    if request.method == "POST":
        draft = _current_draft(request, create=True)
        request.upload_handlers = [
            EncryptingUploadHandler(
                request, sealer=draft_sealer(draft), max_bytes=settings.SANAD_EVIDENCE_MAX_BYTES
            )
        ]
    return csrf_protect(step_view)(request, "evidence")


# --- review and filing ------------------------------------------------------------


def _first(raw: dict, name: str) -> str:
    values = raw.get(name) or [""]
    return values[0] or ""


def _review_rows(answers: dict) -> list[dict]:
    """What the person told us, step by step, in words (for the review page)."""
    report = answers_to_report(answers, now=timezone.now())
    category = Category.objects.filter(code=report.category_code).first()
    governorate = Governorate.objects.filter(code=report.governorate_code).first()
    deadline_labels = dict(forms.DeadlineChoice.CHOICES)
    contact_rules = [str(forms.ContactRule.LABELS[r]) for r in report.contact_rules]
    yes = _("Yes")
    dash = "—"
    return [
        {
            "step": "what",
            "label": _("What is happening"),
            "value": category.name if category else dash,
        },
        {
            "step": "what",
            "label": _("Where"),
            "value": Platform(report.platform).label if report.platform else dash,
        },
        {"step": "what", "label": _("Your account of it"), "value": report.narrative or dash},
        {
            "step": "blackmailer",
            "label": _("Do you know who it is"),
            "value": Case.KnowsBlackmailer(report.knows_blackmailer).label
            if report.knows_blackmailer
            else dash,
        },
        {
            "step": "blackmailer",
            "label": _("Their numbers, usernames or links"),
            "value": "\n".join(report.suspect_identifiers) or dash,
        },
        {
            "step": "threat",
            "label": _("Deadline"),
            "value": deadline_labels.get(_first(answers.get("threat", {}), "deadline"), dash),
        },
        {
            "step": "threat",
            "label": _("Money asked for"),
            "value": Answer(report.money_demanded).label,
        },
        {"step": "threat", "label": _("Money paid"), "value": Answer(report.money_paid).label},
        {"step": "safety", "label": _("Under 18"), "value": Answer(report.is_minor).label},
        {
            "step": "safety",
            "label": _("Thinking of self-harm"),
            "value": Answer(report.self_harm_risk).label,
        },
        {
            "step": "contact",
            "label": _("Contact"),
            "value": Case.ContactMethod(report.contact_method).label,
        },
        {"step": "contact", "label": _("Safe phone number"), "value": report.phone or dash},
        {"step": "contact", "label": _("Safe times"), "value": report.safe_hours or dash},
        {
            "step": "contact",
            "label": _("Rules for the officer"),
            "value": "\n".join(contact_rules) or dash,
        },
        {"step": "contact", "label": _("Name or nickname"), "value": report.name or _("Anonymous")},
        {
            "step": "contact",
            "label": _("Governorate"),
            "value": governorate.name if governorate else dash,
        },
        {
            "step": "contact",
            "label": _("Female officer"),
            "value": yes if report.wants_female_officer else _("No preference"),
        },
    ]


def review(request: HttpRequest) -> HttpResponse:
    draft = _current_draft(request)
    answers = draft_answers(draft) if draft else {}
    context = {
        "step": STEPS[-1],
        "steps": STEPS,
        "step_number": len(STEPS),
        "step_count": len(STEPS),
        "rows": _review_rows(answers),
        "evidence": list(_draft_evidence(draft)),
        "can_file": bool(_first(answers.get("what", {}), "category")),
        "show_self_harm_help": answer_from_raw(answers.get("safety", {}), "self_harm")
        == Answer.YES,
    }
    return _with_receipt_key(request, render(request, "reporting/report_review.html", context))


@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    """Send the report (``reporting.filing.report_submit``), then show the receipt
    at its own address, so a refresh or a second press shows it again."""
    draft_uuid = request.session.get(SESSION_DRAFT)
    if draft_uuid is None:
        if request.session.get(SESSION_RECEIPT):
            return _see_receipt()
        return _expired(request)
    draft = ReportDraft.objects.filter(uuid=draft_uuid).first()
    if draft is None:
        if Case.objects.filter(uuid=draft_uuid).exists():
            # Sent already (a double press): the same receipt, and no second case.
            return _remember_receipt(request, draft_uuid)
        return _expired(request)
    if draft_is_expired(draft) and not Case.objects.filter(uuid=draft_uuid).exists():
        draft_discard_expired(draft=draft)
        return _expired(request)

    # Rate limits: per client, then site-wide, so a flood of fake reports
    # cannot bury real ones. The draft stays; the person can try again later.
    client = client_address(request)
    client_ok = throttle_consume(
        key=throttle_key("filing-client", client),
        limit=settings.SANAD_FILING_LIMIT_PER_CLIENT,
        window_seconds=settings.SANAD_FILING_LIMIT_PER_CLIENT_WINDOW,
    )
    site_ok = client_ok and throttle_consume(
        key=throttle_key("filing-site", "all"),
        limit=settings.SANAD_FILING_LIMIT_SITE,
        window_seconds=settings.SANAD_FILING_LIMIT_SITE_WINDOW,
    )
    if not (client_ok and site_ok):
        return render(request, "reporting/report_busy.html", status=429)

    browser_value = request.COOKIES.get(RECEIPT_COOKIE)
    browser_key = receipt_browser_key_parse(browser_value)
    if browser_key is None:
        browser_value = receipt_browser_key_new()
        browser_key = receipt_browser_key_parse(browser_value)
    try:
        result = report_submit(draft=draft, browser_key=browser_key)
    except ValidationError as error:
        if error.code == "draft_gone":
            return _expired(request)
        # A step's answer is not right: back to that step, every answer kept.
        step = error.params["step"]
        return redirect(reverse("reporting:report_step", args=[step]) + "?check=1")
    response = _remember_receipt(request, str(result.case.uuid))
    if browser_value != request.COOKIES.get(RECEIPT_COOKIE):
        _set_receipt_cookie(response, browser_value)
    return response


def _expired(request: HttpRequest) -> HttpResponse:
    return render(request, "reporting/report_expired.html", {"message": DRAFT_EXPIRED}, status=410)


def _remember_receipt(request: HttpRequest, case_uuid: str) -> HttpResponse:
    request.session.pop(SESSION_DRAFT, None)
    request.session[SESSION_RECEIPT] = str(case_uuid)
    return _see_receipt()


def _see_receipt() -> HttpResponse:
    # 303: the browser fetches the receipt with GET, so a refresh never sends again.
    response = HttpResponseRedirect(reverse("reporting:report_receipt"))
    response.status_code = 303
    return response


def _receipt_case(request: HttpRequest) -> Case | None:
    case_uuid = request.session.get(SESSION_RECEIPT)
    if not case_uuid or not _is_uuid(case_uuid):
        return None
    return Case.objects.select_related("category").filter(uuid=case_uuid).first()


def _receipt_code(request: HttpRequest, case: Case) -> str | None:
    return receipt_open(
        case=case,
        browser_key=receipt_browser_key_parse(request.COOKIES.get(RECEIPT_COOKIE)),
        now=timezone.now(),
    )


def receipt(request: HttpRequest) -> HttpResponse:
    """The receipt of the report this browser session sent.

    For a few minutes after sending it shows the code again (a refresh, a
    second press of "Send"); after that it says plainly that the report was
    sent, and what to do if the code was not written down.
    """
    case = _receipt_case(request)
    if case is None:
        return redirect("reporting:report_start")
    code = _receipt_code(request, case)
    if code is None:
        return render(request, "reporting/report_sent.html", {"case": case})
    return _render_receipt(request, case, code)


def _render_receipt(request, case: Case, passphrase: str, *, form=None, status=200) -> HttpResponse:
    intimate = bool(case.category and case.category.involves_intimate_images)
    return render(
        request,
        "reporting/receipt.html",
        {
            "reference": case.reference,
            "passphrase": passphrase,
            "passphrase_compact": passphrase.replace(" ", ""),
            "form": form or forms.PracticeForm(),
            "intimate_images": intimate,
            "is_minor": case.is_minor,
        },
        status=status,
    )


@require_POST
def receipt_check(request: HttpRequest) -> HttpResponse:
    """The practice run: type the code back once before leaving the receipt.

    Compared with the sealed code of the report this browser sent; once it
    matches, the sealed code is deleted: it is not shown again.
    """
    case = _receipt_case(request)
    code = _receipt_code(request, case) if case is not None else None
    if code is None:
        return redirect("reporting:report_receipt")
    form = forms.PracticeForm(data=request.POST)
    if form.is_valid() and passphrase_normalise(
        form.cleaned_data["passphrase_typed"]
    ) == passphrase_normalise(code):
        receipt_forget(case=case)
        return render(request, "reporting/receipt_done.html", {"reference": case.reference})
    form.add_error(
        "passphrase_typed", forms.forms.ValidationError(PRACTICE_MISMATCH, code="mismatch")
    )
    return _render_receipt(request, case, code, form=form, status=400)
