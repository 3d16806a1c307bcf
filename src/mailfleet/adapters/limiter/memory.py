"""The in-process limiter: exact caps for the threads of one process (embedded default)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from mailfleet.core.ports import Clock
from mailfleet.core.warmup.limits import CapCheck, Grant


class InProcessLimiter:
    """Implements ``Limiter`` with a dict of ``key -> (window index, count)`` under one lock.

    Windows are indexed from the injected clock, so a fake clock drives resets in tests and
    the simulator exactly as real time does in production.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._counters: dict[str, tuple[int, int]] = {}

    def acquire(self, checks: Sequence[CapCheck], count: int = 1) -> Grant:
        """Take ``count`` from every cap, or from none when any lacks room."""
        epoch = self._clock.now().timestamp()
        with self._lock:
            current: list[tuple[str, int, int]] = []
            for check in checks:
                index = check.window.index(epoch)
                stored_index, used = self._counters.get(check.key, (index, 0))
                used = used if stored_index == index else 0
                if used + count > check.limit:
                    return Grant(False, count, check.key, used)
                current.append((check.key, index, used))
            for key, index, used in current:
                self._counters[key] = (index, used + count)
        return Grant(True, count)

    def used(self, check: CapCheck) -> int:
        """The cap's count in its current window (0 once the window has rolled over)."""
        index = check.window.index(self._clock.now().timestamp())
        with self._lock:
            stored_index, used = self._counters.get(check.key, (index, 0))
        return used if stored_index == index else 0
