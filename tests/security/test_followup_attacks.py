"""Attacks on the victim's follow-up login and the receipt's practice check:
lockout as a weapon, address and prefix rotation, floods against the hash
budget, races on the counters, window edges, old hashes.

Every test freezes the clock: the guards read it for their sliding windows.
"""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
import time_machine
from argon2 import PasswordHasher
from django.db import connection, connections

from casework.models import AttemptLog, AuditEvent, FollowUpLockout, ReporterCredential
from reporting.services import FollowUpOutcome, followup_authenticate

WRONG = "0000 0000 0000 0000 0000"
# 09:00 UTC is 12:00 in Baghdad.
MORNING = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def _login(reference, passphrase, client="203.0.113.7"):
    return followup_authenticate(reference=reference, passphrase=passphrase, client_address=client)


def _spread(index: int) -> str:
    """An address in its own /24, as a botnet would have."""
    return f"10.{index // 250}.{index % 250}.9"


@pytest.fixture(autouse=True)
def _fresh_hash_shares():
    # The share of each kind of stored hash is cached per process for minutes.
    from casework import identifiers

    identifiers._SHARES.update(at=-1e9)
    yield
    identifiers._SHARES.update(at=-1e9)


def _make_legacy(case, digits, *, memory_cost=8192, time_cost=3):
    """Store the code as Sanad did before the pepper, with dearer parameters."""
    legacy = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)
    ReporterCredential.objects.filter(case=case).update(passphrase_hash=legacy.hash(digits))


@pytest.fixture
def frozen():
    with time_machine.travel(MORNING, tick=False) as clock:
        yield clock


@pytest.fixture
def hash_calls(monkeypatch):
    """Count the code hashes actually run (through the service's own import)."""
    import reporting.services as services

    calls = []
    lock = threading.Lock()
    # (Before the guards, the service called passphrase_verify.)
    name = "passphrase_check" if hasattr(services, "passphrase_check") else "passphrase_verify"
    real = getattr(services, name)

    def counting(*args, **kwargs):
        with lock:
            calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, name, counting)
    return calls


# --- item 1: the lock tells the victim, and cannot be kept on forever --------


@pytest.mark.django_db
def test_followup_login__locked_reference_page_says_until_when_and_gives_hotlines(
    client, file_report, frozen
):
    filed = file_report()
    for index in range(5):
        _login(filed.case.reference, WRONG, client=_spread(index))
    frozen.shift(dt.timedelta(minutes=2))
    response = client.post(
        "/en/follow-up/",
        {"reference": filed.case.reference, "passphrase": filed.passphrase},
    )
    assert response.status_code == 429
    html = response.content.decode()
    # Locked at 12:00 Baghdad time for 15 minutes.
    assert "Someone tried wrong codes for this case number" in html
    assert "locked until 12:15 (Iraq time)" in html
    assert 'href="tel:497"' in html and 'href="tel:131"' in html
    assert response["Retry-After"]


@pytest.mark.django_db
def test_followup_login__attacker_with_many_addresses_keeps_victim_out_at_most_three_locks_a_day(
    file_report, frozen
):
    filed = file_report()
    victim = "198.51.100.23"
    attacker = iter(range(10_000))
    locked_minutes = 0
    # The attacker renews the lock as soon as it ends, for a whole day, from
    # fresh addresses in fresh /24s so no client or prefix limit ever stops it.
    for _minute in range(24 * 60):
        outcome = _login(filed.case.reference, WRONG, client=_spread(next(attacker))).outcome
        if outcome == FollowUpOutcome.LOCKED:
            locked_minutes += 1
        frozen.shift(dt.timedelta(seconds=20))
        # The victim tries every few minutes with the right code.
        if _minute % 30 == 29:
            result = _login(filed.case.reference, filed.passphrase, client=victim)
            if result.outcome == FollowUpOutcome.OK:
                break
        frozen.shift(dt.timedelta(seconds=40))
    assert result.outcome == FollowUpOutcome.OK
    assert FollowUpLockout.objects.filter(case=filed.case, scope="reference").count() == 3
    # After the third lock each address gets only a few tries at this reference.
    attacker_address = _spread(next(attacker))
    outcomes = [
        _login(filed.case.reference, WRONG, client=attacker_address).outcome for _ in range(4)
    ]
    assert outcomes == [FollowUpOutcome.INVALID] * 3 + [FollowUpOutcome.LOCKED]
    assert _login(filed.case.reference, filed.passphrase, client=victim).outcome == "ok"


