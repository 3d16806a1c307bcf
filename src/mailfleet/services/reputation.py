"""Reputation use cases: check the fleet against the DNSBLs."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from mailfleet.core.fleet import Fleet
from mailfleet.core.ports import Clock
from mailfleet.core.reputation.ports import DnsblResolver
from mailfleet.core.reputation.targets import (
    BlocklistReport,
    DnsblQuery,
    Target,
    fleet_targets,
    plan_queries,
)
from mailfleet.core.reputation.verdict import CheckResult, interpret
from mailfleet.core.reputation.zones import DnsblZone


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
