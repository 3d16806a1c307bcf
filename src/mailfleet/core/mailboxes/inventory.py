"""The mailbox inventory: spec, ledger and sending activity joined, then filtered (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from mailfleet.core.fleet import Fleet
from mailfleet.core.mailboxes.ports import LedgerEntry
from mailfleet.core.state import EntityKind, FleetSnapshot

UNPROVISIONED = "unprovisioned"


@dataclass(frozen=True, slots=True)
class InventoryRow:
    """One mailbox in ``mailfleet mailboxes list``."""

    address: str
    domain: str
    segment: str
    provider: str
    status: str  # the ledger's state, or "unprovisioned"
    in_spec: bool
    provider_id: str | None
    provisioned_at: datetime | None
    last_login_at: datetime | None  # as the provider reports it
    last_send_at: datetime | None  # its last send through mailfleet
    last_error: str

    @property
    def last_activity_at(self) -> datetime | None:
        """The later of its last login and its last send."""
        seen = [t for t in (self.last_login_at, self.last_send_at) if t is not None]
        return max(seen) if seen else None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "address": self.address,
            "domain": self.domain,
            "segment": self.segment,
            "provider": self.provider,
            "status": self.status,
            "in_spec": self.in_spec,
            "provider_id": self.provider_id,
            "provisioned_at": _stamp(self.provisioned_at),
            "last_login_at": _stamp(self.last_login_at),
            "last_send_at": _stamp(self.last_send_at),
            "last_activity_at": _stamp(self.last_activity_at),
            "last_error": self.last_error,
        }


@dataclass(frozen=True, slots=True)
class InventoryFilter:
    """Which rows to keep; ``idle_days`` keeps mailboxes with no activity for that long."""

    domain: str | None = None
    segment: str | None = None
    status: str | None = None
    idle_days: int | None = None

    def keeps(self, row: InventoryRow, now: datetime) -> bool:
        """True when ``row`` passes every filter that is set."""
        if self.domain is not None and row.domain != self.domain:
            return False
        if self.segment is not None and row.segment != self.segment:
            return False
        if self.status is not None and row.status != self.status:
            return False
        if self.idle_days is not None:
            last = row.last_activity_at
            if last is not None and now - last < timedelta(days=self.idle_days):
                return False
        return True


def build_inventory(
    fleet: Fleet,
    ledger: Mapping[str, LedgerEntry],
    snapshot: FleetSnapshot,
    now: datetime,
    wanted: InventoryFilter = InventoryFilter(),
) -> list[InventoryRow]:
    """Spec mailboxes first (spec order), then ledger entries that left the spec."""
    sends = {k: r.last_activity_at for k, r in snapshot.of(EntityKind.MAILBOX).items()}
    rows: list[InventoryRow] = []
    seen: set[str] = set()
    for domain in fleet.domains:
        for mailbox in domain.mailboxes:
            entry = ledger.get(mailbox.address)
            seen.add(mailbox.address)
            rows.append(
                _row(mailbox.address, domain.segment, domain.mailbox_provider, True, entry, sends)
            )
    stored = snapshot.of(EntityKind.MAILBOX)
    for address, entry in sorted(ledger.items()):
        if address not in seen:
            record = stored.get(address)
            segment = ""
            if record is not None:
                owner = str(record.spec.get("domain", ""))
                owner_record = snapshot.of(EntityKind.DOMAIN).get(owner)
                segment = str(owner_record.spec.get("segment", "")) if owner_record else ""
            rows.append(_row(address, segment, entry.provider, False, entry, sends))
    return [row for row in rows if wanted.keeps(row, now)]


def _stamp(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def _row(
    address: str,
    segment: str,
    provider: str,
    in_spec: bool,
    entry: LedgerEntry | None,
    sends: Mapping[str, datetime | None],
) -> InventoryRow:
    return InventoryRow(
        address=address,
        domain=address.rpartition("@")[2],
        segment=segment,
        provider=provider,
        status=entry.state.value if entry else UNPROVISIONED,
        in_spec=in_spec,
        provider_id=entry.provider_id if entry else None,
        provisioned_at=entry.provisioned_at if entry else None,
        last_login_at=entry.last_login_at if entry else None,
        last_send_at=sends.get(address),
        last_error=entry.last_error if entry else "",
    )


def statuses(rows: Iterable[InventoryRow]) -> dict[str, int]:
    """How many rows have each status."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts
