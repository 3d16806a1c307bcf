"""The SQL reputation store on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.fleet_store import SqlFleetStore
from mailfleet.adapters.reputation.memory_resolver import InMemoryDnsblResolver
from mailfleet.adapters.reputation.sql_store import SqlReputationStore
from mailfleet.core.fleet import Fleet
from mailfleet.core.reputation.engine import EventKind, evaluate
from mailfleet.core.reputation.messages import Delivery
from mailfleet.core.reputation.rules import FactSnapshot, SubjectFacts, SubjectKind
from mailfleet.core.reputation.verdict import Verdict
from mailfleet.core.state import DomainState
from mailfleet.policy.alerts import load_rules
from mailfleet.policy.dnsbl import load_zones
from mailfleet.services import fleet as fleet_service
from mailfleet.services.reputation import check_fleet


@pytest.fixture
def synced(database: Database, acme_fleet: Fleet, clock: FakeClock) -> SqlReputationStore:
    """A migrated database holding the example fleet."""
    fleet_service.sync_fleet(acme_fleet, SqlFleetStore(database), clock, "fleet.yaml")
    return SqlReputationStore(database)


def test_check_history_round_trips(synced: SqlReputationStore, acme_fleet: Fleet) -> None:
    """A run's results come back as stored: verdicts, codes, meanings, reasons."""
    assert synced.latest_results() is None
    resolver = InMemoryDnsblResolver()
    resolver.list("198.51.100.21", "zen.spamhaus.org", "127.0.0.2", "127.0.0.10")
    resolver.list("192.0.2.10", "zen.spamhaus.org", "127.255.255.254")
    report = asyncio.run(check_fleet(acme_fleet, load_zones(), resolver, FakeClock()))
    synced.save_report(report)
    latest = synced.latest_results()
    assert latest is not None
    checked_at, results = latest
    assert checked_at == report.checked_at
    assert results == report.results
    assert {r.target for r in results if r.verdict == Verdict.UNKNOWN} == {"192.0.2.10"}


def test_alert_states_and_history_round_trip(synced: SqlReputationStore, clock: FakeClock) -> None:
    """States are upserted by (rule, subject); events keep their deliveries, newest first."""
    rules = [r for r in load_rules() if r.key == "relay-failing"]

    def snapshot(failing: bool) -> FactSnapshot:
        return FactSnapshot(
            clock.now(), (SubjectFacts(SubjectKind.RELAY, "ses", {"relay_failing": failing}),)
        )

    fired = evaluate(rules, snapshot(True), synced.alert_states())
    synced.save_alerts(fired, {0: [Delivery("slack", True, "HTTP 200")]})
    states = synced.alert_states()
    assert list(states.values()) == list(fired.states)
    clock.advance(timedelta(hours=2))
    resolved = evaluate(rules, snapshot(False), states)
    synced.save_alerts(resolved, {0: [Delivery("slack", False, "HTTP 500")]})
    [state] = synced.alert_states().values()
    assert (state.active, state.resolved_at) == (False, clock.now())
    history = synced.alert_history()
    assert [r.event.kind for r in history] == [EventKind.RESOLVED, EventKind.FIRED]
    assert history[1].event == fired.events[0]
    assert history[0].deliveries == (Delivery("slack", False, "HTTP 500"),)


def test_domain_state_changes_are_logged(synced: SqlReputationStore, clock: FakeClock) -> None:
    """Isolating updates domains.state and the log; a restore by hand is remembered."""
    assert synced.domain_states()["acme-reach.example"] == DomainState.PENDING
    previous = synced.set_domain_state(
        "acme-reach.example", DomainState.ISOLATED, at=clock.now(), reason="listed", by="auto"
    )
    assert previous == DomainState.PENDING
    assert synced.domain_states()["acme-reach.example"] == DomainState.ISOLATED
    clock.advance(timedelta(hours=1))
    synced.set_domain_state(
        "acme-reach.example", DomainState.PENDING, at=clock.now(), reason="checked", by="cli"
    )
    log = synced.isolation_log("acme-reach.example")
    assert [(r.new_state, r.by) for r in log] == [("isolated", "auto"), ("pending", "cli")]
    assert synced.last_restores() == {"acme-reach.example": clock.now()}
    with pytest.raises(KeyError):
        synced.set_domain_state("nope.example", "isolated", at=clock.now(), reason="", by="cli")
