"""Clocks: the system clock, and a controllable one for tests and the simulator."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``."""
        if seconds > 0:
            time.sleep(seconds)


class FakeClock:
    """A clock that moves only when told to; ``sleep`` advances it instantly."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """The fake current time."""
        return self._now

    def sleep(self, seconds: float) -> None:
        """Advance by ``seconds`` without waiting."""
        self.advance(timedelta(seconds=max(seconds, 0)))

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` (never backward) and return the new time."""
        if delta < timedelta(0):
            raise ValueError("a clock never goes back")
        self._now += delta
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to ``when``, which must not be earlier than now."""
        self.advance(when.astimezone(UTC) - self._now)
