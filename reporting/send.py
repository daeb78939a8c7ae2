"""The last step: sending the report, and its receipt at its own address.

"Send" files through ``reporting.filing.report_submit`` and answers with a
redirect (303) to the receipt page, so a refresh or a second press never
sends again and always shows the same receipt: the code for a few minutes
(sealed, opened with the key half this browser holds), then a page saying
plainly that the report was sent and what to do if the code was lost.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from casework.client import client_address
from casework.identifiers import passphrase_normalise
from casework.models import Case
from casework.throttle import throttle_consume, throttle_key
from reporting import forms
from reporting.filing import (
    RECEIPT_COOKIE,
    draft_discard_expired,
    receipt_browser_key_new,
    receipt_browser_key_parse,
    receipt_forget,
    receipt_open,
    report_submit,
)
from reporting.models import ReportDraft
from reporting.services import draft_is_expired

SESSION_DRAFT = "report_draft"
# The uuid of the case this browser session filed: its receipt can be shown again.
SESSION_RECEIPT = "receipt_case_uuid"

PRACTICE_MISMATCH = _("That is not the same code. Please look again carefully and try once more.")
DRAFT_EXPIRED = _(
    "For your safety, unfinished reports are deleted after a few hours. Please start again."
)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def with_receipt_key(request: HttpRequest, response: HttpResponse) -> HttpResponse:
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
        step = (getattr(error, "params", None) or {}).get("step")
        if step is None:
            raise
        # A step's answer is not right: back to that step, every answer kept.
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


def receipt_check(request: HttpRequest) -> HttpResponse:
    """The practice run: type the code back once before leaving the receipt.

    Compared with the sealed code of the report this browser sent; once it
    matches, the sealed code is deleted: it is not shown again. Sent again
    after that, it leads back to the receipt page, which then says the report
    was sent and what to do if the code is lost. Opened by its address (a GET),
    it says the check is over and where to go instead of an empty 405.
    """
    if request.method != "POST":
        response = render(request, "reporting/receipt_check_over.html", status=405)
        response["Allow"] = "POST"
        return response
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
