"""The SQL mailbox ledger on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.fleet_store import SqlFleetStore
from mailfleet.adapters.db.mailboxes_store import SqlMailboxLedger
from mailfleet.adapters.db.tables import MailboxRow
from mailfleet.core.state import MailboxState
from mailfleet.services.fleet import sync_fleet
from mailfleet.spec.loader import load_fleet_text

SPEC = """
version: 1
defaults: {dns: d, mailbox: m, relay: r}
providers: {dns: {d: {kind: memory}}, mailbox: {m: {kind: memory}}, relay: {r: {kind: memory}}}
policies:
  business_hours: {default: [{days: mon-fri, start: "08:00", end: "18:00"}]}
  warmup_schedules: {six-weeks: {steps: [{week: 1, target: true}]}}
segments: {primary: {warmup: {priority: first}}}
domains:
  - {name: one.example, segment: primary, mailboxes: [{username: hello}]}
"""


def test_intent_then_outcome_round_trips(database: Database, clock: FakeClock) -> None:
    """An intent is visible until its outcome clears it; provisioned time is set once."""
    ledger = SqlMailboxLedger(database)
    ledger.begin("a@one.example", "m", "create", clock.now())
    entry = ledger.entries()["a@one.example"]
    assert (entry.intent, entry.state) == ("create", MailboxState.PLANNED)
    first = clock.now()
    ledger.finish(
        "a@one.example",
        "m",
        state=MailboxState.ACTIVE,
        at=first,
        provider_id="p1",
        provisioned=True,
    )
    clock.advance(timedelta(hours=1))
    login = clock.now()
    ledger.finish(
        "a@one.example",
        "m",
        state=MailboxState.ACTIVE,
        at=login,
        provisioned=True,
        last_login_at=login,
    )
    entry = ledger.entries()["a@one.example"]
    assert entry.intent is None
    assert entry.provider_id == "p1"
    assert entry.provisioned_at == first
    assert entry.last_login_at == login


def test_outcomes_set_the_fleet_mailbox_state(database: Database, clock: FakeClock) -> None:
    """A synced mailbox's foundation state follows the ledger: planned, then active."""
    fleet = load_fleet_text(SPEC, Path("fleet.yaml"))
    sync_fleet(fleet, SqlFleetStore(database), clock, "fleet.yaml")
    ledger = SqlMailboxLedger(database)
    ledger.finish("hello@one.example", "m", state=MailboxState.SUSPENDED, at=clock.now())
    with database.session() as s:
        state = s.scalar(select(MailboxRow.state).where(MailboxRow.address == "hello@one.example"))
    assert state == MailboxState.SUSPENDED.value


def test_a_failure_keeps_its_reason(database: Database, clock: FakeClock) -> None:
    """The provider's reason for a failure is stored with the entry."""
    ledger = SqlMailboxLedger(database)
    ledger.finish(
        "x@one.example", "m", state=MailboxState.FAILED, at=clock.now(), error="quota exhausted"
    )
    assert ledger.entries()["x@one.example"].last_error == "quota exhausted"
