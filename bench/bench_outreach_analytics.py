"""Benchmark: the outreach analytics page with five years of a busy country.

Targets: the analytics page (18 governorate charts + the national one, 60
months each, plus the before/after comparison) p95 <= 300 ms and at most
100 KB of HTML, with a fixed number of queries.

    .venv/bin/python bench/bench_outreach_analytics.py [--runs 15] [--quick]

Data: 5 years x 18 governorates x 200 sessions a year (18,000 sessions, with
their topics and facilitators) and about 6 cases a month per governorate,
bulk-created in a throwaway database: a temporary SQLite file, or, when
DATABASE_URL is set, a ``test_``-prefixed database next to it (created and
dropped here). Pages are rendered through the Django test client as a
2FA-verified administrator. Exit status 1 if the target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"  # test secrets, production settings
TMP = Path(tempfile.mkdtemp(prefix="sanad-bench-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP / 'bench.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)

TARGET_P95_SECONDS = 0.3
TARGET_BYTES = 100 * 1024
YEARS = 5
SESSIONS_PER_YEAR = 200
CASES_PER_MONTH = 6


def build_data() -> tuple[Client, dict]:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from casework.demo import seed_reference_data
    from casework.models import Case, Governorate, Sex, StaffProfile, Unit
    from casework.services import staff_account_upsert
    from outreach.demo import ensure_topics
    from outreach.models import AgeBand, AwarenessSession, VenueType
    from outreach.selectors import add_months, iraq_today, month_start

    rng = random.Random(2026)
    seed_reference_data()
    topics = ensure_topics()
    governorates = list(Governorate.objects.all())
    unit = Unit.objects.get(kind=Unit.Kind.COMMUNITY_POLICE)
    admin = staff_account_upsert(
        username="bench-admin",
        first_name="Bench",
        role=StaffProfile.Role.ADMINISTRATOR,
        sex=Sex.FEMALE,
        unit=unit,
        governorates=[],
    )
    facilitators = [
        staff_account_upsert(
            username=f"bench-outreach-{g.code}",
            first_name="Outreach",
            role=StaffProfile.Role.OUTREACH,
            sex=rng.choice([Sex.FEMALE, Sex.MALE]),
            unit=unit,
            governorates=[g],
        )
        for g in governorates
    ]

    last_month = month_start(iraq_today())
    first_month = add_months(last_month, -(YEARS * 12 - 1))
    span_days = (last_month - first_month).days
    sessions = []
    for governorate in governorates:
        for _ in range(YEARS * SESSIONS_PER_YEAR):
            audience = rng.randint(20, 300)
            female = rng.randint(0, audience)
            sessions.append(
                AwarenessSession(
                    held_on=first_month + dt.timedelta(days=rng.randint(0, span_days)),
                    duration_minutes=rng.choice([45, 60, 90, 120]),
                    governorate=governorate,
                    district="district",
                    venue_type=rng.choice(VenueType.values),
                    venue_name="venue",
                    unit=unit,
                    audience_female=female,
                    audience_male=audience - female,
                    age_band=rng.choice(AgeBand.values),
                    follow_up_requests=rng.randint(0, 5),
                    logged_by=admin.user,
                )
            )
    AwarenessSession.objects.bulk_create(sessions, batch_size=2000)
    Topics = AwarenessSession.topics.through
    Facilitators = AwarenessSession.facilitators.through
    links, people = [], []
    by_code = {p.governorates.get().pk: p for p in facilitators}
    for session in AwarenessSession.objects.only("id", "governorate_id"):
        for topic in rng.sample(topics, k=rng.randint(1, 3)):
            links.append(Topics(awarenesssession_id=session.pk, topic_id=topic.pk))
        people.append(
            Facilitators(
                awarenesssession_id=session.pk, staffprofile_id=by_code[session.governorate_id].pk
            )
        )
    Topics.objects.bulk_create(links, batch_size=5000)
    Facilitators.objects.bulk_create(people, batch_size=5000)

    baghdad = ZoneInfo(settings.DISPLAY_TIME_ZONE)
    cases = []
    for governorate in governorates:
        for index in range(YEARS * 12):
            month = add_months(first_month, index)
            for _ in range(rng.randint(0, 2 * CASES_PER_MONTH)):
                at = dt.datetime(month.year, month.month, rng.randint(1, 28), 12, tzinfo=baghdad)
                cases.append(
                    Case(
                        reference=f"SND-{uuid.uuid4().hex[:12].upper()}",
                        unit=unit,
                        governorate=governorate,
                        filed_at=at,
                        first_contact_due_at=at,
                        wrapped_key=b"bench",
                    )
                )
    Case.objects.bulk_create(cases, batch_size=2000)

    device = TOTPDevice.objects.create(user=admin.user, name="bench", confirmed=True)
    client = Client()
    client.force_login(admin.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    karbala = next(g for g in governorates if g.code == "karbala")
    params = {
        "start": first_month.strftime("%Y-%m"),
        "end": last_month.strftime("%Y-%m"),
        "governorates": [g.pk for g in governorates],
        "ba-governorate": karbala.pk,
        "ba-since": add_months(first_month, 24).isoformat(),
        "ba-months": "12",
    }
    counts = {
        "sessions": AwarenessSession.objects.count(),
        "topic links": Topics.objects.count(),
        "cases": Case.objects.count(),
        "governorates": len(governorates),
        "months": YEARS * 12,
    }
    return client, {"params": params, "counts": counts}


def measure(client: Client, url: str, params: dict, runs: int) -> dict:
    assert client.get(url, params).status_code == 200  # warm-up: templates, translations
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, params)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    ordered = sorted(timings)
    return {
        "p95": ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)],
        "median": statistics.median(timings),
        "min": min(timings),
        "max": max(timings),
        "queries": len(queries),
        "bytes": len(response.content),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="8 runs")
    args = parser.parse_args()
    if args.quick:
        args.runs = 8

    from django.urls import reverse
    from django.utils import translation

    setup_test_environment()
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(TMP / "bench-test.sqlite3")
    with contextlib.redirect_stdout(io.StringIO()):  # migrations' own chatter
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
    try:
        started = time.perf_counter()
        client, data = build_data()
        load_seconds = time.perf_counter() - started
        with translation.override("ar"):
            analytics_url = reverse("outreach:analytics")
            yearly_url = reverse("outreach:yearly_summary")
        analytics = measure(client, analytics_url, data["params"], args.runs)
        yearly = measure(client, yearly_url, {}, args.runs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(TMP, ignore_errors=True)

    vendor = connection.vendor
    counts = ", ".join(f"{v:,} {k}" for k, v in data["counts"].items())
    print(f"outreach analytics bench on {vendor} ({counts}; loaded in {load_seconds:.1f} s)")
    print("targets: analytics page p95 <= 300 ms and <= 100 KB of HTML")
    for name, result in (("analytics page (ar, 19 charts x 60 months + before/after)", analytics),
                         ("yearly summary page (ar, 18 governorates)", yearly)):  # fmt: skip
        print(
            f"  {name}: median {result['median'] * 1000:.0f} ms, p95 {result['p95'] * 1000:.0f} ms "
            f"(min {result['min'] * 1000:.0f}, max {result['max'] * 1000:.0f}, {args.runs} runs), "
            f"{result['queries']} queries, {result['bytes'] / 1024:.0f} KiB"
        )
    fast = analytics["p95"] <= TARGET_P95_SECONDS
    small = analytics["bytes"] <= TARGET_BYTES
    p95_ms = analytics["p95"] * 1000
    print(
        f"RESULT|outreach analytics page p95 (5 y x 18 governorates)|{p95_ms:.0f} ms|<= 300 ms|"
        f"{p95_ms / 300:.2f} {'pass' if fast else 'FAIL'}"
    )
    kib = analytics["bytes"] / 1024
    print(
        f"RESULT|outreach analytics page HTML size|{kib:.0f} KB|<= 100 KB|"
        f"{kib / 100:.2f} {'pass' if small else 'FAIL'}"
    )
    return 0 if fast and small else 1


if __name__ == "__main__":
    sys.exit(main())
