"""The console's case list and the supervisor dashboard at 10,000 cases.

Targets: the list's query count does not grow with the page size or the number
of cases; a page of the list and the dashboard each render in under 300 ms on
the project's hardware (2 vCPU) for a supervisor who can see every case.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sanad_bench \\
        .venv/bin/python bench/bench_console_list.py [--cases 10000] [--rounds 20]

The database is created if missing and filled once (re-runs reuse it). Cases
are bulk-created with real ciphertext (one data key per case, as in
production), so the list decrypts each row's identity for the initials exactly
as it does for real. It runs with the test settings (test keys): never point
it at a database holding real cases.

Measured 2026-11-24 (2 vCPU, PostgreSQL 15, 10,000 cases, 50 rows a page,
open cases first, then urgent, then overdue): 11 queries per list page
whatever the page size or case count; median 118 ms for a supervisor's first
page, 179 ms at page 100, 61 ms for an officer; the supervisor dashboard
(open counts, overdue and awaiting queues, monthly figures with medians, SVG
chart) 18 queries, median 192 ms; its CSV 81 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

FIRST_NAMES = ["Layla", "Zainab", "Maryam", "Noor", "Sara", "Huda", "Ali", "Omar", "Ahmed"]
LAST_NAMES = ["Hassan", "Kadhim", "Jabbar", "Saleh", "Karim", "Aziz", "Rashid"]


def ensure_database() -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if "postgresql" not in config["ENGINE"]:
        sys.exit("This benchmark is for PostgreSQL: set DATABASE_URL=postgres://...")
    name = config["NAME"]
    with psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


def setup_staff():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from casework.demo import seed_reference_data
    from casework.models import Governorate, Sex, StaffProfile, Unit
    from casework.services import staff_account_upsert

    seed_reference_data()
    unit = Unit.objects.get(kind=Unit.Kind.COMMUNITY_POLICE)
    governorates = list(Governorate.objects.all())
    supervisor = staff_account_upsert(
        username="bench.supervisor",
        first_name="Bench",
        role=StaffProfile.Role.SUPERVISOR,
        sex=Sex.FEMALE,
        unit=unit,
        governorates=governorates,
    )
    officers = [
        staff_account_upsert(
            username=f"bench.officer.{gov.code}.{sex}",
            first_name="Bench",
            role=StaffProfile.Role.OFFICER,
            sex=sex,
            unit=unit,
            governorates=[gov],
        )
        for gov in governorates
        for sex in (Sex.FEMALE, Sex.MALE)
    ]
    for profile in [supervisor, *officers]:
        TOTPDevice.objects.get_or_create(
            user=profile.user, name="bench", defaults={"confirmed": True}
        )
    return unit, governorates, supervisor, officers


def fill(count: int, unit, governorates, officers) -> None:
    from django.utils import timezone

    from casework.crypto import Sealer
    from casework.identifiers import reference_new
    from casework.models import Case

    existing = Case.objects.count()
    if existing >= count:
        print(f"{existing} cases already present")
        return
    rng = random.Random(2026)
    references = set(Case.objects.values_list("reference", flat=True))
    officers_by_gov = {}
    for officer in officers:
        for gov in officer.governorates.all():
            officers_by_gov.setdefault(gov.pk, []).append(officer)
    now = timezone.now()
    started = time.perf_counter()
    batch = []
    for i in range(existing, count):
        owner = uuid.uuid4()
        sealer, wrapped = Sealer.new(owner=owner)
        reference = reference_new()
        while reference in references:
            reference = reference_new()
        references.add(reference)
        gov = governorates[i % len(governorates)]
        wants_female = rng.random() < 0.4
        candidates = [o for o in officers_by_gov[gov.pk] if o.is_female or not wants_female]
        officer = rng.choice(candidates) if rng.random() < 0.7 else None
        priority = rng.choice(["urgent", "high", "normal", "normal"])
        filed_at = now - dt.timedelta(minutes=7 * i)
        batch.append(
            Case(
                uuid=owner,
                reference=reference,
                filed_at=filed_at,
                status=Case.Status.ASSIGNED if officer else Case.Status.NEW,
                priority=priority,
                unit=unit,
                governorate=gov,
                wants_female_officer=wants_female,
                assignment_state=(
                    Case.AssignmentState.ASSIGNED
                    if officer
                    else Case.AssignmentState.AWAITING_FEMALE_OFFICER
                    if wants_female
                    else Case.AssignmentState.AWAITING_OFFICER
                ),
                assigned_officer=officer,
                first_contact_due_at=filed_at + dt.timedelta(hours=72),
                wrapped_key=wrapped,
                identity_enc=sealer.seal_json(
                    "identity",
                    {
                        "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                        "phone": f"0770{rng.randrange(10**7):07d}",
                        "safe_hours": "",
                        "contact_rules": [],
                    },
                ),
                narrative_enc=sealer.seal_text("narrative", "A benchmark story. " * 40),
            )
        )
        if len(batch) == 1000:
            Case.objects.bulk_create(batch)
            batch = []
    if batch:
        Case.objects.bulk_create(batch)
    print(f"created {count - existing} cases in {time.perf_counter() - started:.1f} s")
    # Fresh statistics, as autovacuum would give a database that grew this way.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def login(profile):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(profile.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(
        user=profile.user, name="bench"
    ).persistent_id
    session.save()
    return client


def measure(client, url: str, rounds: int) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # Counted now: the next requests reset the connection's query log.
    query_count = len(queries)
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    timings.sort()
    return {
        "url": url,
        "queries": query_count,
        "median_ms": round(statistics.median(timings), 1),
        "p90_ms": round(timings[int(len(timings) * 0.9) - 1], 1),
        "min_ms": round(timings[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="8 rounds")
    args = parser.parse_args()
    if args.quick:
        args.rounds = 8
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/sanad_bench")
    ensure_database()

    import django

    django.setup()
    from django.core.management import call_command

    from casework.models import Case

    call_command("migrate", verbosity=0)
    unit, governorates, supervisor, officers = setup_staff()
    fill(args.cases, unit, governorates, officers)

    base = "/en/console/casework/case/"
    officer = officers[0]
    results = {
        "cases": Case.objects.count(),
        "runs": [
            {"who": "supervisor (all cases)", **measure(login(supervisor), base, args.rounds)},
            {
                "who": "supervisor, page 100",
                **measure(login(supervisor), base + "?p=100", args.rounds),
            },
            {
                "who": "supervisor, awaiting female officer",
                **measure(
                    login(supervisor),
                    base + "?assignment_state__exact=awaiting_female_officer",
                    args.rounds,
                ),
            },
            {
                "who": "supervisor, sorted by first contact due",
                **measure(login(supervisor), base + "?o=9", args.rounds),
            },
            {"who": "officer (one governorate)", **measure(login(officer), base, args.rounds)},
            {
                "who": "supervisor dashboard, 12 months",
                **measure(login(supervisor), base + "dashboard/", args.rounds),
            },
            {
                "who": "supervisor dashboard, 36 months",
                **measure(login(supervisor), base + "dashboard/?months=36", args.rounds),
            },
            {
                "who": "supervisor dashboard CSV, 36 months",
                **measure(login(supervisor), base + "dashboard.csv?months=36", args.rounds),
            },
        ],
    }
    print(f"\n{results['cases']} cases, {args.rounds} rounds each")
    print(f"{'who':<42} {'queries':>7} {'median ms':>10} {'p90 ms':>8}")
    for run in results["runs"]:
        print(f"{run['who']:<42} {run['queries']:>7} {run['median_ms']:>10} {run['p90_ms']:>8}")
    for run in results["runs"]:
        target = 300
        print(
            f"RESULT|console at {results['cases']} cases: {run['who']} (median)|"
            f"{run['median_ms']} ms|< {target} ms|{run['median_ms'] / target:.2f} "
            f"{'pass' if run['median_ms'] < target else 'FAIL'}"
        )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "console_list.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
