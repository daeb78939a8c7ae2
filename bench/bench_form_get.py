"""Form pages against the ceiling: a report step's GET beside a bare Django view
on the same gunicorn, and the database writes a first visit costs.

    .venv/bin/python bench/bench_form_get.py [--requests 1500] [--clients 8] [--quick]

Starts gunicorn (config/gunicorn.conf.py, sync workers, production settings
with throwaway secrets, SQLite) on a free loopback port with one extra URL, a
bare view returning "ok", and sends the same number of requests to: the bare
view, the landing page, and the first report step as a fresh visitor (no
cookies, as every new victim arrives). Targets: the step GET reaches at least
0.25 x the bare view's throughput, and a GET writes nothing to the database
(counted as session rows created during the run). Clients run in this
process and share the two cores, so ratios within one run are what count.

Prints ``RESULT|...`` lines (bench/run.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import free_port, gunicorn_start, stop, wait_for_http  # noqa: E402

TARGET_RATIO = 0.25
PAGES = [
    ("bare Django view", "/bench/bare/"),
    ("landing page", "/en/"),
    ("report step GET, fresh visitor", "/en/report/what/"),
    ("report step GET (contact: governorates)", "/en/report/contact/"),
]


def start_server(port: int, workdir: Path) -> subprocess.Popen:
    (workdir / "bench_bare_settings.py").write_text(
        "from config.settings import *  # noqa: F403\nROOT_URLCONF = 'bench_bare_urls'\n"
    )
    (workdir / "bench_bare_urls.py").write_text(
        "from django.http import HttpResponse\n"
        "from django.urls import path\n"
        "from config.urls import urlpatterns as site\n"
        "urlpatterns = [path('bench/bare/', lambda request: HttpResponse('ok')), *site]\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_bare_settings",
        "SANAD_SECRET_KEY": "form-bench-" + "k" * 50,
        "SANAD_KEYS": "load1:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=",
        "SANAD_FINGERPRINT_KEY": "form-bench-fingerprint",
        "SANAD_AUDIT_KEY": "form-bench-audit",
        "SANAD_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "SANAD_BIND": f"127.0.0.1:{port}",
        "SANAD_WORKERS": "2",
        "SANAD_STATIC_ROOT": str(workdir / "static"),
        "PYTHONPATH": f"{workdir}{os.pathsep}{ROOT}",
    }
    env.pop("SANAD_DEBUG", None)
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
    server = gunicorn_start(port=port, env=env, workers=2)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/bench/bare/", process=server, seconds=15)
    except RuntimeError:
        stop(server)
        sys.exit("gunicorn did not start")
    return server


def fetch(url: str) -> tuple[float, bool]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310 - loopback only
            response.read()
            ok = response.status == 200
    except OSError:
        ok = False
    return (time.perf_counter() - started) * 1000, ok


def throughput(url: str, requests: int, clients: int) -> tuple[float, float, int]:
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(fetch, [url] * clients))  # warm-up
        started = time.perf_counter()
        results = list(pool.map(fetch, [url] * requests))
        elapsed = time.perf_counter() - started
    latencies = sorted(ms for ms, _ok in results)
    errors = sum(1 for _ms, ok in results if not ok)
    return requests / elapsed, statistics.median(latencies), errors


def session_rows(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT COUNT(*) FROM django_session").fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="400 requests a page")
    args = parser.parse_args()
    requests = 400 if args.quick else args.requests
    workdir = Path(tempfile.mkdtemp(prefix="sanad-form-bench-"))
    port = free_port()
    server = start_server(port, workdir)
    ok = True
    try:
        base = f"http://127.0.0.1:{port}"
        figures = {}
        for what, path in PAGES:
            before = session_rows(workdir / "bench.sqlite3")
            rps, median, errors = throughput(base + path, requests, args.clients)
            written = session_rows(workdir / "bench.sqlite3") - before
            figures[what] = rps
            print(
                f"   {what}: {rps:.0f} req/s, median {median:.1f} ms, {errors} errors, "
                f"{written} session rows written",
                flush=True,
            )
            if path != PAGES[0][1]:
                ratio = rps / figures[PAGES[0][0]]
                passed = ratio >= TARGET_RATIO and errors == 0
                ok &= passed
                print(
                    f"RESULT|{what}: throughput vs bare view|{rps:.0f} req/s = {ratio:.2f} x bare"
                    f"|>= {TARGET_RATIO} x bare|{ratio / TARGET_RATIO:.2f} "
                    f"{'pass' if passed else 'FAIL'}",
                    flush=True,
                )
                per_get = written / (requests + args.clients)
                print(
                    f"RESULT|{what}: session rows written per GET|{per_get:.2f}|0|"
                    f"{'pass' if written == 0 else 'FAIL'}",
                    flush=True,
                )
                ok &= written == 0
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
