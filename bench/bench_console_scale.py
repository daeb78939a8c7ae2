"""The console at national scale: case list, reference search and dashboard
at 100,000 and 1,000,000 cases on PostgreSQL.

    .venv/bin/python bench/bench_console_scale.py [--sizes 100000,1000000] [--rounds 30] [--quick]

Targets (issue "fast at national scale"): the list's first page and page 100
p95 <= 150 ms at every size (flat in case count), search by whole or partial
reference <= 20 ms (the query), the supervisor dashboard p95 <= 300 ms. Each
page goes through Django's test client as a 2FA-verified member of staff
(no network, no gunicorn: the cost measured is the view's).

Data: ``bench/scale_data.py`` fills one throwaway database per size
(``sanad_perf_bench_100k``, ``sanad_perf_bench_1000k``), created and filled
if missing, reused otherwise. ``--quick`` measures 100k only with fewer
rounds: 1M takes 5-20 minutes to generate on a 2-core machine, depending on
what else runs on it.

Prints one ``RESULT|what|measured|target|ratio`` line per figure (see
bench/run.py); exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

LIST_P95_MS = 150
SEARCH_MS = 20
DASHBOARD_P95_MS = 300
BASE = "/en/console/casework/case/"
VERBOSE = bool(os.environ.get("BENCH_VERBOSE"))


def login(profile):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _created = TOTPDevice.objects.get_or_create(
        user=profile.user, name="bench", defaults={"confirmed": True}
    )
    client = Client()
    client.force_login(profile.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def percentiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered) + 0.5)) - 1)]
    return statistics.median(ordered), p95


class QueryLog:
    """Counts queries and their time (a connection wrapper: survives reconnects)."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0
        self.slowest: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.count += 1
            self.seconds += elapsed
            self.slowest = sorted([*self.slowest, (elapsed, sql)], reverse=True)[:3]


def page_timings(client, url: str, rounds: int, *, verbose: bool = False):
    from django.db import connection

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    log = QueryLog()
    with connection.execute_wrapper(log):
        client.get(url)
    if verbose:
        for elapsed, sql in log.slowest:
            print(f"      {elapsed * 1000:.1f} ms  {sql[:300]}")
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    p50, p95 = percentiles(timings)
    return p50, p95, f"{log.count} queries, {log.seconds * 1000:.1f} ms in SQL"


def search_timings(viewer, terms: list[str], rounds: int) -> tuple[float, float, int]:
    """The search query alone: the viewer's scope, the reference match, one page of ids."""
    from casework.console_list import cases_matching_reference
    from casework.dashboard import CONSOLE_ORDER
    from casework.selectors import case_list_for_viewer

    found = 0
    timings = []
    for round_ in range(rounds + 1):
        for term in terms:
            started = time.perf_counter()
            ids = list(
                cases_matching_reference(case_list_for_viewer(viewer=viewer), term)
                .order_by(*CONSOLE_ORDER)
                .values_list("pk", flat=True)[:50]
            )
            elapsed = (time.perf_counter() - started) * 1000
            if round_:  # the first round warms the plan cache and the buffers
                timings.append(elapsed)
            found += bool(ids)
    p50, p95 = percentiles(timings)
    return p50, p95, found


def result(what: str, measured: float, target: float, unit: str = "ms") -> bool:
    ok = measured <= target
    print(
        f"RESULT|{what}|{measured:.1f} {unit}|<= {target:g} {unit}|"
        f"{measured / target:.2f} {'pass' if ok else 'FAIL'}",
        flush=True,
    )
    return ok


def measure(size: int, rounds: int) -> bool:
    import scale_data

    world = scale_data.build(size, database=scale_data.database_for(size))
    from casework.models import Case

    people = world["people"]
    national = login(people["supervisor_national"])
    baghdad = login(people["supervisor_baghdad"])
    officer = login(people["officer_baghdad"])
    administrator = login(people["administrator"])
    label = f"{size // 1000}k"
    total = Case.objects.count()
    print(f"-- {total} cases in the database", flush=True)
    ok = True
    pages = [
        ("list p1, national supervisor", national, BASE),
        ("list p100, national supervisor", national, BASE + "?p=100"),
        ("list p1, Baghdad supervisor", baghdad, BASE),
        ("list p100, Baghdad supervisor", baghdad, BASE + "?p=100"),
        ("list p1, Baghdad officer", officer, BASE),
        ("list p1, administrator", administrator, BASE),
        ("list p100, administrator", administrator, BASE + "?p=100"),
        ("list p1, overdue filter, national", national, BASE + "?overdue=yes"),
    ]
    for what, client, url in pages:
        p50, p95, queries = page_timings(client, url, rounds, verbose=VERBOSE)
        print(f"   {what}: p50 {p50:.1f} ms, {queries}", flush=True)
        ok &= result(f"console {what} p95 at {label}", p95, LIST_P95_MS)
    sample = (
        Case.objects.filter(unit__kind="community_police")
        .order_by("-id")
        .values_list("reference", flat=True)[:40]
    )
    references = list(sample)
    terms = [
        *references[:10],
        *(r[:7] for r in references[10:20]),  # "SND-7K3"
        *(r[4:8] for r in references[20:30]),  # "7K3M"
        *(r[-4:].lower() for r in references[30:40]),  # "q9xw"
    ]
    p50, p95, found = search_timings(people["supervisor_national"], terms, max(rounds // 3, 3))
    print(f"   search: p50 {p50:.1f} ms, {found} searches found their case's", flush=True)
    ok &= result(f"console search by (partial) reference, query p95 at {label}", p95, SEARCH_MS)
    p50, p95, queries = page_timings(national, BASE + "?q=" + references[25][4:8], rounds)
    print(f"   search page: p50 {p50:.1f} ms, {queries}", flush=True)
    ok &= result(f"console search page p95 at {label}", p95, LIST_P95_MS)
    for what, client, url in [
        ("dashboard 12 months, national supervisor", national, BASE + "dashboard/"),
        ("dashboard 36 months, national supervisor", national, BASE + "dashboard/?months=36"),
        ("dashboard 12 months, Baghdad supervisor", baghdad, BASE + "dashboard/"),
    ]:
        p50, p95, queries = page_timings(client, url, max(rounds // 2, 5), verbose=VERBOSE)
        print(f"   {what}: p50 {p50:.1f} ms, {queries}", flush=True)
        ok &= result(f"console {what} p95 at {label}", p95, DASHBOARD_P95_MS)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="100k only, 10 rounds")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rounds = args.rounds
    if args.quick:
        sizes, rounds = [100_000], 10
    os.environ.setdefault("SANAD_DEBUG", "0")
    from django.test.utils import setup_test_environment

    ok = True
    for index, size in enumerate(sizes):
        if index == 0:
            import scale_data

            database = scale_data.database_for(size)
            scale_data.ensure_database(database, reset=False)
            scale_data.setup_django(database)
            setup_test_environment()
        ok &= measure(size, rounds)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
