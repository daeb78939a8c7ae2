"""A gunicorn worker killed while "Send" is in flight loses nothing and files nothing twice.

A real server (gunicorn, sync workers, production settings with test secrets)
on loopback, against a throwaway database migrated for the test (a SQLite file,
or a fresh PostgreSQL database when DATABASE_URL is PostgreSQL). Victims write
their report with evidence through the public pages, as a browser without
JavaScript would; then each one's "Send" is raced with a SIGKILL of every
worker (before the request, right after it is sent, or after a short random
delay, so some kills land inside the filing transaction). gunicorn's master
starts a new worker; the victim presses "Send" again and must reach the
receipt (or the "report was sent" page), never an error.

Afterwards the database is read directly: one case per victim, each with its
code's hash and every file the victim uploaded, every stored object present,
no orphaned evidence and no draft left for a filed case.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import io
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
VICTIMS = 6
FILES_PER_VICTIM = 2
# When each victim's first "Send" meets the SIGKILL: "before" the request is
# written, "sent" right after, "random" a short random delay after, or
# "case_written" as soon as the case is in the database (the worker is then
# between the commit and the answer, or has just answered).
KILL_MOMENTS = ["before", "sent", "random", "case_written", "random", "case_written"]
TIME_BUDGET_SECONDS = 90
CODE_PATTERN = re.compile(r"\b\d{4} \d{4} \d{4} \d{4} \d{4}\b")
TOKEN_PATTERN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

INVARIANTS_SCRIPT = r"""
import json
from django.core.files.storage import storages
from casework.models import Case, Evidence, ReporterCredential
from reporting.models import ReportDraft

storage = storages["evidence"]
cases = []
for case in Case.objects.all():
    rows = list(Evidence.objects.filter(case=case))
    cases.append({
        "uuid": str(case.uuid),
        "has_credential": ReporterCredential.objects.filter(case=case).exists(),
        "evidence": len(rows),
        "evidence_missing_object": sum(not storage.exists(e.storage_name) for e in rows),
    })
