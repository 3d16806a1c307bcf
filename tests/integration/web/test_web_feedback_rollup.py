"""The dashboard's feedback rollup gives exactly the raw events' daily counts, on each backend."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, text, update

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db import migrate
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.feedback_store import SqlFeedbackStore
from mailfleet.adapters.db.feedback_tables import FeedbackEventRow
from mailfleet.adapters.db.web_feedback_counts import SqlFeedbackDailyCounts
from mailfleet.core.feedback.events import EventKind, FeedbackEvent
from mailfleet.services.dashboard_reads import FeedbackRatesReader

HARD = frozenset({"user_unknown", "no_such_domain"})
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
REASONS = ("user_unknown", "mailbox_full", "no_such_domain", "spam", "ok")


def _events(count: int, seed: int = 7) -> list[FeedbackEvent]:
    """Events over the last 10 days (and a few past 'now'), in mixed case, with and without a
    sending domain, on both sides of UTC midnights."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not a secret
    found = []
    for _ in range(count):
        at = NOW - timedelta(seconds=rng.randrange(-3 * 3600, 10 * 86400))
        domain = rng.choice(("A.example", "b.example", "c.example", None))
        found.append(
            FeedbackEvent(
                kind=rng.choice(list(EventKind)),
                recipient=f"r{rng.randrange(50)}@x.example",
                occurred_at=at,
                reason=rng.choice(REASONS),
                permanent=rng.random() < 0.5,
                sending_domain=domain,
            )
        )
    return found


def _assert_same(store: SqlFeedbackStore, rollup: SqlFeedbackDailyCounts) -> None:
    ranges = [
        (NOW - timedelta(days=6, hours=9), NOW + timedelta(seconds=1)),  # the overview's window
        (NOW - timedelta(days=29, hours=9), NOW + timedelta(seconds=1)),  # the charts' window
        (NOW - timedelta(days=3, hours=2), NOW - timedelta(days=1, hours=5)),  # unaligned ends
        (NOW - timedelta(hours=5), NOW - timedelta(hours=1)),  # inside one day
        (NOW - timedelta(days=2, hours=9), NOW - timedelta(hours=9)),  # midnight to midnight
        (NOW - timedelta(days=12), NOW + timedelta(days=1)),  # everything, future included
    ]
    for since, until in ranges:
        raw = store.daily_counts(since, until)
        assert rollup.daily_counts(since, until) == raw, (since, until)
        totals = rollup.domain_totals(["a.example", "B.example", ""], since, until)
        for total in totals:
            mine = [c for c in raw if c.domain == total.domain]
            assert total.deliveries == sum(c.deliveries for c in mine)
            assert total.deferrals == sum(c.deferrals for c in mine)
            assert total.bounces == sum(c.bounces for c in mine)
            assert total.hard_bounces == sum(c.hard_bounces for c in mine)
            assert total.complaints == sum(c.complaints for c in mine)
        assert {t.domain for t in totals} == {c.domain for c in raw} & {
            "a.example",
            "b.example",
            "",
        }
        for domain in ("a.example", "b.example"):
            mine = [c for c in raw if c.domain == domain]
            assert rollup.domain_daily_counts([domain.upper()], since, until) == mine
        both = [c for c in raw if c.domain in {"a.example", ""}]
        assert rollup.domain_daily_counts(["a.example", ""], since, until) == both


def test_rollup_counts_equal_raw_counts(database: Database) -> None:
    """After bulk inserts, a delete and an update, every window reads the same from both."""
    store = SqlFeedbackStore(database, HARD)
    rollup = SqlFeedbackDailyCounts(database, HARD)
    events = _events(3000)
    store.add_events(events[:1000])
    store.add_events(events[1000:])
    raw = store.daily_counts(NOW - timedelta(days=12), NOW + timedelta(days=1))
    assert sum(c.hard_bounces for c in raw) > 0
    assert any(c.domain == "" for c in raw)
    _assert_same(store, rollup)
    with database.session() as s:
        s.execute(delete(FeedbackEventRow).where(FeedbackEventRow.id % 7 == 0))
        s.execute(
            update(FeedbackEventRow)
            .where(FeedbackEventRow.id % 5 == 0)
            .values(
                sending_domain="b.example",
                occurred_at=NOW - timedelta(days=2, hours=3),
            )
        )
    _assert_same(store, rollup)
    assert store.daily_counts(NOW - timedelta(days=12), NOW + timedelta(days=1)) != raw


def test_migration_fills_the_rollup_from_existing_events(db_url: str) -> None:
    """Events stored before ``web_0002`` are counted once the migration has run."""
    database = Database(db_url)
    try:
        from alembic import command

        command.upgrade(migrate._config(database.engine), "feedback_0001")
        store = SqlFeedbackStore(database, HARD)
        store.add_events(_events(500, seed=3))
        database.prepare(auto_upgrade=True)
        store.add_events(_events(200, seed=4))
        _assert_same(store, SqlFeedbackDailyCounts(database, HARD))
        with database.session() as s:
            assert s.scalar(text("SELECT sum(events) FROM web_feedback_daily")) == 700
    finally:
        database.dispose()


def test_rates_reader_on_the_rollup_matches_the_store(database: Database) -> None:
    """The overview's rates and a domain's chart rows are the same from either source."""
    store = SqlFeedbackStore(database, HARD)
    store.add_events(_events(1500, seed=11))
    clock = FakeClock(NOW)
    on_raw = FeedbackRatesReader(store, clock)
    on_rollup = FeedbackRatesReader(SqlFeedbackDailyCounts(database, HARD), clock)
    names = ["a.example", "b.example", "c.example", "none.example"]
    assert on_rollup.rates(names) == on_raw.rates(names)
    assert on_rollup.domain_daily("A.example", 30) == on_raw.domain_daily("a.example", 30)
    assert on_rollup.daily(1) == on_raw.daily(1)
    assert on_rollup.daily_of(names, 3) == on_raw.daily_of(names, 3)


def test_rollup_matches_its_table_class(database: Database) -> None:
    """The migrated rollup table and the events' time index match their ORM declarations."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from mailfleet.adapters.db.tables import Base

    with database.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    ours = [d for d in diffs if "web_feedback_daily" in repr(d) or "events_time" in repr(d)]
    assert ours == []


@pytest.mark.parametrize("hard", [frozenset(), HARD])
def test_hard_bounces_follow_the_policy_at_read_time(
    database: Database, hard: frozenset[str]
) -> None:
    """Hard bounces are counted with the reader's hard reasons, as the raw counts are."""
    SqlFeedbackStore(database).add_events(_events(400, seed=5))
    store = SqlFeedbackStore(database, hard)
    _assert_same(store, SqlFeedbackDailyCounts(database, hard))
