"""The issue's scenario, end to end on real parts.

An IP listed in one zone, a refusal code from another zone, a pool domain whose complaint
rate crosses 0.08 %: exactly the right alerts fire, once each, on every channel; the pool
domain is rotated out and primary is untouched; the refusal is reported as unknown; clearing
the conditions sends resolve notices.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from local_dnsbl import local_zones
from rbldnsd_server import RbldnsdServer, ZoneFile

from conftest import SinkHandler, WebhookReceiver
from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.fleet_store import SqlFleetStore
from mailfleet.adapters.notify.email import SmtpEmailNotifier
from mailfleet.adapters.notify.webhook import SignedWebhookNotifier, SlackWebhookNotifier
from mailfleet.adapters.reputation.dns_resolver import DnspythonDnsblResolver
from mailfleet.adapters.reputation.memory_store import InMemoryDomainMetrics
from mailfleet.adapters.reputation.sql_store import SqlReputationStore
from mailfleet.core.fleet import Fleet
from mailfleet.core.reputation.facts import DomainRates
from mailfleet.core.reputation.isolation import IsolationAction
from mailfleet.core.reputation.messages import monitoring_sender
from mailfleet.core.reputation.verdict import Verdict
from mailfleet.core.secrets import Secret
from mailfleet.core.state import DomainState
from mailfleet.policy.alerts import load_rules
from mailfleet.services import fleet as fleet_service
from mailfleet.services.reputation import MonitoringPorts, MonitoringRun, run_monitoring

ZONES = tuple(z for z in local_zones() if z.key in {"zen", "zen-mirror"})
REFUSING = [
    ZoneFile("refusing.test", "ip4set", ":127.255.255.254:Refused\n0.0.0.0/1\n128.0.0.0/1\n"),
    ZoneFile("refusing.test", "ip6trie", ":127.255.255.254:Refused\n::/1\n8000::/1\n"),
]
PRIMARY_IP = "192.0.2.10"
LISTED = ZoneFile("zen.test", "ip4set", f":127.0.0.2:SBL listing\n{PRIMARY_IP}\n")
NOTHING_LISTED = ZoneFile("zen.test", "ip4set", "# nothing listed\n")


@pytest.fixture
def zones_server() -> Iterator[list[RbldnsdServer]]:
    """Holder for the scenario's rbldnsd; whatever it holds is cleaned up."""
    servers: list[RbldnsdServer] = []
    yield servers
    for server in servers:
        server.cleanup()


class Scenario:
    """The fleet's world on real parts: rbldnsd, SQL, a webhook receiver and an SMTP sink."""

    def __init__(
        self,
        fleet: Fleet,
        database: Database,
        receiver: WebhookReceiver,
        sink: tuple[SinkHandler, int],
        servers: list[RbldnsdServer],
    ) -> None:
        self.fleet = fleet
        self.clock = FakeClock()
        fleet_service.sync_fleet(fleet, SqlFleetStore(database), self.clock, "fleet.yaml")
        self.store = SqlReputationStore(database)
        self.metrics = InMemoryDomainMetrics()
        self.servers = servers
        sender = monitoring_sender(fleet)
        assert sender is not None
        self.notifiers = [
            SlackWebhookNotifier(Secret(receiver.url("/slack"))),
            SignedWebhookNotifier(Secret(receiver.url("/signed")), Secret("k")),
            SmtpEmailNotifier("127.0.0.1", sink[1], sender, ["oncall@acme.example"]),
        ]

    def serve(self, zen: ZoneFile) -> None:
        """(Re)start rbldnsd with ``zen`` and the refusing zone."""
        for server in self.servers:
            server.cleanup()
        self.servers[:] = [RbldnsdServer([zen, *REFUSING]).start()]

    def run(self) -> MonitoringRun:
        resolver = DnspythonDnsblResolver("127.0.0.1", self.servers[0].port, timeout=2.0)
        ports = MonitoringPorts(
            resolver, self.metrics, self.store, self.store, self.store, self.notifiers, self.clock
        )
        return asyncio.run(run_monitoring(self.fleet, ZONES, load_rules(), ports))

    def set_rates(self, complaints_on_outreach: int) -> None:
        for domain in self.fleet.domains:
            complained = complaints_on_outreach if domain.name == "acme-outreach.example" else 2
            self.metrics.set(
                domain.name, DomainRates(sent=10_000, bounced=50, complained=complained)
            )


def test_scenario(
    acme_fleet: Fleet,
    database: Database,
    webhook_receiver: WebhookReceiver,
    smtp_sink: tuple[SinkHandler, int],
    zones_server: list[RbldnsdServer],
) -> None:
    """Listing + refusal + complaint breach: right alerts once, rotation, resolve notices."""
    world = Scenario(acme_fleet, database, webhook_receiver, smtp_sink, zones_server)
    world.serve(LISTED)
    world.set_rates(complaints_on_outreach=12)  # 0.12 % > 0.08 %

    first = world.run()

    fired = sorted((e.rule, e.subject) for e in first.alerts.sent())
    assert fired == [
        ("blocklisted", f"{PRIMARY_IP} on zen.test"),
        ("complaint-rate", "acme-outreach.example"),
    ]
    assert first.report is not None
    refusals = [r for r in first.report.results if r.zone == "refusing.test"]
    assert refusals
    assert {r.verdict for r in refusals} == {Verdict.UNKNOWN}
    assert all("public or open resolver" in r.reason for r in refusals)
    actions = {d.domain: (d.action, d.rotate_to) for d in first.isolations}
    assert actions == {
        "acme-outreach.example": (IsolationAction.ISOLATE, ("acme-reach.example",)),
        "acme.example": (IsolationAction.PROTECTED, ()),
    }
    states = world.store.domain_states()
    assert states["acme-outreach.example"] == DomainState.ISOLATED
    assert states["acme.example"] == DomainState.PENDING
    assert states["acme-notify.example"] == DomainState.PENDING

    def slack_texts() -> list[str]:
        return [json.loads(r.body)["text"] for r in webhook_receiver.requests if r.path == "/slack"]

    assert len(slack_texts()) == 2
    assert len([r for r in webhook_receiver.requests if r.path == "/signed"]) == 2
    assert len(smtp_sink[0].messages) == 2

    world.clock.advance(timedelta(hours=1))
    second = world.run()
    assert second.alerts.evaluation.events == ()
    assert len(slack_texts()) == 2  # deduplicated: nothing sent again

    world.clock.advance(timedelta(hours=1))
    world.serve(NOTHING_LISTED)
    world.set_rates(complaints_on_outreach=5)  # 0.05 %
    third = world.run()
    resolved = sorted((e.kind.value, e.rule) for e in third.alerts.sent())
    assert resolved == [("resolved", "blocklisted"), ("resolved", "complaint-rate")]
    assert len(slack_texts()) == 4
    assert all("RESOLVED" in text for text in slack_texts()[2:])
    assert len(smtp_sink[0].messages) == 4
    history = world.store.alert_history()
    assert [r.event.kind.value for r in history] == ["resolved", "resolved", "fired", "fired"]
    assert all(d.ok for r in history for d in r.deliveries)
    assert all(len(r.deliveries) == 3 for r in history)
    # isolation stays until a person restores the domain
    assert world.store.domain_states()["acme-outreach.example"] == DomainState.ISOLATED
