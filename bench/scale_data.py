"""A country's worth of cases in a throwaway PostgreSQL database, quickly.

    .venv/bin/python bench/scale_data.py --cases 100000 [--database sanad_perf_bench_100k]

Makes ``--cases`` cases over five years with a realistic mix: most are
finished (resolved, closed, withdrawn), the recent ones mostly open; urgent
15 %, high 25 %; units and governorates weighted (Baghdad the busiest); 40 %
asked for a female officer and finished cases have an eligible officer. Each
case has its evidence records (no files) and its audit events, hash-chained
like real ones (``manage.py verify_audit`` passes). Rows go in with
PostgreSQL's COPY, not through the request path; then VACUUM ANALYZE, as
autovacuum would leave a database that grew this way.

Victim data is synthetic and not PII-like: every identity is "Bench Case",
encrypted per case with its own data key (the list decrypts it for initials,
as in production). The narrative is one fixed ciphertext reused by every case:
the console list never reads it, and it only gives rows their real width.

Runs with the test settings (test keys): never point it at real data. The
database is created if missing; ``--reset`` drops and recreates it. Re-running
with a larger ``--cases`` adds the difference.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"

DEFAULT_DATABASE = "sanad_perf_bench"


def database_for(count: int) -> str:
    """One throwaway database per size: sanad_perf_bench_100k, sanad_perf_bench_1000k."""
    return f"{DEFAULT_DATABASE}_{count // 1000}k"


YEARS = 5
CHUNK = 50_000
SYMBOLS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Share of all cases per governorate code (the rest share what is left).
GOVERNORATE_WEIGHTS = {"baghdad": 25, "basra": 9, "nineveh": 9, "erbil": 6, "sulaymaniyah": 6}
UNIT_WEIGHTS = {"community_police": 50, "national_security": 40, "family_protection": 10}
PRIORITY_WEIGHTS = {"urgent": 15, "high": 25, "normal": 60}
FIRST_CONTACT_HOURS = {"urgent": 4, "high": 24, "normal": 72}
OPEN_FLOW = ["new", "triaged", "assigned", "in_contact", "accounts_secured", "suspect_identified"]
CASE_COLUMNS = [
    "id",
    "uuid",
    "reference",
    "filed_at",
    "status",
    "priority",
    "unit_id",
    "governorate_id",
    "category_id",
    "platform",
    "knows_blackmailer",
    "threat_deadline",
    "money_demanded",
    "money_paid",
    "is_minor",
    "self_harm_risk",
    "device_shared",
    "contact_method",
    "wants_female_officer",
    "is_anonymous",
    "assignment_state",
    "assigned_officer_id",
    "first_contact_due_at",
    "first_contact_at",
    "resolved_at",
    "closed_at",
    "withdrawn_at",
    "updated_at",
    "wrapped_key",
    "identity_enc",
    "narrative_enc",
]
EVIDENCE_COLUMNS = [
    "uuid",
    "owner_uuid",
    "case_id",
    "storage_name",
    "kind",
    "content_type",
    "size",
    "sha256",
    "is_intimate",
    "source",
    "uploaded_at",
]
AUDIT_COLUMNS = [
    "sequence",
    "occurred_at",
    "action",
    "actor_id",
    "actor_label",
    "case_id",
    "details",
    "previous_hash",
    "hash",
]


def database_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def ensure_database(name: str, *, reset: bool) -> None:
    import psycopg

    with psycopg.connect(
        host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True
    ) as admin:
        if reset:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def setup_django(name: str) -> None:
    """Django on database ``name`` (switching the connection if already set up)."""
    os.environ["DATABASE_URL"] = database_url(name)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    if settings.DATABASES["default"]["NAME"] != name:
        connections["default"].close()
        settings.DATABASES["default"]["NAME"] = name
        connections["default"].settings_dict["NAME"] = name
    call_command("migrate", verbosity=0)


def staff() -> dict:
    """Officers (both sexes) for every unit x governorate, a supervisor per unit
    and governorate, and the three staff the console benchmark logs in as."""
    from casework.demo import seed_reference_data
    from casework.models import Governorate, Sex, StaffProfile, Unit
    from casework.services import staff_account_upsert

    seed_reference_data()
    governorates = list(Governorate.objects.all())
    units = list(Unit.objects.all())
    existing = {
        (p.unit_id, p.governorates.first().pk if p.role == "officer" else None, p.sex): p
        for p in StaffProfile.objects.filter(user__username__startswith="scale.officer.")
    }
    officers: dict[tuple[int, int], dict[str, list]] = {}
    for unit in units:
        for gov in governorates:
            for sex in (Sex.FEMALE, Sex.MALE):
                key = (unit.pk, gov.pk, sex)
                profile = existing.get(key) or staff_account_upsert(
                    username=f"scale.officer.{unit.kind}.{gov.code}.{sex}",
                    first_name="Scale",
                    role=StaffProfile.Role.OFFICER,
                    sex=sex,
                    unit=unit,
                    governorates=[gov],
                )
                officers.setdefault((unit.pk, gov.pk), {}).setdefault(sex, []).append(profile.pk)
    community = next(u for u in units if u.kind == Unit.Kind.COMMUNITY_POLICE)
    baghdad = next(g for g in governorates if g.code == "baghdad")
    people = {
        "supervisor_baghdad": staff_account_upsert(
            username="scale.supervisor.baghdad",
            first_name="Scale",
            role=StaffProfile.Role.SUPERVISOR,
            sex=Sex.FEMALE,
            unit=community,
            governorates=[baghdad],
        ),
        "supervisor_national": staff_account_upsert(
            username="scale.supervisor.national",
            first_name="Scale",
            role=StaffProfile.Role.SUPERVISOR,
            sex=Sex.FEMALE,
            unit=community,
            governorates=governorates,
        ),
        "administrator": staff_account_upsert(
            username="scale.administrator",
            first_name="Scale",
            role=StaffProfile.Role.ADMINISTRATOR,
            sex=Sex.MALE,
            unit=None,
            governorates=[],
        ),
    }
    people["officer_baghdad"] = StaffProfile.objects.get(
        user__username=f"scale.officer.{community.kind}.baghdad.female"
    )
    return {
        "governorates": governorates,
        "units": units,
        "officers": officers,
        "people": people,
        "categories": list(
            __import__("casework.models", fromlist=["Category"]).Category.objects.values_list(
                "pk", flat=True
            )
        ),
    }


def _weighted(rng: random.Random, weights: dict, items: dict):
    keys = list(items)
    return items[rng.choices(keys, weights=[weights.get(k, 0) for k in keys])[0]]


def _status_for(rng: random.Random, age_days: float) -> str:
    open_share = 0.9 if age_days < 7 else 0.5 if age_days < 30 else 0.15 if age_days < 180 else 0.02
    if rng.random() < open_share:
        return rng.choice(OPEN_FLOW)
    return rng.choices(["resolved", "closed", "withdrawn"], weights=[45, 43, 12])[0]


class ChainWriter:
    """Audit events with the same digest as casework.audit (so verify_audit passes)."""

    def __init__(self, cursor):
        from casework.audit import _event_digest

        self.digest = _event_digest
        head = cursor.execute("SELECT sequence, hash FROM casework_auditchainhead WHERE id = 1")
        row = head.fetchone()
        self.sequence, self.hash = row if row else (0, "0" * 64)

    def event(self, *, at, action, case_id, details, actor_id=None) -> tuple:
        self.sequence += 1
        label = "staff" if actor_id else "system"
        digest = self.digest(
            previous_hash=self.hash,
            sequence=self.sequence,
            occurred_at=at,
            action=action,
            actor_id=actor_id,
            actor_label=label,
            case_id=case_id,
            details=details,
        )
        row = (self.sequence, at, action, actor_id, label, case_id, json.dumps(details), self.hash)
        self.hash = digest
        return (*row, digest)


def _secondary_indexes_drop(cursor) -> list[str]:
    """Drop the indexes no constraint needs (a fresh load builds them faster
    afterwards than row by row); return the statements that recreate them."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
        [["casework_case", "casework_evidence", "casework_auditevent"]],
    )
    rows = cursor.fetchall()
    for name, _definition in rows:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in rows]


