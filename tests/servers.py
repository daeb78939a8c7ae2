"""Subprocess servers for deployment tests, each on a free 127.0.0.1 port and
always stopped: moto's S3 server (the real boto3/django-storages HTTP path)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

S3_REGION = "us-east-1"
S3_ACCESS_KEY = "sanad-test-access"
S3_SECRET_KEY = "sanad-test-secret"  # noqa: S105 - moto accepts anything


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, *, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """``python -m moto.server`` on 127.0.0.1; yields its endpoint URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        endpoint = f"http://127.0.0.1:{port}"
        wait_for_http(endpoint + "/", process=process)
        yield endpoint
    finally:
        stop(process)


def s3_environment(endpoint: str, bucket: str) -> dict[str, str]:
    """The production environment variables for S3 evidence storage."""
    return {
        "SANAD_EVIDENCE_STORAGE": "s3",
        "SANAD_S3_BUCKET": bucket,
        "SANAD_S3_ENDPOINT_URL": endpoint,
        "SANAD_S3_REGION": S3_REGION,
        "SANAD_S3_ACCESS_KEY_ID": S3_ACCESS_KEY,
        "SANAD_S3_SECRET_ACCESS_KEY": S3_SECRET_KEY,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def s3_client(endpoint: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=S3_REGION,
        aws_access_key_id=S3_ACCESS_KEY,
        aws_secret_access_key=S3_SECRET_KEY,
    )


def s3_bucket_new(endpoint: str) -> str:
    bucket = f"sanad-{uuid.uuid4().hex[:16]}"
    s3_client(endpoint).create_bucket(Bucket=bucket)
    return bucket
