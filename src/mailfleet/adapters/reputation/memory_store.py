"""In-memory twins of the reputation stores and of the metrics port."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from mailfleet.core.reputation.engine import AlertKey, AlertState, Evaluation
from mailfleet.core.reputation.facts import DomainRates
from mailfleet.core.reputation.history import AlertRecord, IsolationRecord
from mailfleet.core.reputation.messages import Delivery
from mailfleet.core.reputation.targets import BlocklistReport
from mailfleet.core.reputation.verdict import CheckResult


class InMemoryReputationStore:
    """Implements ``BlocklistHistory``, ``AlertStore`` and ``DomainStateStore`` in dicts."""

    def __init__(self, domain_states: Mapping[str, str] | None = None) -> None:
        self.reports: list[BlocklistReport] = []
        self.states: dict[AlertKey, AlertState] = {}
        self.records: list[AlertRecord] = []
        self.domains: dict[str, str] = dict(domain_states or {})
        self.log: list[IsolationRecord] = []

    def save_report(self, report: BlocklistReport) -> int:
        """Keep the run."""
        self.reports.append(report)
        return len(self.reports)

    def latest_results(self) -> tuple[datetime, tuple[CheckResult, ...]] | None:
        """The newest run."""
        if not self.reports:
            return None
        return self.reports[-1].checked_at, self.reports[-1].results

    def alert_states(self) -> Mapping[AlertKey, AlertState]:
        """Every state."""
        return dict(self.states)

    def save_alerts(
        self, evaluation: Evaluation, deliveries: Mapping[int, Sequence[Delivery]]
    ) -> None:
        """Keep states and events."""
        self.states.update({s.key: s for s in evaluation.states})
        for index, event in enumerate(evaluation.events):
            record = AlertRecord(len(self.records) + 1, event, tuple(deliveries.get(index, ())))
            self.records.append(record)

    def alert_history(self, limit: int = 100) -> tuple[AlertRecord, ...]:
        """Newest first."""
        return tuple(reversed(self.records))[:limit]

    def domain_states(self) -> Mapping[str, str]:
        """Every domain's state."""
        return dict(self.domains)

    def set_domain_state(
        self, domain: str, state: str, *, at: datetime, reason: str, by: str
    ) -> str:
        """Change the state and log it."""
        previous = self.domains[domain]
        self.domains[domain] = state
        self.log.append(IsolationRecord(domain, at, previous, state, reason, by))
        return previous

    def isolation_log(self, domain: str) -> tuple[IsolationRecord, ...]:
        """The domain's changes, oldest first."""
        return tuple(r for r in self.log if r.domain == domain)

    def last_restores(self) -> Mapping[str, datetime]:
        """When each domain was last put back by hand."""
        found: dict[str, datetime] = {}
        for record in self.log:
            if record.by == "cli" and record.previous_state == "isolated":
                found[record.domain] = record.at
        return found


class InMemoryDomainMetrics:
    """Implements ``DomainMetrics`` from counts set by the test or the demo."""

    def __init__(self) -> None:
        self.counts: dict[str, DomainRates] = {}

    def set(self, domain: str, rates: DomainRates) -> None:
        """Make ``domain`` report ``rates``."""
        self.counts[domain] = rates

    def rates(self, since: datetime, until: datetime) -> Mapping[str, DomainRates]:
        """The counts set, whatever the window."""
        return dict(self.counts)
