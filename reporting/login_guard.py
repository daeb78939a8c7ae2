"""Guards in front of every check of a victim's secret code (follow-up login,
the receipt's practice check), so guessing can neither find a code nor take the
site down, and an attacker cannot keep a victim out.

Each attempt is counted BEFORE the code is hashed: one short transaction locks
the attempt logs involved (client address, its network prefix, the reference,
the site-wide hash budget), decides, and records the attempt in each of them
as a reservation. Only then is the code hashed; a right code releases the
reservation, a wrong one keeps it. So under any concurrency at most ``limit``
guesses are ever evaluated per window, and every window slides (``AttemptLog``
keeps the attempt times), so nothing carries over at a window boundary.

Why the victim always gets back in:
- A reference locks after 5 wrong codes in 15 minutes (it is what stops
  guessing one code), but at most SANAD_FOLLOWUP_REFERENCE_LOCKS_PER_DAY times
  a day. After that it is not locked again: each client address gets only
  SANAD_FOLLOWUP_CAPPED_TRIES_PER_CLIENT tries at it a day instead, so the
  attacker's addresses run out while the victim's own address still works.
  However many addresses an attacker has, the victim is locked out for at most
  3 x 15 minutes a day (the code's 66 bits make the extra guesses worthless).
- Clients and network prefixes (IPv4 /24, IPv6 /64) that guess wrong too often
  are blocked, each block in a day twice as long as the last (up to a day), so
  one attacker's machines stop long before they could renew many locks.
- Hashing has a site-wide budget per second, refused (429) before hashing, so
  a flood cannot take the CPU from the rest of the site. Clients with recent
  failures share only part of it: a flood against other references cannot
  spend the part left for clients without failures, where the victim is.

The answer and the cost are the same whether the reference exists or not.
Nothing here stores or logs a reference, a code or an address: keys are keyed
hashes (casework.throttle.throttle_key).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from casework.models import AttemptLog
from casework.throttle import attempt_logs_for_update, attempts_in_window, throttle_key

DAY_SECONDS = 24 * 3600
BUDGET_WINDOW_SECONDS = 1.0


class GuardOutcome:
    OK = "ok"
    INVALID = "invalid"  # wrong reference or code: one answer for both
    LOCKED = "locked"  # this reference (or this receipt) is locked for a while
    CLIENT_LOCKED = "client_locked"  # this client or its network guessed too much
    BUSY = "busy"  # the site-wide hash budget is spent this second


@dataclass(frozen=True)
class Door:
    """One place where codes are checked; ``name`` separates their targets."""

    name: str
    # Whether daily locks of one target are capped (the follow-up login's are,
    # so an attacker cannot keep one victim locked out all day).
    capped: bool = True


LOGIN = Door("followup")


@dataclass(frozen=True)
class Verdict:
    outcome: str
    until: dt.datetime | None = None
    tries_left: int | None = None
    # Set when this attempt locked something, for the lockout records.
    locked_scopes: tuple[tuple[str, dt.datetime], ...] = ()


@dataclass
class Reservation:
    stamp: float
    door: Door
    address_key: str
    prefix_key: str
    target_key: str | None
    client_target_key: str | None
    capped: bool
    counted: list[str] = field(default_factory=list)
    # Whether a failure could lock anything (some count reached its limit with
    # this attempt), and the reference's tries left if it fails.
    may_lock: bool = True
    tries_left: int | None = None


def network_of(client_address: str) -> tuple[str, str]:
    """(address, prefix): an IPv4 /24 or an IPv6 /64; anything unparsable is one bucket."""
    try:
        address = ipaddress.ip_address(client_address.strip())
    except ValueError:
        return "unknown", "unknown"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    bits = 24 if address.version == 4 else 64
    prefix = ipaddress.ip_network(f"{address}/{bits}", strict=False)
    return str(address), str(prefix)


def _save(rows, fields: list[str]) -> None:
    """Write ``fields`` of ``rows`` in one prepared UPDATE: this runs on every
    guess of a flood, and the ORM's per-query compiling cost more than the rest."""
    rows = list(rows)
    if not rows:
        return
    meta = AttemptLog._meta
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in columns)
    sql = f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {assignments} WHERE id = %s"  # noqa: S608 - names from the model
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in columns]
        + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _window() -> int:
    return settings.SANAD_FOLLOWUP_LOCKOUT_SECONDS


