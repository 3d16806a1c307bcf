"""The fleet at a glance: the spec beside what the database holds, per segment and domain."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from mailfleet.core.fleet import Fleet
from mailfleet.core.state import EntityKind, FleetSnapshot, domain_fields


@dataclass(frozen=True, slots=True)
class DomainStatus:
    """One domain's row in ``mailfleet status``."""

    name: str
    segment: str
    state: str  # runtime state, or "unsynced" when the database does not know it yet
    in_spec: bool
    drift: tuple[str, ...]  # spec fields that differ from the database
    mailboxes: int
    sending_ips: tuple[str, ...]
    last_activity_at: datetime | None


@dataclass(frozen=True, slots=True)
class SegmentStatus:
    """One segment's totals."""

    name: str
    purpose: str
    priority: str
    daily_target: int
    state: str
    domains: int
    mailboxes: int


@dataclass(frozen=True, slots=True)
class FleetStatus:
    """Segments and domains, with when the spec was last synced."""

    fleet: str
    segments: tuple[SegmentStatus, ...]
    domains: tuple[DomainStatus, ...]
    last_sync: datetime | None

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "fleet": self.fleet,
            "last_sync": self.last_sync.isoformat() if self.last_sync else None,
            "segments": [asdict(s) for s in self.segments],
            "domains": [
                {
                    **asdict(d),
                    "last_activity_at": d.last_activity_at.isoformat()
                    if d.last_activity_at
                    else None,
                }
                for d in self.domains
            ],
        }


UNSYNCED = "unsynced"


def fleet_status(fleet: Fleet, snapshot: FleetSnapshot, last_sync: datetime | None) -> FleetStatus:
    """Join the spec with stored records. Domains that left the spec are listed last."""
    stored_domains = snapshot.of(EntityKind.DOMAIN)
    stored_segments = snapshot.of(EntityKind.SEGMENT)
    domains: list[DomainStatus] = []
    for domain in fleet.domains:
        record = stored_domains.get(domain.name)
        wanted = domain_fields(domain)
        drift = (
            tuple(sorted(k for k, v in wanted.items() if record.spec.get(k) != v)) if record else ()
        )
        domains.append(
            DomainStatus(
                name=domain.name,
                segment=domain.segment,
                state=record.state if record else UNSYNCED,
                in_spec=True,
                drift=drift,
                mailboxes=len(domain.mailboxes),
                sending_ips=tuple(str(ip) for ip in domain.sending_ips),
                last_activity_at=record.last_activity_at if record else None,
            )
        )
    in_spec = {d.name for d in fleet.domains}
    mailboxes_by_domain: dict[str, int] = {}
    for mailbox in snapshot.of(EntityKind.MAILBOX).values():
        owner = str(mailbox.spec.get("domain"))
        mailboxes_by_domain[owner] = mailboxes_by_domain.get(owner, 0) + 1
    for name, record in sorted(stored_domains.items()):
        if name not in in_spec:
            domains.append(
                DomainStatus(
                    name=name,
                    segment=str(record.spec.get("segment", "")),
                    state=record.state,
                    in_spec=False,
                    drift=(),
                    mailboxes=mailboxes_by_domain.get(name, 0),
                    sending_ips=_strings(record.spec.get("sending_ips")),
                    last_activity_at=record.last_activity_at,
                )
            )
    segments = tuple(
        SegmentStatus(
            name=name,
            purpose=segment.purpose,
            priority=segment.priority.value,
            daily_target=segment.daily_target,
            state=stored_segments[name].state if name in stored_segments else UNSYNCED,
            domains=sum(1 for d in fleet.domains if d.segment == name),
            mailboxes=sum(len(d.mailboxes) for d in fleet.domains if d.segment == name),
        )
        for name, segment in fleet.segments.items()
    )
    return FleetStatus(fleet.name, segments, tuple(domains), last_sync)


def _strings(value: object) -> tuple[str, ...]:
    """A stored JSON list as a tuple of strings."""
    return tuple(str(v) for v in value) if isinstance(value, list) else ()
