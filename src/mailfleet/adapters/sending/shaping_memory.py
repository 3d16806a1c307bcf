"""The in-process ``ShapingStore``: backoffs shared by the dispatchers of one process."""

from __future__ import annotations

import threading
from datetime import datetime

from mailfleet.core.sending.shaping import Backoff, ShapingState


class InMemoryShapingStore:
    """Implements ``ShapingStore`` in memory, behind a lock (settles run in threads)."""

    def __init__(self) -> None:
        self._state = ShapingState()
        self._lock = threading.Lock()

    def current(self, now: datetime) -> dict[tuple[str, str], Backoff]:
        """Every backoff still in force."""
        with self._lock:
            return self._state.current(now)

    def put(self, provider: str, scope: str, backoff: Backoff, now: datetime) -> Backoff:
        """Keep the longer of ``backoff`` and the one in force."""
        with self._lock:
            return self._state.put(provider, scope, backoff, now)