@pytest.mark.django_db
def test_followup_login__client_blocks_escalate_within_a_day(settings, reference_data, frozen):
    settings.SANAD_FOLLOWUP_CLIENT_MAX_FAILURES = 4
    client = "192.0.2.44"
    for round_ in range(3):
        for index in range(4):
            _login(f"SND-AAAA-{round_}{index:03d}", WRONG, client=client)
        refused = _login("SND-BBBB-0000", WRONG, client=client)
        assert refused.outcome == FollowUpOutcome.CLIENT_LOCKED
        frozen.move_to(refused.until + dt.timedelta(seconds=1))
    spans = [
        lockout.until - lockout.occurred_at
        for lockout in FollowUpLockout.objects.filter(scope="client").order_by("occurred_at")
    ]
    assert [round(span.total_seconds() / 60) for span in spans] == [15, 30, 60]


@pytest.mark.django_db
def test_followup_login__rotating_addresses_in_one_ipv6_64_are_blocked_by_prefix(
    settings, reference_data, frozen
):
    settings.SANAD_FOLLOWUP_PREFIX_MAX_FAILURES = 30
    outcomes = []
    for index in range(31):
        address = f"2001:db8:1:2::{index + 1:x}"
        outcomes.append(_login(f"SND-CCCC-{index:04d}", WRONG, client=address).outcome)
        frozen.shift(dt.timedelta(seconds=1))
    assert outcomes == [FollowUpOutcome.INVALID] * 30 + [FollowUpOutcome.CLIENT_LOCKED]
    assert FollowUpLockout.objects.filter(scope="network").count() == 1
    # Another /64 is not affected.
    assert _login("SND-CCCC-9999", WRONG, client="2001:db8:1:3::1").outcome == "invalid"


@pytest.mark.django_db
def test_followup_login__flood_on_other_references_does_not_lock_this_one(
    file_report, reference_data, frozen
):
    filed = file_report()
    for index in range(200):
        _login(f"SND-DDDD-{index:04d}", WRONG, client=_spread(index))
        frozen.shift(dt.timedelta(seconds=1))
    assert _login(filed.case.reference, filed.passphrase, client="198.51.100.5").outcome == "ok"


# --- item 2: how many tries are left; windows read from the settings ----------


@pytest.mark.django_db
def test_followup_login__wrong_code_page_says_how_many_tries_are_left(client, file_report, frozen):
    filed = file_report()
    pages = [
        client.post(
            "/en/follow-up/", {"reference": filed.case.reference, "passphrase": WRONG}
        ).content.decode()
        for _ in range(5)
    ]
    assert "You can try 4 more times before this case number is locked" in pages[0]
    assert "You can try 1 more time before this case number is locked" in pages[3]
    assert "now locked until 12:15 (Iraq time)" in pages[4]
    assert 'href="tel:497"' in pages[4]


@pytest.mark.django_db
def test_followup_login__lock_length_and_idle_sign_out_read_the_settings(
    client, settings, file_report, frozen
):
    settings.SANAD_FOLLOWUP_LOCKOUT_SECONDS = 10 * 60
    settings.SANAD_FOLLOWUP_IDLE_SECONDS = 5 * 60
    filed = file_report()
    for _ in range(5):
        last = client.post(
            "/en/follow-up/", {"reference": filed.case.reference, "passphrase": WRONG}
        )
    assert "locked until 12:10" in last.content.decode()
    frozen.shift(dt.timedelta(minutes=11))
    opened = client.post(
        "/en/follow-up/", {"reference": filed.case.reference, "passphrase": filed.passphrase}
    )
    assert opened.status_code == 302
    frozen.shift(dt.timedelta(minutes=6))
    signed_out = client.get("/en/follow-up/case/", follow=True).content.decode()
    assert "signed out after 5 minutes without activity" in signed_out
    assert "15 minutes" not in signed_out


# --- item 3: counting before hashing, exact under concurrency, sliding ----------


@pytest.mark.django_db
def test_receipt_practice_check__costs_no_hashing_however_often_it_is_repeated(
    client, reference_data, monkeypatch
):
    """The practice run compares with the receipt's sealed code, never the
    stored Argon2id hash: repeating it is no free hashing for an attacker."""
    from argon2 import PasswordHasher

    from tests.reporting.test_journey import file_through_the_form, png_bytes

    receipt = file_through_the_form(client, "en", evidence=png_bytes())
    code = receipt.context["passphrase"]
    calls = []
    monkeypatch.setattr(PasswordHasher, "verify", lambda *a, **k: calls.append(1))
    for _ in range(30):
        wrong = client.post("/en/report/receipt/check/", {"passphrase_typed": "1234"})
        assert wrong.status_code == 400
    right = client.post("/en/report/receipt/check/", {"passphrase_typed": code})
    assert right.status_code == 200
    assert calls == []


