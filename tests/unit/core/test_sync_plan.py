"""The pure diff between the spec and the stored mirror."""

from __future__ import annotations

from dataclasses import replace
from importlib import resources
from pathlib import Path

from mailfleet.core.fleet import Fleet
from mailfleet.core.state import EntityKind, FleetSnapshot, Record, desired_fields
from mailfleet.core.sync import ChangeKind, plan_sync
from mailfleet.spec import load_fleet_text


def template_fleet() -> Fleet:
    text = resources.files("mailfleet.spec").joinpath("template.yaml").read_text("utf-8")
    return load_fleet_text(text, Path("fleet.yaml"))


def mirror(fleet: Fleet) -> FleetSnapshot:
    """A snapshot that stores exactly what the spec says."""
    return FleetSnapshot(
        {
            kind: {key: Record(kind, key, fields, "active") for key, fields in entries.items()}
            for kind, entries in desired_fields(fleet).items()
        }
    )


def test_empty_store_creates_everything_parents_first() -> None:
    """Against an empty store every entity is created, segments before domains before mailboxes."""
    fleet = template_fleet()
    plan = plan_sync(fleet, FleetSnapshot())
    assert plan.summary()["segment"]["create"] == 5
    assert plan.summary()["domain"]["create"] == 6
    assert plan.summary()["mailbox"]["create"] == 66
    order = [c.entity for c in plan.changes]
    assert order.index(EntityKind.MAILBOX) > order.index(EntityKind.DOMAIN)
    assert order.index(EntityKind.DOMAIN) > order.index(EntityKind.SEGMENT)


def test_mirror_plans_nothing() -> None:
    """When the store already mirrors the spec the plan is empty."""
    fleet = template_fleet()
    plan = plan_sync(fleet, mirror(fleet))
    assert plan.is_empty
    assert plan.unchanged[EntityKind.MAILBOX] == 66


def test_changed_field_is_an_update_naming_the_field() -> None:
    """A changed spec field becomes an update that names what changed."""
    fleet = template_fleet()
    snapshot = mirror(fleet)
    domains = dict(snapshot.of(EntityKind.DOMAIN))
    old = domains["acme.example"]
    domains["acme.example"] = replace(old, spec={**old.spec, "timezone": "UTC"})
    plan = plan_sync(fleet, FleetSnapshot({**snapshot.records, EntityKind.DOMAIN: domains}))
    assert [(c.kind, c.key, c.changed) for c in plan.changes] == [
        (ChangeKind.UPDATE, "acme.example", ("timezone",))
    ]


def test_entities_gone_from_the_spec_are_removed_and_can_come_back() -> None:
    """A stored entity missing from the spec is removed; one that returns is restored."""
    fleet = template_fleet()
    snapshot = mirror(fleet)
    mailboxes = dict(snapshot.of(EntityKind.MAILBOX))
    mailboxes["ghost@acme.example"] = Record(EntityKind.MAILBOX, "ghost@acme.example", {}, "active")
    hello = mailboxes["hello@acme.example"]
    mailboxes["hello@acme.example"] = replace(hello, in_spec=False)
    plan = plan_sync(fleet, FleetSnapshot({**snapshot.records, EntityKind.MAILBOX: mailboxes}))
    kinds = {(c.kind, c.key) for c in plan.changes}
    assert kinds == {
        (ChangeKind.REMOVE, "ghost@acme.example"),
        (ChangeKind.RESTORE, "hello@acme.example"),
    }
