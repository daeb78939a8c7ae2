"""gunicorn's error log keeps no client address or raw request line (a real server)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET_IN_LINE = "0770-555-1234"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _send(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(raw)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_gunicorn_error_log__malformed_requests_leave_no_address_or_request_line(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "SANAD_BIND": f"127.0.0.1:{port}",
        "SANAD_WORKERS": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'g.sqlite3'}",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "config" / "gunicorn.conf.py"),
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(100):
            try:
                # Any answer will do: /healthz is 503 on this unmigrated database.
                if _send(port, b"GET /healthz HTTP/1.0\r\n\r\n").startswith(b"HTTP/"):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        answers = [
            _send(port, f"ga(rb)age /report?phone={SECRET_IN_LINE} HTTP/1.1\r\n\r\n".encode()),
            _send(port, f"GET /report?phone={SECRET_IN_LINE}\r\n\r\n".encode()),
            _send(port, f"GET /?phone={SECRET_IN_LINE} HTTP/9.9\r\n\r\n".encode()),
            _send(port, f"GET /x HTTP/1.1\r\nBad Header{SECRET_IN_LINE}\r\n\r\n".encode()),
        ]
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert all(answer.startswith(b"HTTP/1.1 4") for answer in answers), answers
    assert "Invalid request refused" in output, output[-2000:]
    assert SECRET_IN_LINE not in output
    assert "ip=" not in output
    assert "ga(rb)age" not in output
    listening = [line for line in output.splitlines() if "127.0.0.1" in line]
    assert all("Listening at" in line for line in listening), listening
