"""Follow-up login: throttled per reference and per client, before any hashing,
with the same answer and cost whether the reference exists or not."""

import multiprocessing
import statistics
import time

import pytest
from django.db import connections

from casework.models import AuditEvent, FollowUpLockout
from reporting.services import FollowUpOutcome, followup_authenticate

WRONG = "0000 0000 0000 0000 0000"


def _login(reference, passphrase, client="203.0.113.7"):
    return followup_authenticate(reference=reference, passphrase=passphrase, client_address=client)


@pytest.mark.django_db
def test_followup_authenticate__right_passphrase_opens_the_case(file_report):
    filed = file_report()
    result = _login(filed.case.reference.lower(), filed.passphrase.replace(" ", ""))
    assert result.outcome == FollowUpOutcome.OK
    assert result.case == filed.case


@pytest.mark.django_db
def test_followup_authenticate__locks_reference_after_five_failures_even_for_the_right_passphrase(
    file_report,
):
    filed = file_report()
    for attempt in range(5):
        assert _login(filed.case.reference, WRONG).outcome == FollowUpOutcome.INVALID, attempt
    assert _login(filed.case.reference, filed.passphrase).outcome == FollowUpOutcome.LOCKED
    lockout = FollowUpLockout.objects.get(case=filed.case)
    assert lockout.scope == "reference"
    assert lockout.client_fingerprint == ""
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.FOLLOWUP_LOCKOUT, case=filed.case
    ).exists()


@pytest.mark.django_db
def test_followup_authenticate__lockout_ends_after_fifteen_minutes(file_report):
    import datetime as dt

    import time_machine

    filed = file_report()
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        for _ in range(5):
            _login(filed.case.reference, WRONG)
        clock.shift(dt.timedelta(minutes=14, seconds=59))
        assert _login(filed.case.reference, filed.passphrase).outcome == FollowUpOutcome.LOCKED
        clock.shift(dt.timedelta(seconds=2))
        assert _login(filed.case.reference, filed.passphrase).outcome == FollowUpOutcome.OK


@pytest.mark.django_db
def test_followup_authenticate__one_reference_locked_does_not_lock_another(file_report):
    locked, other = file_report(), file_report()
    for _ in range(5):
        _login(locked.case.reference, WRONG, client="198.51.100.1")
    assert (
        _login(other.case.reference, other.passphrase, client="198.51.100.2").outcome
        == FollowUpOutcome.OK
    )


@pytest.mark.django_db
def test_followup_authenticate__per_client_limit_stops_enumeration(settings, reference_data):
    settings.SANAD_FOLLOWUP_CLIENT_MAX_FAILURES = 6
    for index in range(6):
        outcome = _login(f"SND-AAAA-{index:04d}", WRONG, client="192.0.2.99").outcome
        assert outcome == FollowUpOutcome.INVALID
    assert (
        _login("SND-BBBB-0000", WRONG, client="192.0.2.99").outcome == FollowUpOutcome.CLIENT_LOCKED
    )
    assert FollowUpLockout.objects.filter(scope="client").count() == 1
    # Another client is not affected.
    assert _login("SND-BBBB-0000", WRONG, client="192.0.2.100").outcome == FollowUpOutcome.INVALID


@pytest.mark.django_db
def test_followup_authenticate__locked_or_overlong_input_is_refused_before_hashing(
    file_report, monkeypatch
):
    filed = file_report()
    for _ in range(5):
        _login(filed.case.reference, WRONG)
    calls = []
    import casework.identifiers as identifiers

    real = identifiers.passphrase_check
    monkeypatch.setattr(
        "reporting.services.passphrase_check", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    assert _login(filed.case.reference, filed.passphrase).outcome == FollowUpOutcome.LOCKED
    assert _login(filed.case.reference, "9" * 10_000).outcome == FollowUpOutcome.LOCKED
    other = file_report()
    assert _login(other.case.reference, "1" * 10_000).outcome == FollowUpOutcome.INVALID
    assert calls == []


@pytest.mark.django_db
def test_followup_authenticate__same_answer_and_cost_whether_reference_exists(file_report):
    filed = file_report()

    def timed(reference):
        start = time.perf_counter()
        outcome = _login(
            reference, WRONG, client=f"10.9.{len(reference)}.{time.perf_counter_ns() % 250}"
        ).outcome
        return outcome, time.perf_counter() - start

    _login("SND-ZZZZ-ZZZZ", WRONG, client="10.0.0.1")  # warm the dummy hash
    existing, missing = [], []
    for index in range(4):
        outcome_a, elapsed_a = timed(filed.case.reference)
        outcome_b, elapsed_b = timed(f"SND-QQQQ-{index:04d}")
        assert outcome_a == outcome_b == FollowUpOutcome.INVALID
        existing.append(elapsed_a)
        missing.append(elapsed_b)
    ratio = statistics.median(existing) / statistics.median(missing)
    assert 0.5 < ratio < 2.0, ratio


def _guess_in_fresh_process(reference, passphrase, queue):
    # A forked process is a different "gunicorn worker": its own memory, its
    # own database connection. Only shared state can carry the count.
    for connection in connections.all():
        connection.close()
    from reporting.services import followup_authenticate

    queue.put(
        followup_authenticate(
            reference=reference, passphrase=passphrase, client_address="203.0.113.50"
        ).outcome
    )


@pytest.mark.django_db(transaction=True)
def test_followup_authenticate__lockout_holds_across_worker_processes(file_report):
    filed = file_report()
    context = multiprocessing.get_context("fork")
    outcomes = []
    for passphrase in [WRONG] * 5 + [filed.passphrase]:
        queue = context.Queue()
        for connection in connections.all():
            connection.close()
        process = context.Process(
            target=_guess_in_fresh_process, args=(filed.case.reference, passphrase, queue)
        )
        process.start()
        process.join(60)
        outcomes.append(queue.get(timeout=5))
    assert outcomes == [FollowUpOutcome.INVALID] * 5 + [FollowUpOutcome.LOCKED]


@pytest.mark.django_db
def test_purge_expired__drops_attempt_logs_a_day_after_their_last_use(reference_data):
    import datetime as dt
    import io

    import time_machine
    from django.core.management import call_command

    from casework.models import AttemptLog

    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        _login("SND-PPPP-0000", WRONG, client="192.0.2.1")
        assert AttemptLog.objects.count() >= 3
        clock.shift(dt.timedelta(hours=23))
        call_command("purge_expired", stdout=io.StringIO())
        assert AttemptLog.objects.count() >= 3  # still inside the day of lock history
        clock.shift(dt.timedelta(hours=2))
        call_command("purge_expired", stdout=io.StringIO())
        assert AttemptLog.objects.count() == 0
