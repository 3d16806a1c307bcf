"""The circuit breaker's state machine."""

from __future__ import annotations

from mailfleet.core.sending.breaker import BreakerState, CircuitBreaker


def test_opens_after_threshold_then_probes_once() -> None:
    """Three failures open it; after the cooldown exactly one probe goes; success closes it."""
    breaker = CircuitBreaker(threshold=3, cooldown=10)
    for t in range(3):
        assert breaker.allow(t)
        breaker.failure(t)
    assert breaker.state(2.5) is BreakerState.OPEN
    assert not breaker.allow(5)
    assert breaker.retry_in(5) == 7
    assert breaker.allow(12)
    assert not breaker.allow(12.1)
    breaker.success()
    assert breaker.state(12.2) is BreakerState.CLOSED


def test_failed_probe_reopens() -> None:
    """A failure in half-open opens the breaker for a whole new cooldown."""
    breaker = CircuitBreaker(threshold=1, cooldown=10)
    breaker.failure(0)
    assert breaker.allow(10)
    breaker.failure(10)
    assert breaker.state(15) is BreakerState.OPEN
    assert breaker.state(20) is BreakerState.HALF_OPEN
