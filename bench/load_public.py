"""Load on the public site through gunicorn on loopback: throughput and errors.

Starts gunicorn with config/gunicorn.conf.py (sync workers) on 127.0.0.1 against
a throwaway SQLite database, then sends a bounded number of requests from
concurrent clients: the landing page and the report steps (GET), and complete
filings (the seven POSTs and the send) so drafts, encryption, Argon2 and the
audit chain are all under load. Prints requests per second, latency
percentiles and the error count next to the targets, then stops gunicorn.

    .venv/bin/python bench/load_public.py [--clients 16] [--requests 2000] [--filings 40]

Targets on the project's 2-core machine: landing >= 300 req/s, p95 < 200 ms,
no errors; every filing completes (none lost) with the filing rate limit
raised for the run.

Measured 2026-11-24 (2 vCPU, SQLite, 4 sync workers, 16 clients): wrk on the
landing page 352 req/s; the Python client (which shares the two cores) 292
req/s, p95 73 ms; form pages 126-149 req/s, p95 129 ms (each new visitor's
CSRF token is a session row: a database write per first visit); 20 of 20
complete filings, ~5 a second (Argon2id dominates), none lost.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RPS = 300
TARGET_P95_MS = 200


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, database: Path) -> subprocess.Popen:
    # Production settings (cached templates, whitenoise without autorefresh,
    # hashed static files), with throwaway secrets and plain HTTP on loopback.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SANAD_SECRET_KEY": "load-test-" + "k" * 50,
        "SANAD_KEYS": "load1:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=",
        "SANAD_FINGERPRINT_KEY": "load-test-fingerprint",
        "SANAD_AUDIT_KEY": "load-test-audit-key",
        "SANAD_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{database}",
        "SANAD_BIND": f"127.0.0.1:{port}",
        "SANAD_WORKERS": "4",
        "SANAD_FILING_LIMIT_PER_CLIENT": "100000",
        "SANAD_FILING_LIMIT_SITE": "100000",
        "PYTHONPATH": str(ROOT),
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        # Production settings on a throwaway database: the demo must be acknowledged.
        [
            python,
            "manage.py",
            "seed_demo",
            "--quiet-logins",
            "--without-history",
            "--i-understand-this-is-a-demo",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.conf.py",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()  # noqa: S310
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    sys.exit("gunicorn did not start")


def timed_get(url: str) -> tuple[float, bool]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            response.read()
            ok = response.status == 200
    except OSError:
        ok = False
    return (time.perf_counter() - started) * 1000, ok


class LoopbackCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """Send the Secure session cookie back over loopback HTTP (the server runs
    with production settings; there is no TLS proxy in this benchmark)."""

    def return_ok_secure(self, cookie, request):
        return True


def one_filing(base: str) -> bool:
    """A whole report, as a browser without JavaScript would send it."""
    jar = http.cookiejar.CookieJar(policy=LoopbackCookiePolicy())
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def token(path: str) -> str:
        html = opener.open(base + path, timeout=20).read().decode()  # noqa: S310
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        return match.group(1) if match else ""

    def post(path: str, data: dict) -> int:
        data = {"csrfmiddlewaretoken": token(path), **data}
        body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(base + path, data=body, headers={"Origin": "null"})
        with opener.open(request, timeout=30) as response:  # noqa: S310
            return response.status

    try:
        post(
            "/en/report/what/", {"category": "money_demand", "narrative": "load test", "next": "1"}
        )
        post(
            "/en/report/blackmailer/",
            {"knows_blackmailer": "no", "identifiers": "@load.test", "next": "1"},
        )
        post(
            "/en/report/contact/",
            {"contact_method": "messages_only", "governorate": "baghdad", "next": "1"},
        )
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token("/en/report/check/")}).encode()
        request = urllib.request.Request(
            base + "/en/report/send/", data=body, headers={"Origin": "null"}
        )
        with opener.open(request, timeout=30) as response:  # noqa: S310
            return response.status == 200 and b"SND-" in response.read()
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--filings", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="600 GETs, 10 filings")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.filings = 600, 10
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(port, Path(tmp) / "load.sqlite3")
        try:
            phases = [
                ("landing pages (no session)", ["/ar/", "/ckb/", "/en/"]),
                (
                    "form pages (new visitor: session + CSRF token)",
                    ["/ckb/report/what/", "/ar/follow-up/"],
                ),
            ]
            for label, pages in phases:
                urls = [base + pages[i % len(pages)] for i in range(args.requests)]
                started = time.perf_counter()
                with ThreadPoolExecutor(max_workers=args.clients) as pool:
                    results = list(pool.map(timed_get, urls))
                elapsed = time.perf_counter() - started
                latencies = sorted(ms for ms, _ok in results)
                errors = sum(1 for _ms, ok in results if not ok)
                p95 = latencies[int(len(latencies) * 0.95) - 1]
                print(f"{label}: {len(results)} GETs, {args.clients} clients, {elapsed:.1f} s")
                rate = len(results) / elapsed
                if label.startswith("landing"):
                    print(
                        f"RESULT|landing page throughput (Python client, {args.clients} clients)|"
                        f"{rate:.0f} req/s|>= {TARGET_RPS} req/s|{rate / TARGET_RPS:.2f} "
                        f"{'pass' if rate >= TARGET_RPS and not errors else 'FAIL'}"
                    )
                print(
                    f"RESULT|{label}: p95 latency|{p95:.0f} ms|< {TARGET_P95_MS} ms|"
                    f"{p95 / TARGET_P95_MS:.2f} {'pass' if p95 < TARGET_P95_MS else 'FAIL'}"
                )
                print(
                    f"  {len(results) / elapsed:.0f} req/s (landing target >= {TARGET_RPS}), "
                    f"median {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms "
                    f"(target < {TARGET_P95_MS}), errors {errors} (target 0)"
                )

            wrk = shutil.which("wrk")
            if wrk:
                # wrk (C) loads the server without the Python client's own CPU cost.
                for path in ["/ar/", "/ckb/report/what/"]:
                    output = subprocess.run(
                        [wrk, "-t2", f"-c{args.clients}", "-d10s", base + path],
                        capture_output=True,
                        text=True,
                        check=False,
                    ).stdout
                    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
                    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
                    print(
                        f"wrk {path}: {rate.group(1) if rate else '?'} req/s "
                        f"(landing target >= {TARGET_RPS}), non-2xx {errors.group(1) if errors else 0}"
                    )
            else:
                print("wrk not installed (apt-get install wrk): skipping the wrk measurement")

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=min(args.clients, 8)) as pool:
                filed = list(pool.map(one_filing, [base] * args.filings))
            elapsed = time.perf_counter() - started
            print(
                f"Filings: {sum(filed)} of {args.filings} completed in {elapsed:.1f} s "
                f"({args.filings / elapsed:.1f} filings/s; target: none lost)"
            )
            print(
                f"RESULT|complete filings under load|{sum(filed)} of {args.filings}|"
                f"{args.filings} of {args.filings}|"
                f"{'pass' if sum(filed) == args.filings else 'FAIL'}"
            )
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
