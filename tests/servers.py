"""Subprocess servers for deployment tests, each on a free 127.0.0.1 port and
always stopped: moto's S3 server (the real boto3/django-storages HTTP path)."""

from __future__ import annotations

import contextlib
import os
import signal
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


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop a server (gunicorn: SIGQUIT is its quick shutdown)."""
    if process.poll() is None:
        process.send_signal(sig)
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


ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
NGINX = "/usr/sbin/nginx"


def gunicorn_start(
    *, port: int, env: dict[str, str], workers: int = 2, access_log: str = "/dev/null"
) -> subprocess.Popen:
    """One app server as production runs it (config/gunicorn.conf.py), on 127.0.0.1."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "config" / "gunicorn.conf.py"),
            "--no-control-socket",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            access_log,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # Its own process group, so a test can kill the master and its workers at once.
        start_new_session=True,
    )
    wait_for_http(f"http://127.0.0.1:{port}/healthz", process=process, seconds=60)
    return process


def nginx_config(*, directory, port: int, upstream_ports: list[int]) -> str:
    """A round-robin proxy on 127.0.0.1 with the production proxy settings
    (config/nginx/sanad-proxy.conf); TLS is taken as already ended in front."""
    servers = "\n".join(
        f"        server 127.0.0.1:{upstream} max_fails=1 fail_timeout=2s;"
        for upstream in upstream_ports
    )
    return f"""
user root;
worker_processes 1;
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    upstream sanad_app {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        location / {{
            proxy_pass http://sanad_app;
            proxy_set_header X-Forwarded-Proto https;
            include {ROOT}/config/nginx/sanad-proxy.conf;
        }}
        error_page 502 504 /try-again.html;
        location = /try-again.html {{
            root {ROOT}/static/errors;
            internal;
        }}
    }}
}}
"""


@contextlib.contextmanager
def nginx_server(*, directory, upstream_ports: list[int]) -> Iterator[str]:
    """Debian's nginx as a non-daemon subprocess; yields its base URL."""
    port = free_port()
    directory = __import__("pathlib").Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "nginx.conf"
    config.write_text(nginx_config(directory=directory, port=port, upstream_ports=upstream_ports))
    process = subprocess.Popen(
        [NGINX, "-p", str(directory), "-e", str(directory / "error.log"), "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def app_server_env(*, bucket_env: dict[str, str], **overrides: str) -> dict[str, str]:
    """Production settings for gunicorn subprocesses, on the test database
    (committed data only: use transactional tests) and the given storage."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
        database = f"postgres://{settings['USER']}@{host}:{port}/{settings['NAME']}"
    else:
        database = f"sqlite:///{settings['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SANAD_STATIC_STORAGE": "plain",
        "SANAD_TRUSTED_PROXY_COUNT": "1",
        **bucket_env,
        **overrides,
    }
