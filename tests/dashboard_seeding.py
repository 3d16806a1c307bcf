"""Real rows stored through each capability's own store or service, for the dashboard tests."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.reputation.memory_resolver import InMemoryDnsblResolver
from mailfleet.adapters.warmup.memory import InMemoryMetrics
from mailfleet.bootstrap import App
from mailfleet.core.dns.checks import Check, DomainCheck
from mailfleet.core.feedback.events import EventKind, FeedbackEvent
from mailfleet.core.reputation.engine import evaluate
from mailfleet.core.reputation.rules import FactSnapshot, SubjectFacts, SubjectKind
from mailfleet.core.warmup.decision import Decision
from mailfleet.core.warmup.evidence import DayMetrics
from mailfleet.policy.alerts import load_rules
from mailfleet.policy.dnsbl import load_zones
from mailfleet.services.reputation import check_fleet
from mailfleet.services.warmup import WarmupPorts, run_daily_decisions, start_warmup
from mailfleet.spec import load_fleet

DOMAIN = "d000.example"
LISTED_IP = "192.0.2.1"  # d000.example's sending IP in the generated spec


def seed_feedback(
    app: App,
    clock: FakeClock,
    delivered: int,
    bounced: int,
    complained: int,
    domain: str = DOMAIN,
) -> None:
    """Feedback events of ``domain`` today: deliveries, hard bounces and complaints."""
    now = clock.now()

    def event(kind: EventKind, n: int, **extra: object) -> FeedbackEvent:
        return FeedbackEvent(
            kind,
            f"r{n}@mail.example",
            now,
            sending_domain=domain,
            source="test",
            **extra,  # type: ignore[arg-type]
        )

    events = [event(EventKind.DELIVERY, n) for n in range(delivered)]
    events += [
        event(EventKind.BOUNCE, 1000 + n, permanent=True, reason="bad_mailbox", status="5.1.1")
        for n in range(bounced)
    ]
    events += [event(EventKind.COMPLAINT, 2000 + n, reason="abuse") for n in range(complained)]
    app.feedback_store().add_events(events)


def seed_warmup(app: App, clock: FakeClock) -> tuple[Decision, ...]:
    """Start every domain's warmup a week ago and run the daily decisions on good evidence."""
    fleet = load_fleet(app.settings.spec)
    base = app.warmup_ports()
    metrics = InMemoryMetrics()
    ports = WarmupPorts(base.store, metrics, base.blocklist, gate=base.gate, start=base.start)
    today = clock.now().date()
    start_warmup(fleet, ports, today - timedelta(days=7))
    decided: tuple[Decision, ...] = ()
    for back in range(7, 0, -1):
        day = today - timedelta(days=back)
        metrics.add(DOMAIN, DayMetrics(day, sent=200, bounced=1))
        decided = run_daily_decisions(fleet, ports, day)
    return decided


def seed_dns(app: App, clock: FakeClock, domain: str = DOMAIN, dkim_ok: bool = False) -> None:
    """A stored verification of ``domain``: SPF and DMARC pass, DKIM as ``dkim_ok`` says."""
    checks = (
        Check(f"record:{domain} TXT", True),
        Check(f"record:_dmarc.{domain} TXT", False, "published [], wanted ['v=DMARC1; p=none']"),
        Check("spf:budget", True, "1 lookups, 0 void"),
        Check("spf:pass:192.0.2.1", True, "pass"),
        Check("dkim:mf1", dkim_ok, "rsa 2048 bits" if dkim_ok else "no key record (nxdomain)"),
        Check("dmarc:rfc9989", True),
    )
    app.dns_check_store().record([DomainCheck(domain, clock.now(), checks)])


def seed_blocklist(app: App, clock: FakeClock) -> None:
    """A DNSBL run of the fleet with ``LISTED_IP`` listed on Spamhaus ZEN."""
    resolver = InMemoryDnsblResolver()
    resolver.list(LISTED_IP, "zen.spamhaus.org", "127.0.0.2")
    run = check_fleet(load_fleet(app.settings.spec), load_zones(), resolver, clock)
    with ThreadPoolExecutor(1) as pool:  # its own event loop, even beside Playwright's
        report = pool.submit(asyncio.run, run).result()
    app.reputation_store().save_report(report)


def seed_alert(app: App, clock: FakeClock) -> None:
    """A fired relay alert, stored by the reputation store."""
    store = app.reputation_store()
    rules = [r for r in load_rules() if r.key == "relay-failing"]
    snapshot = FactSnapshot(
        clock.now(), (SubjectFacts(SubjectKind.RELAY, "ses", {"relay_failing": True}),)
    )
    store.save_alerts(evaluate(rules, snapshot, store.alert_states()), {})
