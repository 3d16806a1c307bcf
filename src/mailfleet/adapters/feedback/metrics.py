"""The feedback store read as metrics: warmup's ``MetricsSource`` and reputation's
``DomainMetrics``, both from the per-domain, per-day event counts.

"Sent" is what ``core.feedback.events.rolling_rates`` takes as the denominator: deliveries
plus final bounces (the dispatcher records a delivery per accepted recipient and a bounce per
refusal; a later DSN adds a bounce to a delivery, which errs towards a lower rate by at most
the bounces themselves).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from mailfleet.core.feedback.events import DailyCounts
from mailfleet.core.reputation.facts import DomainRates
from mailfleet.core.warmup.evidence import DayMetrics


class CountsSource(Protocol):
    """Per-day, per-sending-domain counts: the feedback store, or the dashboard's rollup of it
    (``web_feedback_daily``, the same figures without scanning the events)."""

    def daily_counts(self, since: datetime, until: datetime) -> list[DailyCounts]:
        """Counts of the events in ``[since, until)``."""
        ...


def _sent(counts: DailyCounts) -> int:
    return counts.deliveries + counts.bounces


class FeedbackMetricsSource:
    """Warmup's ``MetricsSource``: one ``DayMetrics`` per UTC day with feedback for a domain.

    Members (``ip:...``, ``mailbox:...`` subjects) have no per-day counts of their own in
    the store yet, so they see no evidence and keep their share.
    """

    def __init__(self, store: CountsSource) -> None:
        self._store = store

    def daily(self, domain: str, start: date, end: date) -> Sequence[DayMetrics]:
        """Every day from ``start`` to ``end`` (inclusive) with events, oldest first."""
        if ":" in domain:
            return []  # a member subject: nothing to count yet, so no query either
        since = datetime.combine(start, time(), UTC)
        until = datetime.combine(end + timedelta(days=1), time(), UTC)
        name = domain.lower()
        # The rollup reads one domain's rows alone; the store reads them all.
        reader = getattr(self._store, "domain_daily_counts", None)
        rows = reader([name], since, until) if reader else self._store.daily_counts(since, until)
        return [
            DayMetrics(c.day, _sent(c), c.bounces, c.complaints, c.deferrals)
            for c in rows
            if c.domain == name
        ]


class FeedbackDomainMetrics:
    """Reputation's ``DomainMetrics``: counts per domain over a window, for the rate rules."""

    def __init__(self, store: CountsSource) -> None:
        self._store = store

    def rates(self, since: datetime, until: datetime) -> Mapping[str, DomainRates]:
        """Sent, bounced, complained and deferred per sending domain in ``[since, until)``."""
        totals: dict[str, DomainRates] = {}
        for c in self._store.daily_counts(since, until):
            if not c.domain:
                continue
            before = totals.get(c.domain, DomainRates(0))
            totals[c.domain] = DomainRates(
                before.sent + _sent(c),
                before.bounced + c.bounces,
                before.complained + c.complaints,
                before.deferred + c.deferrals,
            )
        return totals
