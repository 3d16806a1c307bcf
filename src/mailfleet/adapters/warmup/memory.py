"""In-memory twins of the warmup ports: store, metrics and blocklist status."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from mailfleet.core.warmup.decision import Decision
from mailfleet.core.warmup.evidence import DayMetrics
from mailfleet.core.warmup.state import WarmupState


class InMemoryWarmupStore:
    """Implements ``WarmupStore`` with a dict and a list."""

    def __init__(self) -> None:
        self._states: dict[str, WarmupState] = {}
        self._decisions: dict[str, list[Decision]] = {}

    def states(self) -> dict[str, WarmupState]:
        """Every state, by domain."""
        return dict(self._states)

    def record(self, state: WarmupState, decision: Decision | None) -> None:
        """Keep the state and append the decision."""
        self._states[state.domain] = state
        if decision is not None:
            self._decisions.setdefault(decision.domain, []).append(decision)

    def record_many(self, entries: Sequence[tuple[WarmupState, Decision | None]]) -> None:
        """Record each entry in turn."""
        for state, decision in entries:
            self.record(state, decision)

    def decisions(self, domain: str, limit: int = 30) -> Sequence[Decision]:
        """The latest decisions, newest first."""
        return list(reversed(self._decisions.get(domain, [])))[:limit]

    def current_caps(self) -> dict[str, int]:
        """The latest decision's cap of every decided domain."""
        return {domain: made[-1].next_cap for domain, made in self._decisions.items() if made}


class InMemoryMetrics:
    """Implements ``MetricsSource`` and ``MetricsRecorder`` for any subject (a domain,
    ``ip:...`` or ``mailbox:...``)."""

    def __init__(self) -> None:
        self._days: dict[str, dict[date, DayMetrics]] = {}

    def add(self, domain: str, metrics: DayMetrics) -> None:
        """Add ``metrics`` to what is recorded for the subject on ``metrics.day``."""
        days = self._days.setdefault(domain, {})
        old = days.get(metrics.day, DayMetrics(metrics.day))
        days[metrics.day] = DayMetrics(
            metrics.day,
            old.sent + metrics.sent,
            old.bounced + metrics.bounced,
            old.complained + metrics.complained,
            old.deferred + metrics.deferred,
        )

    def daily(self, domain: str, start: date, end: date) -> Sequence[DayMetrics]:
        """Recorded days from ``start`` to ``end``, oldest first."""
        days = self._days.get(domain, {})
        return [days[d] for d in sorted(days) if start <= d <= end]


class InMemoryBlocklist:
    """Implements ``BlocklistSource``: ``list``/``delist`` set a domain's listings."""

    def __init__(self) -> None:
        self._listed: dict[str, set[str]] = {}

    def list(self, domain: str, zone: str) -> None:
        """Mark ``domain`` (or one of its IPs) as listed on ``zone``."""
        self._listed.setdefault(domain, set()).add(zone)

    def delist(self, domain: str, zone: str) -> None:
        """Remove a listing."""
        self._listed.get(domain, set()).discard(zone)

    def listings(self, domain: str) -> Iterable[str]:
        """Zones listing the domain now."""
        return sorted(self._listed.get(domain, set()))
