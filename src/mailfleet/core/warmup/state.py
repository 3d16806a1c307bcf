"""Where a domain stands in its warmup."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date


@dataclass(frozen=True, slots=True)
class WarmupState:
    """A domain's ramp position. ``ramp_day`` is the schedule day it sends at next.

    ``start_day`` is the first day it may send; ``paused_until`` the first day a pause may end;
    ``evidence_since`` the day after which metrics count (set when a pause ends).
    """

    domain: str
    start_day: date
    ramp_day: int = 0
    paused_until: date | None = None
    evidence_since: date | None = None

    @property
    def paused(self) -> bool:
        """True while the domain sends nothing after a breach."""
        return self.paused_until is not None

    def started(self, day: date) -> bool:
        """True once ``day`` is on or after the domain's first sending day."""
        return day >= self.start_day

    def with_(self, **changes: object) -> WarmupState:
        """A copy with ``changes`` applied."""
        return replace(self, **changes)  # type: ignore[arg-type]
