"""In-memory twins of the dashboard's sources.

``MemoryDashboardSources`` answers from dicts that tests (or a capability not yet stored in
the database) fill in; empty, it is what the web app uses until each capability is wired,
so every page shows "not measured yet" rather than a made-up number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mailfleet.core.dashboard.ports import ActionOutcome, DomainAction
from mailfleet.core.dashboard.values import (
    AlertItem,
    BlocklistResult,
    BlocklistStatus,
    DeliveryRates,
    DnsAuthStatus,
    DomainExtras,
    SuppressionItem,
    WarmupFigures,
)


@dataclass
class MemoryDashboardSources:
    """Implements every read port of ``mailfleet.core.dashboard.ports`` over plain dicts."""

    warmup_figures: dict[str, WarmupFigures] = field(default_factory=dict)
    rate_figures: dict[str, DeliveryRates] = field(default_factory=dict)
    auth_figures: dict[str, DnsAuthStatus] = field(default_factory=dict)
    blocklist_figures: dict[str, BlocklistStatus] = field(default_factory=dict)
    blocklist_results: list[BlocklistResult] = field(default_factory=list)
    domain_extras: dict[str, DomainExtras] = field(default_factory=dict)
    alert_items: list[AlertItem] = field(default_factory=list)
    suppressed: list[SuppressionItem] = field(default_factory=list)

    def warmup(self, domains: Sequence[str]) -> Mapping[str, WarmupFigures]:
        """Known warmup figures."""
        return {d: self.warmup_figures[d] for d in domains if d in self.warmup_figures}

    def rates(self, domains: Sequence[str]) -> Mapping[str, DeliveryRates]:
        """Known rates."""
        return {d: self.rate_figures[d] for d in domains if d in self.rate_figures}

    def dns_auth(self, domains: Sequence[str]) -> Mapping[str, DnsAuthStatus]:
        """Known DNS checks."""
        return {d: self.auth_figures[d] for d in domains if d in self.auth_figures}

    def blocklist(self, domains: Sequence[str]) -> Mapping[str, BlocklistStatus]:
        """Known blocklist states."""
        return {d: self.blocklist_figures[d] for d in domains if d in self.blocklist_figures}

    def results(self, limit: int) -> Sequence[BlocklistResult]:
        """Latest lookups."""
        return sorted(self.blocklist_results, key=lambda r: r.checked_at, reverse=True)[:limit]

    def extras(self, domain: str, days: int) -> DomainExtras:
        """The domain's extras, history cut to ``days``."""
        found = self.domain_extras.get(domain, DomainExtras())
        return DomainExtras(
            found.history[-days:],
            found.decisions,
            found.dns_records,
            found.events,
            found.dkim_selectors,
        )

    def alerts(self, *, open_only: bool, limit: int) -> Sequence[AlertItem]:
        """Alerts, newest first."""
        chosen = [a for a in self.alert_items if a.is_open or not open_only]
        return sorted(chosen, key=lambda a: a.at, reverse=True)[:limit]

    def search(self, text: str, limit: int) -> Sequence[SuppressionItem]:
        """Suppressed addresses containing ``text``."""
        needle = text.lower()
        chosen = [i for i in self.suppressed if needle in i.address.lower()]
        return sorted(chosen, key=lambda i: i.at, reverse=True)[:limit]


@dataclass
class UnwiredDomainActions:
    """Implements ``DomainActions`` with nothing wired, or with recorded calls in tests."""

    available: frozenset[DomainAction] = frozenset()
    calls: list[tuple[DomainAction, str, str]] = field(default_factory=list)

    def wired(self) -> frozenset[DomainAction]:
        """The actions that may run."""
        return self.available

    def run(self, action: DomainAction, domain: str, by: str) -> ActionOutcome:
        """Record the call; ``NOT_WIRED`` for an action without an implementation."""
        if action not in self.available:
            return ActionOutcome.NOT_WIRED
        self.calls.append((action, domain, by))
        return ActionOutcome.QUEUED
