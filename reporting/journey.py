"""The report journey: short steps, answers kept (encrypted) on the server.

Going back and forth loses nothing: each step's answers are stored as typed
when the person moves on, even with errors, and redisplayed. Sending, and
the receipt, are ``reporting.send``; filing itself is ``reporting.filing``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from casework.client import client_address
from casework.evidence import evidence_discard, evidence_store
from casework.evidence_limits import evidence_upload_handler
from casework.key_checks import sealer_new
from casework.models import Answer, Case, Category, Evidence, Governorate, Platform
from casework.uploads import DiscardingUploadHandler
from config.csrf import csrf_protect, csrf_secret_present
from reporting import forms
from reporting.filing import (
    STEP_NEEDS_CHECK,
    answer_from_raw,
    answers_to_report,
    draft_discard_expired,
    draft_step_as_form_data,
)
from reporting.models import ReportDraft
from reporting.send import SESSION_DRAFT, with_receipt_key
from reporting.services import (
    draft_answers,
    draft_create,
    draft_is_expired,
    draft_save_step,
    draft_sealer,
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


# The key a draft will get, made before CSRF is checked (see evidence_upload_view).
_PENDING_DRAFT_KEY = "_sanad_pending_draft_key"


def _current_draft(request: HttpRequest, *, create: bool = False) -> ReportDraft | None:
    draft_uuid = request.session.get(SESSION_DRAFT)
    draft = ReportDraft.objects.filter(uuid=draft_uuid).first() if draft_uuid else None
    if draft is not None and draft_is_expired(draft):
        draft_discard_expired(draft=draft)
        draft = None
    if draft is None and create:
        owner, wrapped_key = getattr(request, _PENDING_DRAFT_KEY, (None, None))
        draft = draft_create(owner=owner, wrapped_key=wrapped_key)
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
    # The declared fields (base_fields): no form is built, no choices queried.
    fields = step.form_class.base_fields
    return {name: request.POST.getlist(name) for name in fields if name != "files"}


def _initial_from_raw(step: Step, raw: dict) -> dict:
    initial = {}
    for name, field in step.form_class.base_fields.items():
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
        return with_receipt_key(
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
        return with_receipt_key(request, redirect("reporting:report_review"))
    return with_receipt_key(request, redirect("reporting:report_step", next_step.slug))


def _receive_evidence(request: HttpRequest, draft: ReportDraft) -> list[str]:
    """Store each uploaded file, encrypted, as draft evidence. Returns the
    translated reasons for files that were refused (nothing of those is kept)."""
    errors = []
    for upload in request.FILES.getlist("files"):
        try:
            evidence_store(
                sealer=draft_sealer(draft), upload=upload, client=client_address(request)
            )
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
    request body is read, so no file is ever spooled to disk in clear.

    Nothing is created before CSRF passes: a request without a CSRF secret has
    its files discarded unread, and a first upload is encrypted under a key
    made here, the draft itself being created (with that key) only by the
    CSRF-protected step view.
    """
    if request.method == "POST":
        if not csrf_secret_present(request):
            request.upload_handlers = [DiscardingUploadHandler(request)]
        else:
            draft = _current_draft(request)
            if draft is not None:
                sealer = draft_sealer(draft)
            else:
                owner = uuid.uuid4()
                sealer, wrapped_key = sealer_new(owner=owner)
                setattr(request, _PENDING_DRAFT_KEY, (owner, wrapped_key))
            request.upload_handlers = [
                evidence_upload_handler(request, sealer=sealer, client=client_address(request))
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
            "ltr": bool(report.suspect_identifiers),
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
        {
            "step": "contact",
            "label": _("Safe phone number"),
            "value": report.phone or dash,
            "ltr": bool(report.phone),
        },
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
    return with_receipt_key(request, render(request, "reporting/report_review.html", context))
