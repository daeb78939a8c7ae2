"""Shared fixtures: named personas so tests read like a story."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _isolated_cache(request):
    # Throttle counters live in the cache; one test's guesses must not leak
    # into the next. The database cache needs the database, so only tests that
    # have it can (and need to) clear it.
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "client",
        "admin_client",
    } & set(request.fixturenames)
    if not uses_db:
        yield
        return
    request.getfixturevalue("db") if "transactional_db" not in request.fixturenames else None
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _reference_data_fresh():
    # Categories and governorates are kept per process; a test's rows vanish
    # with its transaction (no delete signal), so no copy outlives a test.
    from casework.reference_data import reference_data_forget

    reference_data_forget()
    yield
    reference_data_forget()


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    location = tmp_path / "evidence"
    location.mkdir()
    settings.MEDIA_ROOT = location
    for alias in ("default", "evidence"):
        options = settings.STORAGES[alias].get("OPTIONS", {})
        if "location" in options:
            storages = dict(settings.STORAGES)
            storages[alias] = {
                **settings.STORAGES[alias],
                "OPTIONS": {**options, "location": location},
            }
            settings.STORAGES = storages
    return location


@pytest.fixture(autouse=True)
def _audit_head_log(settings, tmp_path):
    # purge_expired appends the audit head here; never to the repository's var/.
    settings.SANAD_AUDIT_HEAD_LOG = tmp_path / "audit-heads.jsonl"
    return settings.SANAD_AUDIT_HEAD_LOG


@pytest.fixture
def reference_data(db):
    from casework.demo import seed_reference_data

    seed_reference_data()


@pytest.fixture
def file_report(reference_data):
    """File a report through the one service every entry point uses."""
    import uuid

    from casework.crypto import Sealer
    from casework.services import ReportAnswers, report_file

    def _file(**overrides):
        answers = ReportAnswers(
            **{
                "category_code": "intimate_images",
                "platform": "instagram",
                "narrative": "He says he will send the photos to my brother",
                "knows_blackmailer": "no",
                "suspect_identifiers": ["@bad.actor.77"],
                "governorate_code": "baghdad",
                **overrides,
            }
        )
        owner = uuid.uuid4()
        _sealer, wrapped = Sealer.new(owner=owner)
        return report_file(owner_uuid=owner, wrapped_key=wrapped, answers=answers)

    return _file


@pytest.fixture(scope="session")
def moto_endpoint():
    """moto's S3 server in a subprocess (one per test process)."""
    from tests.servers import moto_server

    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def s3_evidence(settings, moto_endpoint):
    """Evidence storage on a fresh bucket of the moto server, configured exactly
    as production's SANAD_EVIDENCE_STORAGE=s3 settings build it."""
    from config.settings import s3_evidence_storage
    from tests.servers import s3_bucket_new, s3_client, s3_environment

    bucket = s3_bucket_new(moto_endpoint)
    storage = s3_evidence_storage(s3_environment(moto_endpoint, bucket))
    settings.STORAGES = {**settings.STORAGES, "default": storage, "evidence": storage}
    return s3_client(moto_endpoint), bucket