def _chain_head_save(cursor, chain: ChainWriter) -> None:
    cursor.execute(
        "INSERT INTO casework_auditchainhead (id, sequence, hash) VALUES (1, %s, %s) "
        "ON CONFLICT (id) DO UPDATE SET sequence = EXCLUDED.sequence, hash = EXCLUDED.hash",
        [chain.sequence, chain.hash],
    )


def generate(count: int, world: dict, *, seed: int = 2026) -> None:
    import psycopg
    from django.conf import settings
    from django.db import connection

    from casework.crypto import Sealer

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM casework_case")
        max_id, existing = cursor.fetchone()
        cursor.execute("SELECT reference FROM casework_case")
        references = {row[0] for row in cursor.fetchall()}
    missing = count - existing
    if missing <= 0:
        print(f"{existing} cases already present")
        return
    rng = random.Random(seed + existing)
    now = dt.datetime.now(dt.UTC)
    span = dt.timedelta(days=365 * YEARS)
    governorates = {g.code: g.pk for g in world["governorates"]}
    units = {u.kind: u.pk for u in world["units"]}
    officers = world["officers"]
    narrative_sealer, _wrapped = Sealer.new(owner=uuid.uuid4())
    narrative = narrative_sealer.seal_text("narrative", "Synthetic benchmark text. " * 24)
    db = settings.DATABASES["default"]
    started = time.perf_counter()
    with psycopg.connect(host=db["HOST"], user=db["USER"], dbname=db["NAME"]) as pg:
        cursor = pg.cursor()
        # Foreign-key triggers off for this loading session (the generator
        # writes consistent rows); a throwaway database, superuser only.
        cursor.execute("SET session_replication_role = replica")
        chain = ChainWriter(cursor)
        dropped = _secondary_indexes_drop(cursor) if missing >= existing else []
        for chunk_start in range(0, missing, CHUNK):
            evidence_rows: list[tuple] = []
            audit_rows: list[tuple] = []
            case_copy = f"COPY casework_case ({', '.join(CASE_COLUMNS)}) FROM STDIN"
            with cursor.copy(case_copy) as copy:
                for index in range(chunk_start, min(missing, chunk_start + CHUNK)):
                    case_id = max_id + 1 + index
                    # Older cases first, so ids grow with time as in production.
                    fraction = (index + rng.random()) / missing
                    filed_at = now - span * (1 - fraction) ** 1.3
                    age_days = (now - filed_at).total_seconds() / 86400
                    status = _status_for(rng, age_days)
                    priority = _weighted(rng, PRIORITY_WEIGHTS, {k: k for k in PRIORITY_WEIGHTS})
                    unit_id = _weighted(rng, UNIT_WEIGHTS, units)
                    gov_id = _weighted(
                        rng, {**dict.fromkeys(governorates, 3), **GOVERNORATE_WEIGHTS}, governorates
                    )
                    wants_female = rng.random() < 0.4
                    finished = status in {"resolved", "closed", "withdrawn"}
                    assigned = finished and status != "withdrawn" or status in OPEN_FLOW[2:]
                    officer_id = None
                    if assigned:
                        pool = officers[(unit_id, gov_id)]
                        officer_id = rng.choice(
                            pool["female"] if wants_female else rng.choice(list(pool.values()))
                        )
                    state = (
                        "assigned"
                        if officer_id
                        else "awaiting_female_officer"
                        if wants_female and status in OPEN_FLOW[:2] and rng.random() < 0.3
                        else "unassigned"
                    )
                    due = filed_at + dt.timedelta(hours=FIRST_CONTACT_HOURS[priority])
                    contacted = status in OPEN_FLOW[3:] or status in {"resolved", "closed"}
                    first_contact_at = (
                        filed_at
                        + dt.timedelta(hours=rng.expovariate(1 / FIRST_CONTACT_HOURS[priority]))
                        if contacted
                        else None
                    )
                    resolved_at = (
                        filed_at + dt.timedelta(days=rng.uniform(2, 90))
                        if status in {"resolved", "closed"}
                        else None
                    )
                    if resolved_at and resolved_at > now:
                        resolved_at = now
                    closed_at = resolved_at + dt.timedelta(days=3) if status == "closed" else None
                    withdrawn_at = (
                        filed_at + dt.timedelta(days=1) if status == "withdrawn" else None
                    )
                    owner = uuid.UUID(int=rng.getrandbits(128), version=4)
                    sealer, wrapped = Sealer.new(owner=owner)
                    reference = None
                    while reference is None or reference in references:
                        symbols = "".join(rng.choices(SYMBOLS, k=8))
                        reference = f"SND-{symbols[:4]}-{symbols[4:]}"
                    references.add(reference)
                    copy.write_row(
                        (
                            case_id,
                            owner,
                            reference,
                            filed_at,
                            status,
                            priority,
                            unit_id,
                            gov_id,
                            rng.choice(world["categories"]),
                            rng.choice(["whatsapp", "facebook", "instagram", "telegram", "tiktok"]),
                            rng.choice(["yes", "no", "unsure"]),
                            None,
                            rng.random() < 0.5,
                            rng.random() < 0.1,
                            rng.random() < 0.2,
                            priority == "urgent" and rng.random() < 0.5,
                            rng.random() < 0.3,
                            "messages_only",
                            wants_female,
                            True,
                            state,
                            officer_id,
                            due,
                            first_contact_at,
                            resolved_at,
                            closed_at,
                            withdrawn_at,
                            closed_at
                            or resolved_at
                            or withdrawn_at
                            or first_contact_at
                            or filed_at,
                            wrapped,
                            sealer.seal_json("identity", {"name": "Bench Case", "phone": ""}),
                            narrative,
                        )
                    )
                    for _ in range(rng.choices([0, 1, 2, 3], weights=[45, 30, 15, 10])[0]):
                        evidence_rows.append(
                            (
                                uuid.UUID(int=rng.getrandbits(128), version=4),
                                owner,
                                case_id,
                                uuid.UUID(int=rng.getrandbits(128), version=4).hex,
                                "image",
                                "image/jpeg",
                                rng.randint(50_000, 5_000_000),
                                "0" * 64,
                                True,
                                "victim",
                                filed_at,
                            )
                        )
                    audit_rows.append(
                        chain.event(
                            at=filed_at,
                            action="casework.case.filed",
                            case_id=case_id,
                            details={"unit": unit_id},
                        )
                    )
                    if officer_id:
                        audit_rows.append(
                            chain.event(
                                at=filed_at + dt.timedelta(minutes=5),
                                action="casework.case.assigned",
                                case_id=case_id,
                                details={"officer": officer_id, "via": "auto"},
                            )
                        )
                    if status not in OPEN_FLOW[:1]:
                        audit_rows.append(
                            chain.event(
                                at=first_contact_at or filed_at + dt.timedelta(hours=1),
                                action="casework.case.status_changed",
                                case_id=case_id,
                                details={"from": "new", "to": status},
                            )
                        )
            with cursor.copy(
                f"COPY casework_evidence ({', '.join(EVIDENCE_COLUMNS)}) FROM STDIN"
            ) as copy:
                for row in evidence_rows:
                    copy.write_row(row)
            with cursor.copy(
                f"COPY casework_auditevent ({', '.join(AUDIT_COLUMNS)}) FROM STDIN"
            ) as copy:
                for row in audit_rows:
                    copy.write_row(row)
            _chain_head_save(cursor, chain)
            pg.commit()
            done = min(missing, chunk_start + CHUNK)
            print(f"  {done} cases, {time.perf_counter() - started:.0f} s", flush=True)
        index_started = time.perf_counter()
        for statement in dropped:
            cursor.execute(statement)
        if dropped:
            print(f"indexes rebuilt: {time.perf_counter() - index_started:.1f} s", flush=True)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('casework_case', 'id'), "
            "(SELECT MAX(id) FROM casework_case))"
        )
        pg.commit()
        print(f"cases, evidence, audit events: {time.perf_counter() - started:.1f} s", flush=True)
        pg.autocommit = True
        vacuum_started = time.perf_counter()
        pg.execute("VACUUM ANALYZE casework_case")
        pg.execute("VACUUM ANALYZE casework_evidence")
        pg.execute("VACUUM ANALYZE casework_auditevent")
        print(f"vacuum analyze: {time.perf_counter() - vacuum_started:.1f} s", flush=True)


def build(count: int, *, database: str = DEFAULT_DATABASE, reset: bool = False) -> dict:
    """Make sure ``database`` holds ``count`` cases; return the staff to log in as."""
    ensure_database(database, reset=reset)
    setup_django(database)
    world = staff()
    started = time.perf_counter()
    generate(count, world)
    world["seconds"] = time.perf_counter() - started
    return world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database", help="default: sanad_perf_bench_<size>k")
    parser.add_argument("--reset", action="store_true")
    args = parser.parse_args()
    database = args.database or database_for(args.cases)
    world = build(args.cases, database=database, reset=args.reset)
    print(f"RESULT|scale data: {args.cases} cases generated|{world['seconds']:.0f} s|-|-")


if __name__ == "__main__":
    main()
