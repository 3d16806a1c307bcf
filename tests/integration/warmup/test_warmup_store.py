"""The SQL warmup store on SQLite and PostgreSQL: states, decisions and their evidence."""

from __future__ import annotations

from datetime import date, timedelta

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.warmup_store import SqlWarmupStore
from mailfleet.adapters.warmup.memory import InMemoryWarmupStore
from mailfleet.core.fleet import Fleet
from mailfleet.core.warmup.decision import Action
from mailfleet.core.warmup.evidence import Evidence
from mailfleet.core.warmup.gate import decide
from mailfleet.core.warmup.state import WarmupState

MONDAY = date(2026, 1, 5)


def test_state_round_trips_and_updates(database: Database, clock: FakeClock) -> None:
    """A stored state comes back equal, and a second record replaces it."""
    store = SqlWarmupStore(database, clock)
    state = WarmupState("acme.example", MONDAY, ramp_day=3)
    store.record(state, None)
    assert store.states() == {"acme.example": state}
    paused = state.with_(ramp_day=0, paused_until=MONDAY + timedelta(days=3))
    store.record(paused, None)
    assert store.states()["acme.example"] == paused


def test_decisions_keep_evidence_and_come_back_newest_first(
    database: Database, clock: FakeClock, init_fleet: Fleet
) -> None:
    """Decisions are stored with evidence and findings and read back identical, newest first."""
    store = SqlWarmupStore(database, clock)
    segment = init_fleet.segments["primary"]
    state = WarmupState("acme.example", MONDAY, ramp_day=10)
    good = Evidence((MONDAY,), 400, 1, 0, 3)
    first, state = decide(state, segment, good, MONDAY)
    store.record(state, first)
    bad = Evidence((MONDAY + timedelta(days=1),), 400, 40, 0, 3, ("dbl.example",))
    second, state = decide(state, segment, bad, MONDAY + timedelta(days=1))
    store.record(state, second)
    stored = store.decisions("acme.example")
    assert [d.action for d in stored] == [Action.STEP_BACK, Action.ADVANCE]
    assert stored[0] == second
    assert stored[1] == first
    assert stored[0].evidence.listings == ("dbl.example",)
    assert store.decisions("acme.example", limit=1) == [second]
    assert store.decisions("other.example") == []


def test_migration_matches_the_table_classes(database: Database) -> None:
    """After `warmup_0001`, the warmup tables in the database match their ORM classes."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from mailfleet.adapters.db.tables import Base

    with database.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    ours = [d for d in diffs if "warmup_" in repr(d)]
    assert ours == []


def test_long_member_subjects_are_stored(database: Database, clock: FakeClock) -> None:
    """A mailbox subject of the longest legal address fits the subject column."""
    store = SqlWarmupStore(database, clock)
    subject = "mailbox:" + "a" * 64 + "@" + ("b" * 63 + ".") * 3 + "example"
    state = WarmupState(subject, MONDAY)
    store.record(state, None)
    assert store.states()[subject] == state


def test_current_caps_are_the_latest_decisions_caps(
    database: Database, clock: FakeClock, init_fleet: Fleet
) -> None:
    """One read gives each decided domain its latest cap, the same on SQL and in memory."""
    segment = init_fleet.segments["primary"]
    for store in (SqlWarmupStore(database, clock), InMemoryWarmupStore()):
        undecided = WarmupState("new.example", MONDAY)
        store.record(undecided, None)
        state = WarmupState("acme.example", MONDAY, ramp_day=10)
        caps = []
        for offset in range(2):
            day = MONDAY + timedelta(days=offset)
            decision, state = decide(state, segment, Evidence((day,), 400, 1, 0, 3), day)
            store.record(state, decision)
            caps.append(decision.next_cap)
        assert store.current_caps() == {"acme.example": caps[-1]}
        assert caps[-1] == store.decisions("acme.example", 1)[0].next_cap


def test_record_many_writes_every_subject_at_once(
    database: Database, clock: FakeClock, init_fleet: Fleet
) -> None:
    """The daily run's batch write: new and existing subjects, with and without decisions,
    all stored; the same through the in-memory twin."""
    segment = init_fleet.segments["primary"]
    for store in (SqlWarmupStore(database, clock), InMemoryWarmupStore()):
        existing = WarmupState("acme.example", MONDAY, ramp_day=2)
        store.record(existing, None)
        decision, after = decide(existing, segment, Evidence((MONDAY,), 400, 1, 0, 3), MONDAY)
        member = WarmupState("mailbox:hello@acme.example", MONDAY)
        fresh = WarmupState("other.example", MONDAY + timedelta(days=1))
        store.record_many([(after, decision), (member, None), (fresh, None)])
        assert store.states() == {
            "acme.example": after,
            "mailbox:hello@acme.example": member,
            "other.example": fresh,
        }
        assert store.decisions("acme.example") == [decision]
        assert store.current_caps()["acme.example"] == decision.next_cap
