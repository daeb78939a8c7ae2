"""Slow phones and stalled bodies (issue 13): nginx buffers whole request
bodies, so uploads that crawl or stop never hold a gunicorn sync worker."""

from __future__ import annotations

import re
import signal
import socket
import time
import urllib.request
from pathlib import Path

import pytest

from bench.sanad_http import Browser
from tests.servers import (
    NGINX,
    ROOT,
    app_server_env,
    free_port,
    gunicorn_start,
    nginx_server,
    s3_bucket_new,
    s3_environment,
    stop,
)

pytestmark = pytest.mark.multiserver


def _stall(base: str, path: str = "/en/report/evidence/") -> socket.socket:
    """A phone with a real session starts a 1 MB upload and stops sending
    after a few bytes (the CSRF token is in the body, so the server must read
    it before it can answer anything)."""
    browser = Browser(base)
    browser.extra_headers = {"X-Forwarded-Proto": "https"}
    assert browser.get(path).status == 200 and browser.token
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.jar)
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    sock.sendall(
        (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
            f"Origin: null\r\nCookie: {cookie}\r\n"
            "Content-Type: multipart/form-data; boundary=stall\r\n"
            "Content-Length: 1000000\r\n\r\n--stall\r\n"
        ).encode()
    )
    return sock


def _answers_within(url: str, seconds: float) -> bool:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=seconds) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


@pytest.mark.django_db(transaction=True)
def test_nginx__stalled_bodies_do_not_hold_the_only_gunicorn_worker(
    tmp_path, moto_endpoint, reference_data
):
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (apt-get install nginx)")
    env = app_server_env(bucket_env=s3_environment(moto_endpoint, s3_bucket_new(moto_endpoint)))
    port = free_port()
    server = gunicorn_start(port=port, env=env, workers=1)
    direct = f"http://127.0.0.1:{port}"
    try:
        # Without the proxy, one stalled body takes the only worker.
        stalled = _stall(direct)
        time.sleep(0.5)
        assert not _answers_within(direct + "/healthz", 3)
        stalled.close()
        assert _answers_within(direct + "/healthz", 10)

        with nginx_server(directory=tmp_path / "nginx", upstream_ports=[port]) as proxy:
            stalled = [_stall(proxy) for _ in range(4)]
            time.sleep(0.5)
            started = time.monotonic()
            for _ in range(5):
                assert _answers_within(proxy + "/healthz", 3)
                assert _answers_within(proxy + "/en/", 3)
            assert time.monotonic() - started < 5
            for sock in stalled:
                sock.close()
    finally:
        stop(server, signal.SIGQUIT)


def test_nginx_config__caps_bodies_at_the_evidence_limit_and_buffers_them(settings):
    text = (ROOT / "config" / "nginx" / "sanad-proxy.conf").read_text()
    assert re.search(r"^proxy_request_buffering on;", text, re.MULTILINE)
    assert re.search(r"^proxy_set_header X-Forwarded-For \$remote_addr;", text, re.MULTILINE)
    megabytes = int(re.search(r"^client_max_body_size (\d+)m;", text, re.MULTILINE).group(1))
    evidence = settings.SANAD_EVIDENCE_MAX_FILES * settings.SANAD_EVIDENCE_MAX_BYTES
    assert evidence <= megabytes * 1024 * 1024 <= evidence * 1.1
