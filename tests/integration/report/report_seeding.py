"""A small fleet whose history is written through each capability's own store or service."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from mailfleet.adapters.argon2_hasher import Argon2Hasher
from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.reputation.memory_resolver import InMemoryDnsblResolver
from mailfleet.adapters.warmup.memory import InMemoryMetrics
from mailfleet.bootstrap import App, build
from mailfleet.core.dashboard.access import Role
from mailfleet.core.dns.checks import Check, DomainCheck
from mailfleet.core.feedback.events import EventKind, FeedbackEvent
from mailfleet.core.fleet import Fleet
from mailfleet.core.secrets import Secret
from mailfleet.core.state import DomainState, MailboxState
from mailfleet.core.warmup.evidence import DayMetrics
from mailfleet.policy.dnsbl import load_zones
from mailfleet.services import users
from mailfleet.services.fleet import sync_fleet
from mailfleet.services.reputation import check_fleet
from mailfleet.services.warmup import WarmupPorts, run_daily_decisions
from mailfleet.settings import Settings
from mailfleet.spec import load_fleet

SPEC = """\
version: 1
name: results
defaults: {dns: local, mailbox: local, relay: local, timezone: UTC, business_hours: always}
providers:
  dns: {local: {kind: memory}}
  mailbox: {local: {kind: memory}}
  relay: {local: {kind: memory}}
policies:
  business_hours:
    always: [{days: mon-sun, start: "00:00", end: "23:59"}]
  warmup_schedules:
    short:
      steps:
        - {week: 1, min: 10, max: 50, audience: most-engaged}
        - {week: 2, target: true, audience: all}
segments:
  core:
    purpose: Core mail
    volume: {profile: low, daily_target: 200}
    warmup: {priority: first, schedule: short}
domains:
  - name: alpha.example
    segment: core
    sending_ips: [192.0.2.1]
    mailboxes: [{username: hello}, {username: sales}]
  - name: beta.example
    segment: core
    sending_ips: [192.0.2.2]
    mailboxes: [{username: hello}, {username: sales}]
"""

ALPHA, BETA = "alpha.example", "beta.example"
WARMUP_DAYS = 14


@dataclass
class Seeded:
    """The wired app, its clock, the spec and the fleet's first warmup day."""

    app: App
    clock: FakeClock
    spec: Path
    fleet: Fleet
    first_day: date


def build_app(db_url: str, folder: Path) -> Seeded:
    """An app on ``db_url`` with the spec synced; the clock ``WARMUP_DAYS + 2`` days ago."""
    spec = folder / "fleet.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    today = datetime.now(UTC).date()
    first = today - timedelta(days=WARMUP_DAYS + 1)
    clock = FakeClock(datetime.combine(first - timedelta(days=1), time(9), UTC))
    settings = Settings(data_dir=folder / "state", database_url=db_url, spec=spec)
    app = build(settings, clock=clock)
    app.database(migrate=True)
    fleet = load_fleet(spec)
    sync_fleet(fleet, app.fleet_store(), clock, str(spec))
    return Seeded(app, clock, spec, fleet, first)


def seed_provisioning(seeded: Seeded, seconds_apart: int = 30) -> None:
    """Every mailbox provisioned through the ledger, ``seconds_apart`` from each other."""
    ledger, at = seeded.app.mailbox_ledger(), seeded.clock.now()
    for domain in seeded.fleet.domains:
        for mailbox in domain.mailboxes:
            address = f"{mailbox.username}@{domain.name}"
            ledger.begin(address, "local", "create", at)
            at += timedelta(seconds=seconds_apart)
            ledger.finish(
                address,
                "local",
                state=MailboxState.ACTIVE,
                at=at,
                provider_id=address,
                provisioned=True,
            )