drafts = set(str(u) for u in ReportDraft.objects.values_list("uuid", flat=True))
owners_without_home = [
    str(e.owner_uuid) for e in Evidence.objects.filter(case__isnull=True)
    if str(e.owner_uuid) not in drafts
]
print(json.dumps({
    "cases": cases,
    "drafts": sorted(drafts),
    "evidence_without_case_or_draft": owners_without_home,
    "evidence_rows": Evidence.objects.count(),
}))
"""


class LoopbackCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """Send the Secure cookies back over loopback HTTP (no TLS proxy here)."""

    def return_ok_secure(self, cookie, request):
        return True


def _loopback_request(url: str, **kwargs) -> urllib.request.Request:
    assert url.startswith("http://127.0.0.1:")
    return urllib.request.Request(url, **kwargs)  # noqa: S310 - loopback http only


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _png(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (seed % 256, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def _multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "----sanad" + secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for filename, content in files:
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                f'filename="{filename}"\r\nContent-Type: image/png\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Victim:
    """One browser: its cookies, and the report it writes."""

    def __init__(self, base: str, number: int):
        self.base = base
        self.number = number
        self.jar = http.cookiejar.CookieJar(policy=LoopbackCookiePolicy())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=20) as response:  # noqa: S310
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def token(self, path: str) -> str:
        status, html = self.get(path)
        found = TOKEN_PATTERN.search(html)
        assert status == 200 and found, (path, status)
        return found.group(1)

    def post(self, path: str, data: dict[str, str]) -> int:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.token(path), **data}).encode()
        return self._send(_loopback_request(self.base + path, data=body))

    def _send(self, request: urllib.request.Request) -> int:
        request.add_header("Origin", self.base)
        try:
            with self.opener.open(request, timeout=20) as response:  # noqa: S310
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def write_report(self) -> None:
        steps = {
            "what": {"category": "money_demand", "narrative": f"victim {self.number}", "next": "1"},
            "blackmailer": {"knows_blackmailer": "no", "identifiers": "@kill.test", "next": "1"},
            "safety": {"is_minor": "no", "self_harm": "no", "next": "1"},
            "contact": {"contact_method": "messages_only", "governorate": "baghdad", "next": "1"},
        }
        for slug, data in steps.items():
            status = self.post(f"/en/report/{slug}/", data)
            assert status == 200, (slug, status)
        body, content_type = _multipart(
            {"csrfmiddlewaretoken": self.token("/en/report/evidence/"), "upload": "1"},
            [(f"shot{i}.png", _png(self.number * 10 + i)) for i in range(FILES_PER_VICTIM)],
        )
        request = _loopback_request(
            self.base + "/en/report/evidence/",
            data=body,
            headers={"Content-Type": content_type},
        )
        assert self._send(request) == 200
        # The review page holds the "Send" form; opening it is what a person does.
        self.send_token = self.token("/en/report/check/")

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def send_raw(self) -> http.client.HTTPConnection:
        """Write "Send" to the socket without waiting for the answer."""
        host, port = self.base.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=20)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.send_token})
        connection.request(
            "POST",
            "/en/report/send/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": self.cookie_header(),
                "Origin": self.base,
            },
        )
        return connection

    def send_and_follow(self) -> tuple[int, str]:
        """Press "Send" again as a browser would: follow the 303 to the receipt."""
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.send_token}).encode()
        request = _loopback_request(self.base + "/en/report/send/", data=body)
        request.add_header("Origin", self.base)
        try:
            with self.opener.open(request, timeout=30) as response:  # noqa: S310
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


def _workers(master_pid: int) -> set[int]:
    """The worker processes: the gunicorn master's children, read from /proc."""
    children = set()
    for task in Path(f"/proc/{master_pid}/task").iterdir():
        try:
            children.update(int(pid) for pid in (task / "children").read_text().split())
        except OSError:
            continue
    return children


def _kill_workers(master_pid: int) -> set[int]:
    killed = _workers(master_pid)
    for pid in killed:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return killed


def _wait_for_new_worker(master_pid: int, killed: set[int], deadline: float) -> None:
    while time.monotonic() < deadline:
        alive = _workers(master_pid) - killed
        if alive:
            return
        time.sleep(0.05)
    pytest.fail("gunicorn did not start a new worker")


class CaseCounter:
    """Counts filed cases straight from the server's database, cheaply enough
    to poll while a request is in flight."""

    def __init__(self, database_url: str):
        if database_url.startswith("sqlite:///"):
            import sqlite3

            self.connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        else:
            import psycopg

            self.connection = psycopg.connect(database_url, autocommit=True)

    def count(self) -> int:
        cursor = self.connection.cursor()
        cursor.execute("SELECT COUNT(*) FROM casework_case")
        (found,) = cursor.fetchone()
        if hasattr(self.connection, "rollback"):
            self.connection.rollback()  # SQLite: see the next commit
        return found

    def wait_for_more_than(self, known: int, *, seconds: float) -> None:
        until = time.monotonic() + seconds
        while self.count() <= known and time.monotonic() < until:
            time.sleep(0.001)

    def close(self) -> None:
        self.connection.close()


