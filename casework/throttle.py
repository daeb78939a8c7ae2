"""Counting attempts in the database: atomic under concurrency, shared by all workers.

Row locks (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions
serialise writers) make each hit a read-modify-write that cannot interleave.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from casework.crypto import fingerprint
from casework.models import AttemptLog, ThrottleCounter


def throttle_key(purpose: str, value: str) -> str:
    return f"{purpose}:{fingerprint(f'throttle/{purpose}/{value}')[:40]}"


@dataclass(frozen=True)
class ThrottleState:
    count: int
    locked_until: dt.datetime | None
    just_locked: bool = False

    @property
    def locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


def _locked_row(key: str) -> ThrottleCounter:
    try:
        return ThrottleCounter.objects.select_for_update().get(key=key)
    except ThrottleCounter.DoesNotExist:
        try:
            with transaction.atomic():
                return ThrottleCounter.objects.create(key=key)
        except IntegrityError:
            return ThrottleCounter.objects.select_for_update().get(key=key)


def throttle_state(key: str) -> ThrottleState:
    row = ThrottleCounter.objects.filter(key=key).values("count", "locked_until").first()
    if row is None:
        return ThrottleState(0, None)
    return ThrottleState(row["count"], row["locked_until"])


@transaction.atomic
def throttle_hit(*, key: str, limit: int, window_seconds: int, lock_seconds: int) -> ThrottleState:
    """Count one failure; lock the key for ``lock_seconds`` when ``limit`` is reached."""
    now = timezone.now()
    row = _locked_row(key)
    if row.locked_until and row.locked_until <= now:
        row.locked_until = None
        row.count = 0
        row.window_started_at = now
    if row.window_started_at + dt.timedelta(seconds=window_seconds) <= now:
        row.count = 0
        row.window_started_at = now
    row.count += 1
    just_locked = False
    if row.count >= limit and row.locked_until is None:
        row.locked_until = now + dt.timedelta(seconds=lock_seconds)
        just_locked = True
    row.save()
    return ThrottleState(row.count, row.locked_until, just_locked)


# One statement per hit, on PostgreSQL and SQLite (3.35+) alike: the row is
# created at its first hit; afterwards the conflict branch starts a new window
# or adds one while under the limit, and returns nothing when it is spent. The
# row is locked by the statement itself (PostgreSQL re-checks the WHERE after
# waiting for another hit; SQLite writes one at a time).
_CONSUME_SQL = """
INSERT INTO {table} (key, count, window_started_at, locked_until)
VALUES (%s, 1, %s, NULL)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN {table}.window_started_at <= %s THEN 1 ELSE {table}.count + 1 END,
    window_started_at = CASE
        WHEN {table}.window_started_at <= %s THEN excluded.window_started_at
        ELSE {table}.window_started_at
    END
WHERE {table}.window_started_at <= %s OR {table}.count < %s
RETURNING count
"""


def throttle_consume(*, key: str, limit: int, window_seconds: int) -> bool:
    """Take one unit of a rate limit; False (and nothing taken) when it is spent.

    One round trip whatever the state (``_CONSUME_SQL``): atomic on its own,
    so it needs no transaction or savepoint around it.
    """
    if limit < 1:
        return False
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    window_over = adapt(now - dt.timedelta(seconds=window_seconds))
    sql = _CONSUME_SQL.format(table=connection.ops.quote_name(ThrottleCounter._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, adapt(now), window_over, window_over, window_over, limit])
        return cursor.fetchone() is not None


def throttle_clear(key: str) -> None:
    ThrottleCounter.objects.filter(key=key).delete()


def attempt_logs_for_update(keys: list[str]) -> dict[str, AttemptLog]:
    """Lock the attempt logs of ``keys`` (created when missing), always in key
    order so two requests sharing keys cannot deadlock. Call inside a transaction."""
    wanted = sorted(set(keys))
    rows = {
        row.key: row
        for row in AttemptLog.objects.select_for_update().filter(key__in=wanted).order_by("key")
    }
    missing = [key for key in wanted if key not in rows]
    if missing:
        AttemptLog.objects.bulk_create(
            [AttemptLog(key=key) for key in missing], ignore_conflicts=True
        )
        rows = {
            row.key: row
            for row in AttemptLog.objects.select_for_update().filter(key__in=wanted).order_by("key")
        }
    return rows


def attempts_in_window(row: AttemptLog, *, now: float, window_seconds: float) -> list[float]:
    """Drop the attempts older than the window; return the rest, oldest first."""
    row.attempts = sorted(stamp for stamp in row.attempts if stamp > now - window_seconds)
    return row.attempts


def throttle_purge_stale(*, older_than: dt.timedelta) -> int:
    cutoff = timezone.now() - older_than
    deleted, _ = (
        ThrottleCounter.objects.filter(window_started_at__lt=cutoff)
        .exclude(locked_until__gt=timezone.now())
        .delete()
    )
    # Attempt logs hold a day of lock history: keep them a day past their last use.
    log_cutoff = timezone.now() - max(older_than, dt.timedelta(days=1))
    logs_deleted, _ = (
        AttemptLog.objects.filter(updated_at__lt=log_cutoff)
        .exclude(locked_until__gt=timezone.now())
        .delete()
    )
    return deleted + logs_deleted