def seed_dns(seeded: Seeded, dkim_ok: tuple[str, ...] = (ALPHA, BETA)) -> None:
    """A verification of each domain: SPF, DMARC pass; DKIM passes on ``dkim_ok``."""
    now = seeded.clock.now()
    checks = []
    for domain in (ALPHA, BETA):
        ok = domain in dkim_ok
        checks.append(
            DomainCheck(
                domain,
                now,
                (
                    Check(f"record:{domain} TXT", True),
                    Check(f"record:mf1._domainkey.{domain} TXT", ok, "" if ok else "missing"),
                    Check("spf:budget", True),
                    Check("dkim:mf1", ok),
                    Check("dmarc:rfc9989", True),
                ),
            )
        )
    seeded.app.dns_check_store().record(checks)


def seed_warmup_and_feedback(
    seeded: Seeded, *, bounces: dict[str, int], complaints: dict[str, int]
) -> None:
    """Run the daily decisions for ``WARMUP_DAYS`` on good evidence, and write each day's
    feedback events (200 sent a day per domain; ``bounces``/``complaints`` per day) through
    the feedback store."""
    app, clock, fleet = seeded.app, seeded.clock, seeded.fleet
    base = app.warmup_ports(fleet)
    metrics = InMemoryMetrics()
    ports = WarmupPorts(base.store, metrics, base.blocklist, gate=base.gate, start=base.start)
    store = app.feedback_store()
    run_daily_decisions(fleet, ports, seeded.first_day - timedelta(days=1))  # starts the ramps
    for n in range(WARMUP_DAYS):
        day = seeded.first_day + timedelta(days=n)
        at = datetime.combine(day, time(12), UTC)
        events = []
        for domain in (ALPHA, BETA):
            bounced, complained = bounces.get(domain, 0), complaints.get(domain, 0)
            metrics.add(domain, DayMetrics(day, sent=200, bounced=0))
            events += [
                FeedbackEvent(EventKind.DELIVERY, f"r{i}@rcpt.example", at, sending_domain=domain)
                for i in range(200 - bounced)
            ]
            events += [
                FeedbackEvent(
                    EventKind.BOUNCE,
                    f"b{i}@rcpt.example",
                    at,
                    sending_domain=domain,
                    permanent=True,
                    reason="bad_mailbox",
                    status="5.1.1",
                )
                for i in range(bounced)
            ]
            events += [
                FeedbackEvent(EventKind.COMPLAINT, f"c{i}@rcpt.example", at, sending_domain=domain)
                for i in range(complained)
            ]
        store.add_events(events)
        run_daily_decisions(fleet, ports, day)
    clock.set(datetime.combine(seeded.first_day + timedelta(days=WARMUP_DAYS), time(9), UTC))


def seed_dnsbl(seeded: Seeded, listed_ip: str | None = None) -> None:
    """One DNSBL run over the fleet, with ``listed_ip`` listed on Spamhaus ZEN."""
    resolver = InMemoryDnsblResolver()
    if listed_ip:
        resolver.list(listed_ip, "zen.spamhaus.org", "127.0.0.2")
    report = asyncio.run(check_fleet(seeded.fleet, load_zones(), resolver, seeded.clock))
    seeded.app.reputation_store().save_report(report)


def isolate(seeded: Seeded, domain: str, *, restore: bool = False) -> None:
    """Isolate ``domain`` through the reputation store (and put it back with ``restore``)."""
    store, now = seeded.app.reputation_store(), seeded.clock.now()
    store.set_domain_state(
        domain, DomainState.ISOLATED.value, at=now, reason="complaints", by="engine"
    )
    if restore:
        store.set_domain_state(domain, DomainState.WARMING.value, at=now, reason="ok", by="cli")


def add_user(seeded: Seeded) -> None:
    """One dashboard user."""
    users.add_user(
        seeded.app.user_store(),
        Argon2Hasher(time_cost=1, memory_kib=1024),
        seeded.clock,
        "ops@results.example",
        Role.ADMIN,
        Secret("correct horse battery staple"),
    )
