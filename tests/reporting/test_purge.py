import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from casework.models import Evidence
from reporting.models import ReportDraft


@pytest.mark.django_db
def test_purge_expired__deletes_old_drafts_with_their_evidence(
    client, reference_data, settings, _evidence_dir
):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (1, 2, 3)).save(buffer, format="PNG")
    client.post("/en/report/what/", {"category": "other", "next": "1"})
    client.post(
        "/en/report/evidence/",
        {"files": [SimpleUploadedFile("a.png", buffer.getvalue())], "upload": "1"},
    )
    assert ReportDraft.objects.count() == 1 and Evidence.objects.count() == 1
    stored = [p for p in _evidence_dir.rglob("*") if p.is_file()]
    assert stored

    call_command("purge_expired", stdout=io.StringIO())
    assert ReportDraft.objects.count() == 1  # still fresh

    ReportDraft.objects.update(
        created_at=timezone.now() - dt.timedelta(seconds=settings.SANAD_DRAFT_MAX_AGE_SECONDS + 1)
    )
    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    assert "Purged 1 expired drafts" in out.getvalue()
    assert ReportDraft.objects.count() == 0 and Evidence.objects.count() == 0
    assert not [p for p in _evidence_dir.rglob("*") if p.is_file()]
