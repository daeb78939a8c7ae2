"""/healthz for the load balancer, and the "try again" page while the database is away."""

from __future__ import annotations

import base64
import uuid

import pytest
from django.db import OperationalError
from django.test import Client

from casework.key_checks import key_checks_forget, sealer_new
from casework.models import KeyCheck
from reporting.models import ReportDraft
from reporting.services import draft_answers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_matches():
    key_checks_forget()
    yield
    key_checks_forget()


def test_healthz__ok_when_database_storage_and_keys_work(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_healthz__fails_when_a_key_differs_from_the_one_first_used(client, settings):
    settings.SANAD_KEYS = "k1:" + base64.b64encode(b"R" * 32).decode()
    sealer_new(owner=uuid.uuid4())
    settings.SANAD_KEYS = "k1:" + base64.b64encode(b"W" * 32).decode()

    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable"  # nothing about which part, or why


def test_healthz__fails_when_evidence_storage_is_unusable(client, settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_bytes(b"")
    storages = dict(settings.STORAGES)
    storages["evidence"] = {**storages["evidence"], "OPTIONS": {"location": blocker / "evidence"}}
    settings.STORAGES = storages

    response = client.get("/healthz")
    assert response.status_code == 503
    assert str(tmp_path) not in response.content.decode()


def test_healthz__fails_when_the_database_is_unreachable(client, monkeypatch):
    def database_down(*args, **kwargs):
        raise OperationalError("connection refused: server at 10.0.0.5")

    monkeypatch.setattr(KeyCheck.objects, "filter", database_down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert b"10.0.0.5" not in response.content


def test_report_step__database_outage_gets_a_translated_try_again_page_and_keeps_the_draft(
    reference_data, monkeypatch
):
    client = Client(raise_request_exception=False)
    first = client.post(
        "/en/report/what/",
        {"category": "money_demand", "narrative": "kept across the outage", "next": "1"},
    )
    assert first.status_code == 302

    def database_down(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr("reporting.journey.draft_save_step", database_down)
    for language, words in [("en", "Please try again in a minute"), ("ar", 'lang="ar"')]:
        response = client.post(
            f"/{language}/report/blackmailer/", {"knows_blackmailer": "no", "next": "1"}
        )
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert words in response.content.decode()
        assert "administrator command" not in response.content.decode()

    monkeypatch.undo()
    (draft,) = ReportDraft.objects.all()
    assert draft_answers(draft)["what"]["narrative"] == ["kept across the outage"]
    again = client.post("/en/report/blackmailer/", {"knows_blackmailer": "no", "next": "1"})
    assert again.status_code == 302


@pytest.mark.s3
def test_healthz__fails_when_the_evidence_bucket_is_gone(client, s3_evidence):
    s3, bucket = s3_evidence
    assert client.get("/healthz").status_code == 200
    s3.delete_bucket(Bucket=bucket)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert bucket.encode() not in response.content
