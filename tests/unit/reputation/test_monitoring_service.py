"""The monitoring cycle with in-memory ports: alerts, notices and isolation together."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.notify.log import InMemoryNotifier
from mailfleet.adapters.reputation.memory_resolver import InMemoryDnsblResolver
from mailfleet.adapters.reputation.memory_store import (
    InMemoryDomainMetrics,
    InMemoryReputationStore,
)
from mailfleet.core.fleet import Fleet
from mailfleet.core.reputation.engine import EventKind
from mailfleet.core.reputation.facts import DomainRates
from mailfleet.core.reputation.isolation import IsolationAction
from mailfleet.core.state import DomainState
from mailfleet.policy.alerts import load_rules
from mailfleet.policy.dnsbl import load_zones
from mailfleet.services.isolation import IsolationRefused, isolate_domain, restore_domain
from mailfleet.services.reputation import MonitoringPorts, MonitoringRun, run_monitoring

ZONES = load_zones()
RULES = load_rules()


class World:
    """The fleet's in-memory surroundings."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self.clock = FakeClock()
        self.resolver = InMemoryDnsblResolver()
        self.metrics = InMemoryDomainMetrics()
        self.store = InMemoryReputationStore({d.name: DomainState.WARMING for d in fleet.domains})
        self.notifier = InMemoryNotifier()
        self.ports = MonitoringPorts(
            self.resolver,
            self.metrics,
            self.store,
            self.store,
            self.store,
            [self.notifier],
            self.clock,
        )

    def run(self) -> MonitoringRun:
        return asyncio.run(run_monitoring(self.fleet, ZONES, RULES, self.ports))


def test_listing_of_a_shared_primary_ip_touches_only_the_pool(acme_fleet: Fleet) -> None:
    """A listed primary IP alerts but never isolates primary; a listed pool IP isolates."""
    world = World(acme_fleet)
    world.resolver.list("192.0.2.10", "bl.spamcop.net")  # primary
    world.resolver.list("203.0.113.30", "b.barracudacentral.org")  # pool-b
    run = world.run()
    actions = {d.domain: d.action for d in run.isolations}
    assert actions == {
        "acme.example": IsolationAction.PROTECTED,
        "acme-connect.example": IsolationAction.ISOLATE,
    }
    assert world.store.domains["acme.example"] == DomainState.WARMING
    assert world.store.domains["acme-connect.example"] == DomainState.ISOLATED
    assert sorted(e.subject for e in world.notifier.events) == [
        "192.0.2.10 on bl.spamcop.net",
        "203.0.113.30 on b.barracudacentral.org",
    ]


def test_second_run_sends_nothing_new(acme_fleet: Fleet) -> None:
    """The same trouble on the next run is neither re-sent nor re-isolated."""
    world = World(acme_fleet)
    world.metrics.set("acme-reach.example", DomainRates(sent=5_000, bounced=150))
    world.run()
    world.clock.advance(timedelta(hours=1))
    again = world.run()
    assert again.alerts.sent() == ()
    assert [d.action for d in again.isolations] == [IsolationAction.ALREADY]
    assert len(world.notifier.events) == 1


def test_restore_by_hand_holds_until_new_trouble(acme_fleet: Fleet) -> None:
    """A restored domain stays in rotation while the old alert is active."""
    world = World(acme_fleet)
    world.metrics.set("acme-reach.example", DomainRates(sent=5_000, bounced=150))
    world.run()
    world.clock.advance(timedelta(hours=1))
    assert restore_domain(world.store, "acme-reach.example", world.clock, "checked") == "warming"
    world.clock.advance(timedelta(hours=1))
    run = world.run()
    assert [d.action for d in run.isolations] == [IsolationAction.OVERRIDDEN]
    assert world.store.domains["acme-reach.example"] == DomainState.WARMING


def test_manual_isolate_and_refusals(acme_fleet: Fleet) -> None:
    """Isolate by hand works on any domain; restoring a domain that is not isolated is refused."""
    world = World(acme_fleet)
    assert isolate_domain(world.store, "acme.example", world.clock, "") == "warming"
    assert world.store.domains["acme.example"] == DomainState.ISOLATED
    for action, domain in (
        (restore_domain, "acme-reach.example"),
        (isolate_domain, "nope.example"),
    ):
        try:
            action(world.store, domain, world.clock, "")
        except IsolationRefused:
            continue
        raise AssertionError(f"{action.__name__} {domain} was not refused")


def test_failed_channel_is_recorded(acme_fleet: Fleet) -> None:
    """A channel that fails is recorded in the history beside the event."""
    world = World(acme_fleet)
    world.notifier.fail = True
    world.metrics.set("acme.example", DomainRates(sent=10_000, complained=20))
    world.run()
    [record] = world.store.alert_history()
    assert record.event.kind == EventKind.FIRED
    assert [(d.channel, d.ok) for d in record.deliveries] == [("memory", False)]


def test_restore_holds_while_the_same_listing_stays(acme_fleet: Fleet) -> None:
    """A listing known before the restore does not isolate the domain again."""
    world = World(acme_fleet)
    world.resolver.list("203.0.113.30", "bl.spamcop.net")
    assert [d.action for d in world.run().isolations] == [IsolationAction.ISOLATE]
    world.clock.advance(timedelta(hours=1))
    restore_domain(world.store, "acme-connect.example", world.clock, "delisting requested")
    world.clock.advance(timedelta(hours=1))
    assert [d.action for d in world.run().isolations] == [IsolationAction.OVERRIDDEN]
    world.resolver.list("203.0.113.30", "psbl.surriel.com")  # a new listing elsewhere
    world.clock.advance(timedelta(hours=1))
    assert [d.action for d in world.run().isolations] == [IsolationAction.ISOLATE]
