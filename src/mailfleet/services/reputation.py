"""Reputation use cases: check the fleet against the DNSBLs, and the monitoring cycle."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from mailfleet.core.fleet import Fleet
from mailfleet.core.ports import Clock
from mailfleet.core.reputation.facts import build_facts
from mailfleet.core.reputation.isolation import IsolationDecision
from mailfleet.core.reputation.ports import (
    AlertStore,
    BlocklistHistory,
    DnsblResolver,
    DomainMetrics,
    DomainStateStore,
    Notifier,
    QueueRotation,
)
from mailfleet.core.reputation.rules import AlertRule, SubjectFacts
from mailfleet.core.reputation.targets import (
    BlocklistReport,
    DnsblQuery,
    Target,
    fleet_targets,
    plan_queries,
)
from mailfleet.core.reputation.verdict import CheckResult, interpret
from mailfleet.core.reputation.zones import DnsblZone
from mailfleet.services.alerts import AlertRun, run_alerts
from mailfleet.services.isolation import isolate_troubled, troubles


async def _check_one(resolver: DnsblResolver, query: DnsblQuery) -> CheckResult:
    answer = await resolver.lookup(query.name)
    return interpret(query.zone, query.target.value, query.target.kind, answer)


async def check_targets(
    targets: Iterable[Target], zones: Iterable[DnsblZone], resolver: DnsblResolver, clock: Clock
) -> BlocklistReport:
    """Check every target in every zone that covers it, concurrently (the resolver bounds it)."""
    target_list = tuple(targets)
    queries = plan_queries(target_list, zones)
    started = clock.now()
    results = await asyncio.gather(*(_check_one(resolver, q) for q in queries))
    return BlocklistReport(checked_at=started, results=tuple(results), targets=target_list)


async def check_fleet(
    fleet: Fleet, zones: Iterable[DnsblZone], resolver: DnsblResolver, clock: Clock
) -> BlocklistReport:
    """Check every sending IP and domain of the fleet against every applicable zone."""
    return await check_targets(fleet_targets(fleet), zones, resolver, clock)


@dataclass(frozen=True, slots=True)
class MonitoringRun:
    """One monitoring cycle: the DNSBL report, the alerts, and the isolation decisions."""

    report: BlocklistReport | None
    alerts: AlertRun
    isolations: tuple[IsolationDecision, ...]

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "blocklists": self.report.as_dict() if self.report else None,
            **self.alerts.as_dict(),
            "isolations": [d.as_dict() for d in self.isolations],
        }


@dataclass(frozen=True, slots=True)
class MonitoringPorts:
    """Everything a monitoring cycle talks to."""

    resolver: DnsblResolver
    metrics: DomainMetrics
    history: BlocklistHistory
    alerts: AlertStore
    domains: DomainStateStore
    notifiers: Sequence[Notifier]
    clock: Clock
    queue: QueueRotation | None = None  # where an isolated domain's waiting mail is moved


async def run_blocklist_check(
    fleet: Fleet, zones: Iterable[DnsblZone], ports: MonitoringPorts
) -> BlocklistReport:
    """Check the fleet now and keep the run in the history (``mailfleet blocklist check``)."""
    report = await check_fleet(fleet, zones, ports.resolver, ports.clock)
    ports.history.save_report(report)
    return report


async def run_monitoring(
    fleet: Fleet,
    zones: Iterable[DnsblZone],
    rules: Sequence[AlertRule],
    ports: MonitoringPorts,
    *,
    check_blocklists: bool = True,
    window: timedelta = timedelta(days=1),
    extra_facts: Iterable[SubjectFacts] = (),
) -> MonitoringRun:
    """The scheduled job: check the DNSBLs, read the rates, alert, and isolate pool domains.

    The scheduler calls it daily with ``check_blocklists``; metric updates call it without,
    and then the latest stored DNSBL results count as evidence.
    """
    now = ports.clock.now()
    report = await run_blocklist_check(fleet, zones, ports) if check_blocklists else None
    facts = build_facts(
        fleet,
        now,
        rates=ports.metrics.rates(now - window, now),
        report=report,
        extra=extra_facts,
    )
    alert_run = await run_alerts(rules, facts, ports.alerts, ports.notifiers)
    found = troubles(report, rules, ports.alerts.alert_states(), ports.clock)
    decisions = isolate_troubled(fleet, found, ports.domains, ports.clock, ports.queue)
    return MonitoringRun(report, alert_run, decisions)


def latest_blocklist_results(
    history: BlocklistHistory,
) -> tuple[datetime, tuple[CheckResult, ...]] | None:
    """The newest stored check run: when, and its results (None before the first check)."""
    return history.latest_results()