@pytest.mark.django_db
def test_followup_login__window_slides_so_no_count_carries_over_a_boundary(
    file_report, hash_calls, frozen
):
    filed = file_report()
    # One guess opens a 15-minute stretch, three come at its very end, four
    # just after it: a fixed window reset there and evaluated all eight.
    _login(filed.case.reference, WRONG, client=_spread(0))
    frozen.shift(dt.timedelta(minutes=14, seconds=50))
    for index in range(3):
        _login(filed.case.reference, WRONG, client=_spread(1 + index))
    frozen.shift(dt.timedelta(seconds=11))
    outcomes = [
        _login(filed.case.reference, WRONG, client=_spread(10 + index)).outcome
        for index in range(4)
    ]
    assert outcomes == [FollowUpOutcome.INVALID] * 2 + [FollowUpOutcome.LOCKED] * 2
    assert len(hash_calls) == 6


def _race(count: int, attempt) -> list[str]:
    barrier = threading.Barrier(count)
    outcomes: list[str | None] = [None] * count

    def run(index):
        try:
            barrier.wait()
            outcomes[index] = attempt(index)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_followup_login__24_concurrent_guesses_evaluate_exactly_the_limits(
    file_report, hash_calls, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency need PostgreSQL")
    settings.SANAD_CODE_CHECKS_PER_SECOND = 1000
    settings.SANAD_CODE_CHECKS_PER_SECOND_SUSPECT = 1000
    filed = file_report()
    # One reference, 24 clients at once: exactly 5 guesses are evaluated.
    outcomes = _race(24, lambda i: _login(filed.case.reference, WRONG, client=_spread(i)).outcome)
    assert outcomes.count(FollowUpOutcome.INVALID) == 5, outcomes
    assert outcomes.count(FollowUpOutcome.LOCKED) == 19
    assert len(hash_calls) == 5
    # One client, 24 references at once: exactly 20 guesses are evaluated.
    hash_calls.clear()
    outcomes = _race(24, lambda i: _login(f"SND-EEEE-{i:04d}", WRONG, client="192.0.2.200").outcome)
    assert outcomes.count(FollowUpOutcome.INVALID) == 20, outcomes
    assert outcomes.count(FollowUpOutcome.CLIENT_LOCKED) == 4
    assert len(hash_calls) == 20


# --- item 4: the site-wide budget, with headroom for clean clients -------------


@pytest.mark.django_db
def test_followup_login__site_budget_answers_429_before_hashing(
    client, settings, reference_data, hash_calls, frozen
):
    settings.SANAD_CODE_CHECKS_PER_SECOND = 3
    outcomes = [_login(f"SND-FFFF-{i:04d}", WRONG, client=_spread(i)).outcome for i in range(3)]
    assert outcomes == [FollowUpOutcome.INVALID] * 3
    response = client.post(
        "/en/follow-up/",
        {"reference": "SND-FFFF-0009", "passphrase": WRONG},
        REMOTE_ADDR="198.51.100.77",
    )
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many people are trying to open their case right now" in html
    assert 'href="tel:131"' in html
    assert len(hash_calls) == 3
    frozen.shift(dt.timedelta(seconds=1.5))
    assert _login("SND-FFFF-0009", WRONG, client="198.51.100.77").outcome == "invalid"


@pytest.mark.django_db
def test_followup_login__flood_from_failing_clients_leaves_headroom_for_a_clean_one(
    settings, file_report, frozen
):
    settings.SANAD_CODE_CHECKS_PER_SECOND = 6
    settings.SANAD_CODE_CHECKS_PER_SECOND_SUSPECT = 3
    filed = file_report()
    flooders = [_spread(i) for i in range(10)]
    for number, address in enumerate(flooders):  # each has failed enough to be a suspect
        for index in range(3):
            _login(f"SND-GGGG-{number}{index:03d}", WRONG, client=address)
            frozen.shift(dt.timedelta(seconds=1))
    frozen.shift(dt.timedelta(seconds=5))
    flood = [_login("SND-HHHH-0000", WRONG, client=address).outcome for address in flooders]
    assert flood.count(FollowUpOutcome.INVALID) == 3
    assert flood.count(FollowUpOutcome.BUSY) == 7
    victim = _login(filed.case.reference, filed.passphrase, client="198.51.100.99")
    assert victim.outcome == FollowUpOutcome.OK


# --- hashing: old hashes rehashed, nothing identifying stored ------------------


@pytest.mark.django_db
def test_followup_login__old_parameter_hash_is_rehashed_on_login(file_report, settings):
    filed = file_report()
    digits = filed.passphrase.replace(" ", "")
    legacy = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=2).hash(digits)
    ReporterCredential.objects.filter(case=filed.case).update(passphrase_hash=legacy)
    assert _login(filed.case.reference, filed.passphrase).outcome == FollowUpOutcome.OK
    stored = ReporterCredential.objects.get(case=filed.case).passphrase_hash
    params = settings.SANAD_PASSPHRASE_ARGON2
    assert stored.startswith("$sanad-hmac$")
    assert f"m={params['memory_cost']},t={params['time_cost']},p={params['parallelism']}" in stored
    assert _login(filed.case.reference, filed.passphrase).outcome == FollowUpOutcome.OK
    assert AuditEvent.objects.filter(action=AuditEvent.Action.FOLLOWUP_LOGIN).count() == 2


