"""A circuit breaker per relay: stop hammering a relay that is down, then probe it again.

closed --(``threshold`` failures in a row)--> open --(``cooldown`` passed)--> half-open
half-open --(one success)--> closed ; half-open --(a failure)--> open again.

Times are monotonic seconds passed in by the caller, so the breaker itself does no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BreakerState(StrEnum):
    """Where the breaker is."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


@dataclass
class CircuitBreaker:
    """Counts consecutive connection failures; opens after ``threshold`` of them."""

    threshold: int = 5
    cooldown: float = 30.0
    failures: int = 0
    opened_at: float | None = None
    _probing: bool = False

    def state(self, now: float) -> BreakerState:
        """The state at ``now``."""
        if self.opened_at is None:
            return BreakerState.CLOSED
        if now - self.opened_at >= self.cooldown:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self, now: float) -> bool:
        """May a request go? In half-open only one probe at a time goes."""
        current = self.state(now)
        if current is BreakerState.CLOSED:
            return True
        if current is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True
            return True
        return False

    def retry_in(self, now: float) -> float:
        """Seconds until the breaker lets a probe through (0 when closed)."""
        if self.opened_at is None:
            return 0.0
        return max(self.cooldown - (now - self.opened_at), 0.0)

    def success(self) -> None:
        """A request reached the relay: close."""
        self.failures = 0
        self.opened_at = None
        self._probing = False

    def failure(self, now: float) -> None:
        """A request could not reach the relay: count, and open at the threshold."""
        self.failures += 1
        self._probing = False
        if self.failures >= self.threshold or self.opened_at is not None:
            self.opened_at = now
