"""Checking the fleet's targets with the in-memory resolver."""

from __future__ import annotations

import asyncio

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.reputation.memory_resolver import InMemoryDnsblResolver
from mailfleet.core.fleet import Fleet
from mailfleet.core.reputation.targets import fleet_targets, plan_queries
from mailfleet.core.reputation.verdict import Verdict
from mailfleet.core.reputation.zones import TargetKind
from mailfleet.policy.dnsbl import load_zones
from mailfleet.services.reputation import check_fleet

ZONES = load_zones()


def test_targets_are_every_domain_and_distinct_ip(acme_fleet: Fleet) -> None:
    """Each domain once, each sending IP once with the domains that send from it."""
    targets = {t.value: t for t in fleet_targets(acme_fleet)}
    assert {t.value for t in targets.values() if t.kind == TargetKind.DOMAIN} == {
        d.name for d in acme_fleet.domains
    }
    assert targets["2001:db8::20"].kind == TargetKind.IP6
    assert targets["198.51.100.20"].domains == ("acme-outreach.example",)


def test_each_target_goes_only_to_zones_of_its_kind(acme_fleet: Fleet) -> None:
    """IPv6 goes to IPv6-capable lists only, domains to domain lists only."""
    queries = plan_queries(fleet_targets(acme_fleet), ZONES)
    for query in queries:
        assert query.zone.covers(query.target.kind)
    ipv6_zones = {q.zone.key for q in queries if q.target.kind == TargetKind.IP6}
    assert ipv6_zones == {z.key for z in ZONES if z.covers(TargetKind.IP6)}
    ip4_count = sum(1 for z in ZONES if z.covers(TargetKind.IP4))
    assert sum(1 for q in queries if q.target.value == "192.0.2.10") == ip4_count


def test_listing_is_attributed_to_every_domain_on_the_ip(acme_fleet: Fleet) -> None:
    """A listed IP is reported against the domains sending from it, and nothing else is."""
    resolver = InMemoryDnsblResolver()
    resolver.list("203.0.113.30", "bl.spamcop.net")
    resolver.list("192.0.2.10", "zen.spamhaus.org", "127.255.255.254")
    report = asyncio.run(check_fleet(acme_fleet, ZONES, resolver, FakeClock()))
    assert len(resolver.lookups) == len(report.results)
    assert [(r.target, r.zone_key) for r in report.with_verdict(Verdict.LISTED)] == [
        ("203.0.113.30", "spamcop")
    ]
    assert [(r.target, r.zone_key) for r in report.with_verdict(Verdict.UNKNOWN)] == [
        ("192.0.2.10", "spamhaus-zen")
    ]
    assert set(report.listings_by_domain()) == {"acme-connect.example"}
    assert report.counts()["listed"] == 1