@pytest.fixture
def server_database_url(tmp_path):
    """A throwaway database for the server: a SQLite file, or a fresh
    PostgreSQL database (dropped afterwards) when the suite runs on PostgreSQL."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'kill.sqlite3'}"
        return
    import psycopg

    parsed = urllib.parse.urlsplit(configured)
    name = f"{parsed.path.lstrip('/') or 'sanad'}_workerkill_{os.getpid()}"
    maintenance = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parsed._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_report_submit__worker_killed_mid_send_files_each_report_once_with_its_evidence(
    tmp_path, server_database_url
):
    started = time.monotonic()
    deadline = started + TIME_BUDGET_SECONDS
    rng = random.Random(20261201)  # noqa: S311 - timing jitter, not secrets
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    database_url = server_database_url
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url,
        "SANAD_EVIDENCE_DIR": str(tmp_path / "evidence"),
        "SANAD_EVIDENCE_TEMP_DIR": str(tmp_path / "evidence-tmp"),
        "SANAD_AUDIT_HEAD_LOG": str(tmp_path / "audit-heads.jsonl"),
        "SANAD_BIND": f"127.0.0.1:{port}",
        "SANAD_WORKERS": "1",
        "SANAD_FILING_LIMIT_PER_CLIENT": "100000",
        "SANAD_FILING_LIMIT_SITE": "100000",
        "PYTHONPATH": str(ROOT),
    }
    (tmp_path / "evidence-tmp").mkdir()
    server = None
    try:
        _manage(env, "migrate", "-v0")
        _manage(
            env,
            "shell",
            "-c",
            "from casework.demo import seed_reference_data; seed_reference_data()",
        )
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "config" / "gunicorn.conf.py"),
                "--no-control-socket",
                "--access-logfile",
                "/dev/null",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).close()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > started + 30 or server.poll() is not None:
                    pytest.fail("gunicorn did not start")
                time.sleep(0.1)

        victims = [Victim(base, number) for number in range(VICTIMS)]
        for victim in victims:
            victim.write_report()

        counter = CaseCounter(database_url)
        first_send_cut = 0
        written_then_cut = 0  # the case committed, the answer never came
        retries = []
        for victim, moment in zip(victims, KILL_MOMENTS, strict=True):
            cases_before = counter.count()
            if moment == "before":
                killed = _kill_workers(server.pid)
                connection = victim.send_raw()
            else:
                connection = victim.send_raw()
                if moment == "random":
                    time.sleep(rng.uniform(0.005, 0.25))
                elif moment == "case_written":
                    counter.wait_for_more_than(cases_before, seconds=10)
                killed = _kill_workers(server.pid)
            assert killed, "no worker to kill"
            try:
                connection.getresponse().read()
            except (OSError, http.client.HTTPException):
                first_send_cut += 1  # the worker died before answering
                written_then_cut += counter.count() > cases_before
            finally:
                connection.close()
            _wait_for_new_worker(server.pid, killed, deadline)
            status, html = victim.send_and_follow()
            retries.append((status, html))
            assert time.monotonic() < deadline, "over the time budget"
        counter.close()
        print(
            f"worker kill: {first_send_cut}/{VICTIMS} first sends cut, "
            f"{written_then_cut} of them after the case was written"
        )
    finally:
        if server is not None:
            server.terminate()
            try:
                server.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.communicate()

    state = json.loads(_manage(env, "shell", "-c", INVARIANTS_SCRIPT).strip().splitlines()[-1])

    # Every retry shows the receipt with the victim's own code (the browser
    # holds its half of the receipt key from the first step), never an error.
    codes = []
    for status, html in retries:
        assert status == 200, status
        shown = CODE_PATTERN.search(html)
        assert shown, html[:500]
        codes.append(shown.group(0))
    assert len(set(codes)) == VICTIMS
    # A kill right after the request was written cuts that request's answer.
    assert first_send_cut >= 1
    cases = state["cases"]
    assert len(cases) == VICTIMS, state
    assert len({case["uuid"] for case in cases}) == VICTIMS
    assert all(case["has_credential"] for case in cases), cases
    assert all(case["evidence"] == FILES_PER_VICTIM for case in cases), cases
    assert not any(case["evidence_missing_object"] for case in cases), cases
    assert state["evidence_rows"] == VICTIMS * FILES_PER_VICTIM, state
    assert state["evidence_without_case_or_draft"] == [], state
    filed = {case["uuid"] for case in cases}
    assert not filed & set(state["drafts"]), state
    assert state["drafts"] == [], state
