"""The inventory join and its filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mailfleet.core.fleet import Fleet
from mailfleet.core.mailboxes.inventory import UNPROVISIONED, InventoryFilter, build_inventory
from mailfleet.core.mailboxes.ports import LedgerEntry
from mailfleet.core.state import EntityKind, FleetSnapshot, MailboxState, Record

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _ledger() -> dict[str, LedgerEntry]:
    return {
        "hello@one.example": LedgerEntry(
            "hello@one.example",
            "local",
            MailboxState.ACTIVE,
            provisioned_at=NOW - timedelta(days=30),
            last_login_at=NOW - timedelta(days=20),
        ),
        "sdr01@two.example": LedgerEntry(
            "sdr01@two.example", "local", MailboxState.SUSPENDED, last_error=""
        ),
        "gone@one.example": LedgerEntry("gone@one.example", "local", MailboxState.SUSPENDED),
    }


def _snapshot() -> FleetSnapshot:
    sent = Record(
        EntityKind.MAILBOX,
        "hello@one.example",
        {"domain": "one.example"},
        "active",
        last_activity_at=NOW - timedelta(days=2),
    )
    return FleetSnapshot({EntityKind.MAILBOX: {"hello@one.example": sent}})


def test_rows_join_spec_ledger_and_sends(fleet: Fleet) -> None:
    """Spec mailboxes carry their ledger state; last activity is the later of login and send."""
    rows = build_inventory(fleet, _ledger(), _snapshot(), NOW)
    by_address = {r.address: r for r in rows}
    hello = by_address["hello@one.example"]
    assert (hello.segment, hello.status) == ("primary", "active")
    assert hello.last_activity_at == NOW - timedelta(days=2)
    assert by_address["sales@one.example"].status == UNPROVISIONED
    assert by_address["gone@one.example"].in_spec is False
    assert rows[-1].address == "gone@one.example"


def test_filters_by_domain_segment_and_status(fleet: Fleet) -> None:
    """Filters combine: pool-a and suspended leaves exactly the suspended SDR."""
    rows = build_inventory(
        fleet, _ledger(), _snapshot(), NOW, InventoryFilter(segment="pool-a", status="suspended")
    )
    assert [r.address for r in rows] == ["sdr01@two.example"]
    rows = build_inventory(
        fleet, _ledger(), _snapshot(), NOW, InventoryFilter(domain="one.example")
    )
    assert {r.domain for r in rows} == {"one.example"}


def test_idle_filter_keeps_quiet_and_never_active_mailboxes(fleet: Fleet) -> None:
    """Idle for 7 days drops the mailbox that sent 2 days ago, keeps those never active."""
    rows = build_inventory(fleet, _ledger(), _snapshot(), NOW, InventoryFilter(idle_days=7))
    addresses = {r.address for r in rows}
    assert "hello@one.example" not in addresses
    assert "sales@one.example" in addresses
    rows = build_inventory(fleet, _ledger(), _snapshot(), NOW, InventoryFilter(idle_days=1))
    assert "hello@one.example" in {r.address for r in rows}
