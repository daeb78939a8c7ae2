"""A withdrawn or closed report takes no victim input, whatever the request.

The follow-up page hides the forms, but a direct POST must be refused by the
services too, with a translated reason, and store nothing."""

from __future__ import annotations

import pytest
from django.utils import translation

from casework.models import Case, CaseFeedback, Evidence, Message
from casework.victim import REPORT_WITHDRAWN
from tests.reporting.filing_helpers import png_upload

ACTIONS = {
    "message": ("/{lang}/follow-up/case/message/", lambda: {"body": "are you there?"}),
    "evidence": ("/{lang}/follow-up/case/evidence/", lambda: {"files": [png_upload()]}),
    "stopncii": (
        "/{lang}/follow-up/case/reference/",
        lambda: {"service": "stopncii", "number": "NCII-12345"},
    ),
    "feedback": ("/{lang}/follow-up/case/feedback/", lambda: {"rating": "1", "complaint": "x"}),
}
REFUSALS = {
    Case.Status.WITHDRAWN: "You withdrew this report, so nothing more can be added to it.",
    Case.Status.CLOSED: "This report is closed, so nothing more can be added to it.",
}


def _stored(case: Case) -> tuple:
    case.refresh_from_db()
    return (
        Message.objects.filter(case=case).count(),
        Evidence.objects.filter(case=case).count(),
        bytes(case.external_refs_enc or b""),
        CaseFeedback.objects.filter(case=case).count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Case.Status.WITHDRAWN, Case.Status.CLOSED])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_followup__finished_report_refuses_direct_posts(
    client, file_report, _evidence_dir, status, action
):
    filed = file_report()
    case = filed.case
    client.post("/en/follow-up/", {"reference": case.reference, "passphrase": filed.passphrase})
    Case.objects.filter(pk=case.pk).update(status=status)  # withdrawn by the victim / closed
    before = _stored(case)

    url, data = ACTIONS[action]
    response = client.post(url.format(lang="en"), data())

    assert response.status_code == 403
    assert REFUSALS[status] in response.content.decode()
    assert _stored(case) == before
    assert not [p for p in _evidence_dir.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_followup__refusal_is_translated(client, file_report):
    filed = file_report()
    case = filed.case
    client.post("/ar/follow-up/", {"reference": case.reference, "passphrase": filed.passphrase})
    Case.objects.filter(pk=case.pk).update(status=Case.Status.WITHDRAWN)
    response = client.post("/ar/follow-up/case/message/", {"body": "hello"})
    assert response.status_code == 403
    assert response.context["request"].LANGUAGE_CODE == "ar"
    # The refusal is the translatable message, rendered in the page's language.
    with translation.override("ar"):
        assert response.context["refusal"] == str(REPORT_WITHDRAWN)
    assert 'id="refusal"' in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_followup__closed_report_cannot_be_withdrawn(client, file_report):
    filed = file_report()
    case = filed.case
    client.post("/en/follow-up/", {"reference": case.reference, "passphrase": filed.passphrase})
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    response = client.post("/en/follow-up/case/withdraw/", {"confirm": "yes"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
