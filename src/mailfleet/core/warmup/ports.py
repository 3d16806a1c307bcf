"""Ports of the warmup capability: the limiter, metrics, blocklist status and stored state."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Protocol

from mailfleet.core.warmup.decision import Decision
from mailfleet.core.warmup.evidence import DayMetrics
from mailfleet.core.warmup.limits import CapCheck, Grant
from mailfleet.core.warmup.state import WarmupState


class Limiter(Protocol):
    """Counters behind caps, shared by every worker that sends.

    ``acquire`` is atomic: either every cap in ``checks`` has room for ``count`` more and all
    are incremented, or none is touched. Windows are indexed from the limiter's own time base.
    """

    def acquire(self, checks: Sequence[CapCheck], count: int = 1) -> Grant:
        """Take ``count`` sends from every cap at once, or from none."""
        ...

    def used(self, check: CapCheck) -> int:
        """How many sends the cap has granted in its current window."""
        ...


class MetricsSource(Protocol):
    """Measured sending results per domain and day (fed by the feedback capability)."""

    def daily(self, domain: str, start: date, end: date) -> Sequence[DayMetrics]:
        """Every day from ``start`` to ``end`` inclusive that has data, oldest first."""
        ...


class BlocklistSource(Protocol):
    """Current blocklist listings of a domain or its sending IPs."""

    def listings(self, domain: str) -> Iterable[str]:
        """Zones listing the domain or one of its IPs now (empty when clean)."""
        ...


class WarmupStore(Protocol):
    """Warmup state per domain and the log of decisions."""

    def states(self) -> dict[str, WarmupState]:
        """Every domain's stored state, by domain name."""
        ...

    def record(self, state: WarmupState, decision: Decision | None) -> None:
        """Save a domain's state, and its decision when there is one, together."""
        ...

    def record_many(self, entries: Sequence[tuple[WarmupState, Decision | None]]) -> None:
        """``record`` for many subjects at once, all or nothing (the daily run's write)."""
        ...

    def decisions(self, domain: str, limit: int = 30) -> Sequence[Decision]:
        """The domain's latest decisions, newest first."""
        ...

    def current_caps(self) -> dict[str, int]:
        """Each decided domain's cap from its latest decision, in one read (for overviews)."""
        ...


class MetricsRecorder(Protocol):
    """Where measured daily results are written (the simulator's world, the feedback intake)."""

    def add(self, domain: str, metrics: DayMetrics) -> None:
        """Add ``metrics`` to the domain's totals for ``metrics.day``."""
        ...
