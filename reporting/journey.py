"""The report journey: short steps, answers kept (encrypted) on the server.

Going back and forth loses nothing: each step's answers are stored as typed
when the person moves on, even with errors, and redisplayed. Filing happens
only from the last step, and the receipt is rendered in that response, so
the passphrase is never stored in clear anywhere, not even in the session.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from casework.client import client_address
from casework.evidence import (
    evidence_attach_to_case,
    evidence_discard,
    evidence_discard_for_owner,
    evidence_store,
)
from casework.identifiers import passphrase_normalise, passphrase_verify
from casework.models import Case, Category, Evidence, Governorate, Platform
from casework.services import ReportAnswers, report_file
from casework.throttle import throttle_consume, throttle_key
from casework.uploads import EncryptingUploadHandler
from config.csrf import csrf_protect
from reporting import forms
from reporting.models import ReportDraft
from reporting.services import (
    draft_answers,
    draft_create,
    draft_is_expired,
    draft_save_step,
    draft_sealer,
)

SESSION_DRAFT = "report_draft"
SESSION_RECEIPT_CASE = "receipt_case"

NOTHING_TO_ACT_ON = _(
    "Please tell us at least what is happening (the first step) so an officer can act."
)
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
        evidence_discard_for_owner(owner_uuid=draft.uuid)
        draft.delete()
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
        form = step.form_class(
            initial=_initial_from_raw(step, answers.get(slug, {})), **_form_kwargs(step)
        )
        return render(
            request,
            "reporting/report_step.html",
            _step_context(request, step, form, draft, answers),
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
        return redirect("reporting:report_review")
    return redirect("reporting:report_step", next_step.slug)


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


def answers_to_report(answers: dict, *, now: dt.datetime) -> ReportAnswers:
    what, who, threat = (
        answers.get("what", {}),
        answers.get("blackmailer", {}),
        answers.get("threat", {}),
    )
    safety, contact = answers.get("safety", {}), answers.get("contact", {})
    deadline = _first(threat, "deadline")
    hours = forms.DeadlineChoice.HOURS.get(deadline)
    valid_rules = {code for code, _label in forms.ContactRule.CHOICES}
    return ReportAnswers(
        category_code=_first(what, "category"),
        platform=_first(what, "platform") if _first(what, "platform") in Platform.values else "",
        narrative=_first(what, "narrative")[:10000],
        knows_blackmailer=_first(who, "knows_blackmailer")
        if _first(who, "knows_blackmailer") in Case.KnowsBlackmailer.values
        else "",
        suspect_identifiers=[
            line for line in _first(who, "identifiers").splitlines() if line.strip()
        ][: forms.MAX_IDENTIFIER_LINES],
        threat_deadline=now + dt.timedelta(hours=hours) if hours else None,
        threat_details=_first(threat, "demands")[:3000],
        money_demanded=_first(threat, "money_demanded") == "yes",
        money_paid=_first(threat, "money_paid") == "yes",
        amount_paid=_first(threat, "amount_paid")[:200],
        is_minor=_first(safety, "is_minor") == "yes",
        self_harm_risk=_first(safety, "self_harm") == "yes",
        device_shared=_first(safety, "device_shared") in {"yes", "unsure"},
        contact_method=_first(contact, "contact_method")
        if _first(contact, "contact_method") in Case.ContactMethod.values
        else Case.ContactMethod.MESSAGES_ONLY,
        phone=_first(contact, "phone")[:40],
        safe_hours=_first(contact, "safe_hours")[:200],
        contact_rules=[rule for rule in contact.get("contact_rules", []) if rule in valid_rules],
        name=_first(contact, "name")[:120],
        governorate_code=_first(contact, "governorate"),
        wants_female_officer=_first(contact, "female_officer") == "yes",
    )


def _review_rows(answers: dict) -> list[dict]:
    """What the person told us, step by step, in words (for the review page)."""
    report = answers_to_report(answers, now=timezone.now())
    category = Category.objects.filter(code=report.category_code).first()
    governorate = Governorate.objects.filter(code=report.governorate_code).first()
    deadline_labels = dict(forms.DeadlineChoice.CHOICES)
    contact_rules = [str(forms.ContactRule.LABELS[r]) for r in report.contact_rules]
    yes, no = _("Yes"), _("No")
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
            "value": yes if report.money_demanded else no,
        },
        {"step": "threat", "label": _("Money paid"), "value": yes if report.money_paid else no},
        {"step": "safety", "label": _("Under 18"), "value": yes if report.is_minor else no},
        {
            "step": "safety",
            "label": _("Thinking of self-harm"),
            "value": yes if report.self_harm_risk else no,
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
        "show_self_harm_help": _first(answers.get("safety", {}), "self_harm") == "yes",
    }
    return render(request, "reporting/report_review.html", context)


@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    draft = _current_draft(request)
    if draft is None:
        return render(
            request, "reporting/report_expired.html", {"message": DRAFT_EXPIRED}, status=410
        )
    answers = draft_answers(draft)
    if not _first(answers.get("what", {}), "category"):
        return redirect(reverse("reporting:report_step", args=["what"]) + "?incomplete=1")

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

    filed = report_file(
        owner_uuid=draft.uuid,
        wrapped_key=draft.wrapped_key,
        answers=answers_to_report(answers, now=timezone.now()),
    )
    evidence_attach_to_case(owner_uuid=draft.uuid, case=filed.case)
    draft.delete()
    request.session.pop(SESSION_DRAFT, None)
    request.session[SESSION_RECEIPT_CASE] = filed.case.pk
    return _render_receipt(request, filed.case, filed.passphrase)


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

    The code shown is sent back by the browser (it is on the page anyway) and is
    shown again only after it verifies against the stored hash, and only to the
    session that filed this very case.
    """
    case_pk = request.session.get(SESSION_RECEIPT_CASE)
    case = (
        Case.objects.select_related("credential", "category").filter(pk=case_pk).first()
        if case_pk
        else None
    )
    shown = passphrase_normalise(request.POST.get("passphrase_shown", ""))
    if (
        case is None
        or shown is None
        or not passphrase_verify(case.credential.passphrase_hash, shown)
    ):
        raise Http404
    shown_grouped = " ".join(shown[i : i + 4] for i in range(0, len(shown), 4))
    form = forms.PracticeForm(data=request.POST)
    if form.is_valid() and passphrase_normalise(form.cleaned_data["passphrase_typed"]) == shown:
        request.session.pop(SESSION_RECEIPT_CASE, None)
        return render(request, "reporting/receipt_done.html", {"reference": case.reference})
    form.add_error(
        "passphrase_typed", forms.forms.ValidationError(PRACTICE_MISMATCH, code="mismatch")
    )
    return _render_receipt(request, case, shown_grouped, form=form, status=400)
