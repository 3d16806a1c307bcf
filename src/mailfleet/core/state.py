"""What the database holds about the fleet: spec-owned fields beside runtime state.

A record's ``spec`` fields come from the spec and are overwritten by each sync; its ``state``
and timestamps belong to mailfleet's runtime (warmup, isolation, sending) and a sync never
touches them. A record whose entity left the spec keeps its state with ``in_spec`` false.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from mailfleet.core.fleet import Domain, Fleet, Mailbox, Segment


class EntityKind(StrEnum):
    """The spec entities mirrored in the database."""

    SEGMENT = "segment"
    DOMAIN = "domain"
    MAILBOX = "mailbox"


class SegmentState(StrEnum):
    """Runtime state of a segment."""

    ACTIVE = "active"
    PAUSED = "paused"


class DomainState(StrEnum):
    """Runtime state of a domain; later capabilities move it along."""

    PENDING = "pending"  # declared, not yet authenticated or warming
    WARMING = "warming"
    ACTIVE = "active"  # at target volume
    PAUSED = "paused"  # held by a person or by a gate
    ISOLATED = "isolated"  # rotated out of its pool after a listing or a breach
    RETIRED = "retired"


class MailboxState(StrEnum):
    """Runtime state of a mailbox."""

    PLANNED = "planned"  # in the spec, not yet provisioned
    ACTIVE = "active"
    SUSPENDED = "suspended"
    FAILED = "failed"


INITIAL_STATE: Mapping[EntityKind, str] = {
    EntityKind.SEGMENT: SegmentState.ACTIVE,
    EntityKind.DOMAIN: DomainState.PENDING,
    EntityKind.MAILBOX: MailboxState.PLANNED,
}


@dataclass(frozen=True, slots=True)
class Record:
    """One stored entity: its key, spec-owned fields and runtime state."""

    kind: EntityKind
    key: str
    spec: Mapping[str, object]
    state: str
    in_spec: bool = True
    last_activity_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FleetSnapshot:
    """Every stored record, by kind and key."""

    records: Mapping[EntityKind, Mapping[str, Record]] = field(default_factory=dict)

    def of(self, kind: EntityKind) -> Mapping[str, Record]:
        """The records of one kind, by key."""
        return self.records.get(kind, {})


def segment_fields(segment: Segment) -> dict[str, object]:
    """The spec-owned columns of a segment."""
    return {
        "purpose": segment.purpose,
        "volume_profile": segment.volume_profile.value,
        "daily_target": segment.daily_target,
        "priority": segment.priority.value,
        "schedule": segment.schedule.name,
    }


def domain_fields(domain: Domain) -> dict[str, object]:
    """The spec-owned columns of a domain."""
    return {
        "segment": domain.segment,
        "dns_provider": domain.dns_provider,
        "mailbox_provider": domain.mailbox_provider,
        "relay": domain.relay,
        "timezone": domain.timezone,
        "business_hours": domain.business_hours.name,
        "sending_ips": [str(ip) for ip in domain.sending_ips],
    }


def mailbox_fields(mailbox: Mailbox) -> dict[str, object]:
    """The spec-owned columns of a mailbox."""
    return {
        "domain": mailbox.domain,
        "username": mailbox.username,
        "display_name": mailbox.display_name,
        "daily_limit": mailbox.daily_limit,
        "forward_to": list(mailbox.forward_to),
    }


def desired_fields(fleet: Fleet) -> dict[EntityKind, dict[str, dict[str, object]]]:
    """What the spec says every record's spec-owned fields should be, by kind and key."""
    return {
        EntityKind.SEGMENT: {name: segment_fields(s) for name, s in fleet.segments.items()},
        EntityKind.DOMAIN: {d.name: domain_fields(d) for d in fleet.domains},
        EntityKind.MAILBOX: {m.address: mailbox_fields(m) for m in fleet.mailboxes()},
    }