def _until(stamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(stamp, tz=dt.UTC)


def _recent_locks(row: AttemptLog, now: float) -> list[float]:
    row.locks = [stamp for stamp in row.locks if stamp > now - DAY_SECONDS]
    return row.locks


def _blocked_until(row: AttemptLog, *, limit: int, now: float) -> dt.datetime | None:
    """When a client/prefix row refuses attempts: blocked, or its window is full."""
    if row.locked_until and row.locked_until.timestamp() > now:
        return row.locked_until
    attempts = attempts_in_window(row, now=now, window_seconds=_window())
    if len(attempts) >= limit:
        return _until(attempts[0] + _window())
    return None


@transaction.atomic
def guard_reserve(
    *, door: Door, client_address: str, target: str | None, hashing: bool, cost: int = 1
) -> Reservation | Verdict:
    """Decide whether this attempt may go on; if so, count it now (before hashing).

    ``target`` is the canonical reference (or the receipt's case); None when
    the input cannot be one, which still counts against the client.
    ``hashing`` is False when the input cannot be a code: no budget is spent.
    ``cost`` is the check's price in today's checks (older hashes cost more).
    """
    now = round(timezone.now().timestamp(), 3)
    address, prefix = network_of(client_address)
    address_key = throttle_key("code-client", address)
    prefix_key = throttle_key("code-prefix", prefix)
    target_key = throttle_key(f"{door.name}-target", target) if target else None
    budget_key = throttle_key("code-budget", "all")
    suspect_budget_key = throttle_key("code-budget", "suspect")
    keys = [address_key, prefix_key]
    keys += [target_key] if target_key else []
    # Blocked clients and locked references are refused with one read and no
    # write, so a flood from them costs next to nothing.
    for row in AttemptLog.objects.filter(key__in=keys, locked_until__gt=_until(now)):
        outcome = GuardOutcome.LOCKED if row.key == target_key else GuardOutcome.CLIENT_LOCKED
        return Verdict(outcome, until=row.locked_until)
    keys += [budget_key, suspect_budget_key] if hashing else []
    rows = attempt_logs_for_update(keys)

    for key, limit in (
        (address_key, settings.SANAD_FOLLOWUP_CLIENT_MAX_FAILURES),
        (prefix_key, settings.SANAD_FOLLOWUP_PREFIX_MAX_FAILURES),
    ):
        blocked = _blocked_until(rows[key], limit=limit, now=now)
        if blocked is not None:
            return Verdict(GuardOutcome.CLIENT_LOCKED, until=blocked)

    capped = False
    client_target_key = None
    if target_key:
        target_row = rows[target_key]
        if target_row.locked_until and target_row.locked_until.timestamp() > now:
            return Verdict(GuardOutcome.LOCKED, until=target_row.locked_until)
        locks_today = len(_recent_locks(target_row, now))
        capped = door.capped and locks_today >= settings.SANAD_FOLLOWUP_REFERENCE_LOCKS_PER_DAY
        if capped:
            # Locked after its target row, so lock order stays deadlock-free.
            client_target_key = throttle_key(f"{door.name}-target-client", f"{target}|{address}")
            client_target = attempt_logs_for_update([client_target_key])[client_target_key]
            rows[client_target_key] = client_target
            tries = attempts_in_window(client_target, now=now, window_seconds=DAY_SECONDS)
            if len(tries) >= settings.SANAD_FOLLOWUP_CAPPED_TRIES_PER_CLIENT:
                return Verdict(GuardOutcome.LOCKED, until=_until(tries[0] + DAY_SECONDS))
        else:
            tries = attempts_in_window(target_row, now=now, window_seconds=_window())
            if len(tries) >= settings.SANAD_FOLLOWUP_MAX_FAILURES:
                # Full with guesses still being checked: refused like a lock.
                return Verdict(GuardOutcome.LOCKED, until=_until(tries[0] + _window()))

    if hashing:
        suspect = (
            len(rows[address_key].attempts) >= settings.SANAD_FOLLOWUP_SUSPECT_AFTER_FAILURES
            or len(rows[prefix_key].attempts)
            >= settings.SANAD_FOLLOWUP_PREFIX_SUSPECT_AFTER_FAILURES
        )
        budgets = [(budget_key, settings.SANAD_CODE_CHECKS_PER_SECOND)]
        if suspect:
            budgets.append((suspect_budget_key, settings.SANAD_CODE_CHECKS_PER_SECOND_SUSPECT))
        for key, limit in budgets:
            spent = attempts_in_window(rows[key], now=now, window_seconds=BUDGET_WINDOW_SECONDS)
            if len(spent) >= limit:
                return Verdict(GuardOutcome.BUSY)
        for key, _limit in budgets:
            rows[key].attempts.extend([now] * cost)

    counted = [address_key, prefix_key]
    counted += [client_target_key] if capped else [target_key] if target_key else []
    for key in counted:
        rows[key].attempts.append(now)
    may_lock = (
        len(rows[address_key].attempts) >= settings.SANAD_FOLLOWUP_CLIENT_MAX_FAILURES
        or len(rows[prefix_key].attempts) >= settings.SANAD_FOLLOWUP_PREFIX_MAX_FAILURES
    )
    tries_left = None
    if capped:
        tries_left = settings.SANAD_FOLLOWUP_CAPPED_TRIES_PER_CLIENT - len(
            rows[client_target_key].attempts
        )
    elif target_key:
        tries_left = settings.SANAD_FOLLOWUP_MAX_FAILURES - len(rows[target_key].attempts)
    may_lock = may_lock or tries_left == 0
    now_dt = _until(now)
    for row in rows.values():
        row.updated_at = now_dt
    _save(rows.values(), ["attempts", "locks", "updated_at"])
    return Reservation(
        stamp=now,
        door=door,
        address_key=address_key,
        prefix_key=prefix_key,
        target_key=target_key,
        client_target_key=client_target_key,
        capped=capped,
        counted=counted,
        may_lock=may_lock,
        tries_left=tries_left,
    )


@transaction.atomic
def guard_settle_success(reservation: Reservation) -> None:
    """The code was right: the attempt is not a failure, and the reference's
    wrong guesses are forgotten (its lock history is kept)."""
    rows = attempt_logs_for_update(reservation.counted)
    for key in reservation.counted:
        row = rows[key]
        if key == reservation.target_key:
            row.attempts = []
        elif reservation.stamp in row.attempts:
            row.attempts.remove(reservation.stamp)
    _save(rows.values(), ["attempts"])


def _block(row: AttemptLog, *, limit: int, now: float) -> bool:
    """Block a full client/prefix row, twice as long for each block in the last day."""
    if row.locked_until and row.locked_until.timestamp() > now:
        return False
    if len(attempts_in_window(row, now=now, window_seconds=_window())) < limit:
        return False
    earlier_blocks = len(_recent_locks(row, now))
    seconds = min(_window() * 2**earlier_blocks, settings.SANAD_FOLLOWUP_MAX_BLOCK_SECONDS)
    row.locked_until = _until(now + seconds)
    row.locks.append(now)
    return True


@transaction.atomic
def guard_settle_failure(reservation: Reservation) -> Verdict:
    """The code was wrong (the attempt stays counted): lock what is now full."""
    if not reservation.may_lock:
        # Nothing reached its limit with this attempt; an attempt that did will
        # lock it. Most guesses of a flood end here, without a transaction.
        return Verdict(GuardOutcome.INVALID, tries_left=reservation.tries_left)
    now = round(timezone.now().timestamp(), 3)
    rows = attempt_logs_for_update(reservation.counted)
    changed: set[str] = set()
    locked_scopes: list[tuple[str, dt.datetime]] = []
    for scope, key, limit in (
        ("client", reservation.address_key, settings.SANAD_FOLLOWUP_CLIENT_MAX_FAILURES),
        ("network", reservation.prefix_key, settings.SANAD_FOLLOWUP_PREFIX_MAX_FAILURES),
    ):
        if _block(rows[key], limit=limit, now=now):
            locked_scopes.append((scope, rows[key].locked_until))
            changed.add(key)
    tries_left = None
    until = None
    if reservation.capped:
        tries = attempts_in_window(
            rows[reservation.client_target_key], now=now, window_seconds=DAY_SECONDS
        )
        tries_left = max(settings.SANAD_FOLLOWUP_CAPPED_TRIES_PER_CLIENT - len(tries), 0)
        if tries_left == 0:
            until = _until(tries[0] + DAY_SECONDS)
    elif reservation.target_key:
        target = rows[reservation.target_key]
        tries = attempts_in_window(target, now=now, window_seconds=_window())
        tries_left = max(settings.SANAD_FOLLOWUP_MAX_FAILURES - len(tries), 0)
        if tries_left == 0:
            locks_today = len(_recent_locks(target, now))
            if (
                not reservation.door.capped
                or locks_today < settings.SANAD_FOLLOWUP_REFERENCE_LOCKS_PER_DAY
            ):
                target.locked_until = _until(now + _window())
                target.locks.append(now)
                until = target.locked_until
                locked_scopes.append(("reference", until))
                changed.add(reservation.target_key)
            else:
                # The daily cap is reached: from now on each client gets its own
                # few tries instead of one lock that would keep the victim out.
                tries_left = settings.SANAD_FOLLOWUP_CAPPED_TRIES_PER_CLIENT
    # The attempt is already counted: only what this failure locked is written.
    _save([rows[key] for key in changed], ["locks", "locked_until"])
    return Verdict(
        GuardOutcome.INVALID,
        until=until,
        tries_left=tries_left,
        locked_scopes=tuple(locked_scopes),
    )
