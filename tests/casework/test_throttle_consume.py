"""throttle_consume as one upsert: the limit, the window, and nothing taken when spent."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from casework.models import ThrottleCounter
from casework.throttle import throttle_consume, throttle_key

START = dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC)
KEY = throttle_key("filing-client", "198.51.100.7")


@pytest.mark.django_db
def test_throttle_consume__takes_up_to_the_limit_then_refuses_until_the_window_ends():
    with time_machine.travel(START, tick=False):
        taken = [throttle_consume(key=KEY, limit=3, window_seconds=3600) for _ in range(5)]
        assert taken == [True, True, True, False, False]
        # Refusals take nothing.
        assert ThrottleCounter.objects.get(key=KEY).count == 3
    with time_machine.travel(START + dt.timedelta(minutes=59), tick=False):
        assert throttle_consume(key=KEY, limit=3, window_seconds=3600) is False
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        assert throttle_consume(key=KEY, limit=3, window_seconds=3600) is True
        row = ThrottleCounter.objects.get(key=KEY)
        assert row.count == 1 and row.window_started_at == START + dt.timedelta(hours=1)


@pytest.mark.django_db
def test_throttle_consume__keys_are_counted_apart_and_a_zero_limit_takes_nothing():
    other = throttle_key("filing-site", "all")
    with time_machine.travel(START, tick=False):
        assert throttle_consume(key=KEY, limit=1, window_seconds=60) is True
        assert throttle_consume(key=KEY, limit=1, window_seconds=60) is False
        assert throttle_consume(key=other, limit=1, window_seconds=60) is True
        assert throttle_consume(key=throttle_key("x", "y"), limit=0, window_seconds=60) is False
