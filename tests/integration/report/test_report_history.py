"""The report's history reads on SQLite and PostgreSQL, against the stores that wrote it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import event

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.feedback_store import SqlFeedbackStore
from mailfleet.adapters.db.results_reads import SqlResultsHistory
from mailfleet.adapters.db.warmup_store import SqlWarmupStore
from mailfleet.adapters.reputation.memory_resolver import InMemoryDnsblResolver
from mailfleet.adapters.reputation.sql_store import SqlReputationStore
from mailfleet.core.feedback.events import EventKind, FeedbackEvent
from mailfleet.core.reputation.targets import BlocklistReport, Target
from mailfleet.core.reputation.zones import TargetKind
from mailfleet.core.warmup.decision import Action, Decision
from mailfleet.core.warmup.evidence import Evidence
from mailfleet.core.warmup.state import WarmupState
from mailfleet.policy.dnsbl import load_zones
from mailfleet.services.reputation import check_targets


def _far_from_utc(database: Database) -> None:
    """Give PostgreSQL sessions a zone far from UTC, so a day taken in the session's zone
    would land on the wrong date."""
    if database.dialect != "postgresql":
        return

    def on_connect(connection: Any, _record: object) -> None:
        connection.execute("SET TIME ZONE 'Pacific/Kiritimati'")  # UTC+14

    event.listen(database.engine, "connect", on_connect)
    database.engine.dispose()


def test_domain_days_match_the_feedback_stores_own_grouping(database: Database) -> None:
    """Totals grouped in SQL equal the store's grouping in Python, midnight edges included."""
    _far_from_utc(database)
    store = SqlFeedbackStore(database)
    day = datetime(2026, 1, 5, tzinfo=UTC)
    times = [day - timedelta(seconds=1), day, day + timedelta(hours=23, minutes=59, seconds=59)]
    kinds = (EventKind.DELIVERY, EventKind.BOUNCE, EventKind.COMPLAINT, EventKind.DEFERRAL)
    events = [
        FeedbackEvent(kind, f"r{n}@x.example", at, sending_domain=domain, permanent=True)
        for n, (at, kind, domain) in enumerate(
            (at, kind, domain)
            for at in times
            for kind in kinds
            for domain in ("a.example", "B.example")
        )
    ]
    events.append(FeedbackEvent(EventKind.DELIVERY, "r@x.example", day))  # no sending domain
    store.add_events(events)
    since, until = day - timedelta(days=2), day + timedelta(days=2)
    got = {
        (d.day, d.domain): (d.deliveries, d.bounces, d.complaints)
        for d in SqlResultsHistory(database).domain_days(since, until)
    }
    expected = {
        (c.day, c.domain): (c.deliveries, c.bounces, c.complaints)
        for c in store.daily_counts(since, until)
        if c.domain
    }
    assert got == expected
    assert got[(date(2026, 1, 4), "a.example")] == (1, 1, 1)
    assert got[(date(2026, 1, 5), "b.example")] == (2, 2, 2)
    narrow = SqlResultsHistory(database).domain_days(day, day + timedelta(hours=1))
    assert {(d.day, d.deliveries) for d in narrow} == {(date(2026, 1, 5), 1)}


def _decision(domain: str, day: date, cap: int) -> Decision:
    return Decision(
        domain, day, Action.ADVANCE, 0, 1, cap, None, Evidence((), 0, 0, 0, 0, ()), (), "test"
    )


def test_cap_history_in_decision_order(database: Database, clock: FakeClock) -> None:
    """Decisions come back per domain, oldest day first; other subjects are not read."""
    store = SqlWarmupStore(database, clock)
    start = date(2026, 1, 5)
    for n, cap in enumerate((20, 35, 50)):
        store.record(
            WarmupState("a.example", start), _decision("a.example", start + timedelta(n), cap)
        )
    store.record(WarmupState("ip:192.0.2.1", start), _decision("ip:192.0.2.1", start, 10))
    history = SqlResultsHistory(database).cap_history(["a.example", "b.example"])
    assert dict(history) == {
        "a.example": [(start, 20), (start + timedelta(1), 35), (start + timedelta(2), 50)]
    }


def test_listings_in_the_period(database: Database, clock: FakeClock) -> None:
    """Listed pairs are grouped across runs with first and last seen; runs outside the
    period, and subjects outside the fleet, are left out."""
    store = SqlReputationStore(database)
    resolver = InMemoryDnsblResolver()
    resolver.list("192.0.2.1", "zen.spamhaus.org", "127.0.0.2")
    resolver.list("198.51.100.9", "zen.spamhaus.org", "127.0.0.2")
    zones = load_zones()
    targets = [
        Target("192.0.2.1", TargetKind.IP4, ("a.example",)),
        Target("198.51.100.9", TargetKind.IP4, ("z.example",)),
        Target("a.example", TargetKind.DOMAIN, ("a.example",)),
    ]
    runs: list[datetime] = []
    for _ in range(3):
        report: BlocklistReport = asyncio.run(check_targets(targets, zones, resolver, clock))
        store.save_report(report)
        runs.append(clock.now())
        clock.advance(timedelta(days=1))
    history = SqlResultsHistory(database)
    found = history.dnsbl_history(runs[1], clock.now(), ["192.0.2.1", "a.example"])
    assert found.runs == 2
    assert [(x.subject, x.zone, x.checks) for x in found.listings] == [
        ("192.0.2.1", "zen.spamhaus.org", 2)
    ]
    assert found.listings[0].first_seen == runs[1]
    assert found.listings[0].last_seen == runs[2]
    later = history.dnsbl_history(clock.now(), clock.now() + timedelta(1), ["192.0.2.1"])
    assert later.runs == 0
    assert later.listings == ()
