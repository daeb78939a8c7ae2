"""Evidence on S3-compatible storage through django-storages, against moto's
server: ciphertext only, private objects, random keys, bounded memory."""

from __future__ import annotations

import io
import re
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.crypto import Sealer
from casework.evidence import evidence_open, evidence_store
from casework.models import Case, Evidence
from tests.casework import evidence_samples as samples

pytestmark = [pytest.mark.s3, pytest.mark.django_db]

CANARY = "CANARY-7Q2W-sanad-s3"
RANDOM_KEY = re.compile(r"^ev/[0-9a-f]{32}$")


def _objects(client, bucket) -> list[dict]:
    return client.list_objects_v2(Bucket=bucket).get("Contents", [])


def test_s3_evidence__journey_stores_only_ciphertext_under_random_private_keys(
    client, reference_data, s3_evidence
):
    s3, bucket = s3_evidence
    chat = samples.chat_export(size=40_000, marker=CANARY)
    photo = samples.jpeg(image=samples.checkerboard((300, 200)))
    client.post("/en/report/what/", {"category": "other", "narrative": CANARY, "next": "1"})
    response = client.post(
        "/en/report/evidence/",
        {
            "files": [
                SimpleUploadedFile(f"{CANARY}.txt", chat),
                SimpleUploadedFile(f"{CANARY}.jpg", photo),
            ],
            "next": "1",
        },
    )
    assert response.status_code == 302
    assert client.post("/en/report/send/", follow=True).status_code == 200
    case = Case.objects.get()

    objects = _objects(s3, bucket)
    assert len(objects) == 2 == case.evidence.count()
    for summary in objects:
        key = summary["Key"]
        assert RANDOM_KEY.match(key)
        assert case.reference not in key and str(case.uuid) not in key
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert CANARY.encode() not in body and b"\xff\xd8\xff" not in body[:64]
        assert body.startswith(b"SNDE1")  # the stream format, nothing else
        head = s3.head_object(Bucket=bucket, Key=key)
        assert CANARY not in str(head.get("Metadata")) + head.get("ContentDisposition", "")
        grants = s3.get_object_acl(Bucket=bucket, Key=key)["Grants"]
        assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
        assert all(grant["Grantee"].get("Type") == "CanonicalUser" for grant in grants)

    sealer = Sealer.of(case)
    chat_evidence = case.evidence.get(kind=Evidence.Kind.TEXT)
    assert b"".join(evidence_open(evidence=chat_evidence, sealer=sealer)) == chat


def test_s3_evidence__large_file_goes_up_in_parts_without_holding_it_in_memory(
    s3_evidence, reference_data, post_evidence, sealer, case, settings
):
    s3, bucket = s3_evidence
    size = 25 * 1024 * 1024 - 4096
    video = samples.mp4(size)
    _request, _handler, (upload,) = post_evidence(
        [("evidence", "clip.mp4", "video/mp4", video)], sealer=sealer
    )
    del video, _request
    from django.core.files.storage import storages

    storages["evidence"].exists("ev/warm-up")  # botocore loads its models once (~10 MB)

    tracemalloc.start()
    try:
        evidence = evidence_store(sealer=sealer, upload=upload, case=case)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # Two 8 MiB parts at most (one sending, one read ahead), never the 25 MB file.
    assert peak < 20 * 1024 * 1024, peak
    head = s3.head_object(Bucket=bucket, Key=evidence.storage_name)
    assert head["ETag"].strip('"').endswith("-4")  # a multipart upload of 4 parts
    assert head["ContentLength"] > size
    digest_check = b"".join(evidence_open(evidence=evidence, sealer=sealer))
    assert len(digest_check) == size


def test_s3_evidence__keys_never_overwrite_each_other(s3_evidence):
    from django.core.files.storage import storages

    storage = storages["evidence"]
    first = storage.save("ev/same-name", io.BytesIO(b"one"))
    second = storage.save("ev/same-name", io.BytesIO(b"two"))
    assert first != second
    with storage.open(first) as stored:
        assert stored.read() == b"one"
