"""Syncing the spec into SQLite and PostgreSQL through the SQL fleet store."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import inspect, update

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db import migrate
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.fleet_store import SqlFleetStore
from mailfleet.adapters.db.tables import DomainRow
from mailfleet.core.errors import SchemaOutOfDate
from mailfleet.core.fleet import Fleet
from mailfleet.core.state import EntityKind
from mailfleet.services.fleet import status, sync_fleet
from mailfleet.spec import load_fleet_text

TEMPLATE = resources.files("mailfleet.spec").joinpath("template.yaml").read_text("utf-8")


def fleet_from(text: str) -> Fleet:
    return load_fleet_text(text, Path("fleet.yaml"))


def test_migration_creates_the_foundation_tables(database: Database) -> None:
    """Upgrading an empty database creates every foundation table and records the head."""
    tables = set(inspect(database.engine).get_table_names())
    assert {"segments", "domains", "mailboxes", "secrets", "spec_syncs"} <= tables
    assert migrate.current_revisions(database.engine) == migrate.head_revisions()


def test_unmigrated_database_is_refused(db_url: str) -> None:
    """Without auto-upgrade an empty database is refused with the command that fixes it."""
    db = Database(db_url)
    with pytest.raises(SchemaOutOfDate, match="mailfleet db upgrade"):
        db.prepare(auto_upgrade=False)
    db.dispose()


def test_sync_writes_the_fleet_and_is_idempotent(database: Database, clock: FakeClock) -> None:
    """The first sync creates every entity; the second writes nothing."""
    store = SqlFleetStore(database)
    fleet = fleet_from(TEMPLATE)
    first = sync_fleet(fleet, store, clock, "fleet.yaml")
    assert first.summary()["mailbox"]["create"] == 66
    snapshot = store.snapshot()
    assert len(snapshot.of(EntityKind.SEGMENT)) == 5
    assert len(snapshot.of(EntityKind.DOMAIN)) == 6
    assert len(snapshot.of(EntityKind.MAILBOX)) == 66
    assert snapshot.of(EntityKind.DOMAIN)["acme-outreach.example"].spec["sending_ips"] == [
        "198.51.100.20",
        "2001:db8::20",
    ]
    clock.advance(timedelta(minutes=5))
    second = sync_fleet(fleet, store, clock, "fleet.yaml")
    assert second.is_empty
    assert store.last_sync() == clock.now() - timedelta(minutes=5)


def test_sync_keeps_runtime_state(database: Database, clock: FakeClock) -> None:
    """A spec change updates spec fields but never resets a domain's runtime state."""
    store = SqlFleetStore(database)
    sync_fleet(fleet_from(TEMPLATE), store, clock, "fleet.yaml")
    with database.session() as s:
        s.execute(update(DomainRow).where(DomainRow.name == "acme.example").values(state="warming"))
    changed = TEMPLATE.replace("timezone: America/New_York", "timezone: Europe/Berlin")
    plan = sync_fleet(fleet_from(changed), store, clock, "fleet.yaml")
    assert plan.summary()["domain"]["update"] == 5  # all but acme-ops, which sets its own zone
    record = store.snapshot().of(EntityKind.DOMAIN)["acme.example"]
    assert record.state == "warming"
    assert record.spec["timezone"] == "Europe/Berlin"


def test_removed_domain_is_kept_out_of_spec(database: Database, clock: FakeClock) -> None:
    """Dropping a domain from the spec marks it (and its mailboxes) out of spec, not deleted."""
    store = SqlFleetStore(database)
    fleet = fleet_from(TEMPLATE)
    sync_fleet(fleet, store, clock, "fleet.yaml")
    start = TEMPLATE.index("  - name: acme-connect.example")
    end = TEMPLATE.index("  - name: acme-notify.example")
    smaller = fleet_from(TEMPLATE[:start] + TEMPLATE[end:])
    plan = sync_fleet(smaller, store, clock, "fleet.yaml")
    assert plan.summary()["domain"]["remove"] == 1
    assert plan.summary()["mailbox"]["remove"] == 20
    record = store.snapshot().of(EntityKind.DOMAIN)["acme-connect.example"]
    assert not record.in_spec
    report = status(smaller, store)
    gone = [d for d in report.domains if not d.in_spec]
    assert [(d.name, d.mailboxes) for d in gone] == [("acme-connect.example", 20)]
    restored = sync_fleet(fleet, store, clock, "fleet.yaml")
    assert restored.summary()["domain"]["restore"] == 1


def test_status_reports_drift_and_unsynced(database: Database, clock: FakeClock) -> None:
    """Status shows unsynced domains before a sync and drifted fields after a spec edit."""
    store = SqlFleetStore(database)
    fleet = fleet_from(TEMPLATE)
    before = status(fleet, store)
    assert {d.state for d in before.domains} == {"unsynced"}
    assert before.last_sync is None
    sync_fleet(fleet, store, clock, "fleet.yaml")
    edited = fleet_from(TEMPLATE.replace("[192.0.2.10]", "[192.0.2.11]"))
    report = status(edited, store)
    drift = {d.name: d.drift for d in report.domains}
    assert drift["acme.example"] == ("sending_ips",)
    assert drift["acme-notify.example"] == ()
    assert {s.name: s.mailboxes for s in report.segments}["pool-a"] == 40