@pytest.mark.django_db
def test_followup_login__attempt_logs_hold_no_reference_code_or_address(file_report, frozen):
    filed = file_report()
    for index in range(6):
        _login(filed.case.reference, WRONG, client=f"203.0.113.{index}")
    _login(filed.case.reference, filed.passphrase, client="2001:db8::77")
    dump = repr(list(AttemptLog.objects.values())) + repr(list(FollowUpLockout.objects.values()))
    digits = filed.passphrase.replace(" ", "")
    for secret in (filed.case.reference, digits, "203.0.113", "2001:db8", "SND-"):
        assert secret not in dump
    assert not re.search(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}", dump)


@pytest.mark.django_db
def test_followup_login__unknown_reference_costs_as_much_as_a_stored_old_hash(
    settings, file_report
):
    import statistics
    import time

    settings.SANAD_CODE_CHECKS_PER_SECOND = settings.SANAD_CODE_CHECKS_PER_SECOND_SUSPECT = 10**6
    filed = file_report()
    _make_legacy(filed.case, filed.passphrase.replace(" ", ""))

    def timed(reference, index):
        started = time.perf_counter()
        outcome = _login(reference, WRONG, client=_spread(index)).outcome
        return outcome, time.perf_counter() - started

    _login("SND-ZZZZ-ZZZZ", WRONG, client="10.200.0.1")  # warm both dummies
    existing, missing = [], []
    for index in range(5):
        outcome_a, elapsed_a = timed(filed.case.reference, 2 * index)
        outcome_b, elapsed_b = timed(f"SND-QQQQ-{index:04d}", 2 * index + 1)
        assert outcome_a == outcome_b == FollowUpOutcome.INVALID
        existing.append(elapsed_a)
        missing.append(elapsed_b)
    # The old hash costs ~24 times today's: without a dummy of the same kind the
    # missing reference answered many times faster.
    ratio = statistics.median(existing) / statistics.median(missing)
    assert 0.4 < ratio < 2.5, ratio


@pytest.mark.django_db
def test_followup_login__dummy_follows_the_share_of_old_hashes_per_reference(file_report):
    from casework import identifiers

    old, new = file_report(), file_report()
    _make_legacy(old.case, old.passphrase.replace(" ", ""), memory_cost=2048, time_cost=2)
    picks = [
        "m=2048,t=2" in identifiers.dummy_hash_for(f"SND-RRRR-{index:04d}") for index in range(400)
    ]
    assert 120 < sum(picks) < 280  # about half, as in the database
    again = [
        "m=2048,t=2" in identifiers.dummy_hash_for(f"SND-RRRR-{index:04d}") for index in range(400)
    ]
    assert again == picks  # the same reference always costs the same
    assert new.case.credential.passphrase_hash.startswith("$sanad-hmac$")


@pytest.mark.django_db
def test_followup_login__old_dearer_hashes_spend_more_of_the_site_budget(
    settings, file_report, hash_calls, frozen
):
    settings.SANAD_CODE_CHECKS_PER_SECOND = 20
    filed = file_report()
    # 8 times today's cost (tests run Argon2 at m=1024, t=1).
    _make_legacy(filed.case, filed.passphrase.replace(" ", ""), memory_cost=4096, time_cost=2)
    outcomes = [
        _login(f"SND-SSSS-{index:04d}", WRONG, client=_spread(index)).outcome for index in range(4)
    ]
    assert outcomes == [FollowUpOutcome.INVALID] * 3 + [FollowUpOutcome.BUSY]
    assert len(hash_calls) == 3
