"""Backoff arithmetic."""

from __future__ import annotations

from mailfleet.adapters.clock import FakeClock
from mailfleet.core.mailboxes.backoff import RetryPolicy, backoff_delay
from mailfleet.core.mailboxes.errors import RateLimited
from mailfleet.services.mailboxes import Retrier


def test_backoff_doubles_up_to_the_cap() -> None:
    """Without jitter the waits double each try and stop at the cap."""
    policy = RetryPolicy(base=1.0, cap=5.0, jitter=0.0)
    assert [backoff_delay(n, policy, None, 0.9) for n in range(1, 6)] == [1, 2, 4, 5, 5]


def test_jitter_shortens_by_at_most_its_fraction() -> None:
    """With 50 % jitter a wait lands between half and all of its exponential value."""
    policy = RetryPolicy(base=2.0, jitter=0.5)
    assert backoff_delay(1, policy, None, 0.0) == 2.0
    assert backoff_delay(1, policy, None, 0.999) > 1.0


def test_retry_after_is_a_floor() -> None:
    """A provider's Retry-After of 7 s wins over a 0.5 s backoff; a shorter hint does not."""
    policy = RetryPolicy(base=0.5, jitter=0.0)
    assert backoff_delay(1, policy, 7.0, 0.0) == 7.0
    assert backoff_delay(4, policy, 0.1, 0.0) == 4.0


def test_workers_told_the_same_retry_after_come_back_spread_out() -> None:
    """With jitter, waits after the same Retry-After spread over [hint, hint + base*jitter)."""
    policy = RetryPolicy(base=0.5, jitter=0.5)
    waits = [backoff_delay(1, policy, 1.0, r / 10) for r in range(10)]
    assert min(waits) == 1.0
    assert max(waits) < 1.25
    assert len(set(waits)) == 10


def test_pacing_halves_on_429_and_widens_on_success() -> None:
    """A paced retrier halves its window on a 429 and creeps back up with each success."""
    retrier = Retrier(FakeClock(), RetryPolicy(attempts=3, base=0.1, jitter=0.0))
    retrier.pace(16)
    failures = [RateLimited("429", retry_after=1.0)]

    def flaky() -> str:
        if failures:
            raise failures.pop()
        return "ok"

    assert retrier.call(flaky) == ("ok", 2)
    assert 8.0 < retrier.window < 8.2  # halved from 16, then one success: 8 + 1/8
    for _ in range(50):
        retrier.call(lambda: "ok")
    assert retrier.window > 12
    assert retrier.window <= 16
