"""Plan how the database must change to mirror the spec: a pure diff, applied by a store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from mailfleet.core.fleet import Fleet
from mailfleet.core.state import EntityKind, FleetSnapshot, desired_fields


class ChangeKind(StrEnum):
    """What happens to one record."""

    CREATE = "create"
    UPDATE = "update"  # spec-owned fields changed; runtime state kept
    REMOVE = "remove"  # left the spec: kept, with its state, marked out of spec
    RESTORE = "restore"  # came back into the spec


@dataclass(frozen=True, slots=True)
class Change:
    """One record to write. ``fields`` are the new spec-owned values (empty for REMOVE)."""

    kind: ChangeKind
    entity: EntityKind
    key: str
    fields: Mapping[str, object] = field(default_factory=dict)
    changed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """Every change, plus how many records are already as the spec says."""

    changes: tuple[Change, ...]
    unchanged: Mapping[EntityKind, int]

    def count(self, entity: EntityKind, kind: ChangeKind) -> int:
        """How many changes of ``kind`` touch ``entity`` records."""
        return sum(1 for c in self.changes if c.entity == entity and c.kind == kind)

    @property
    def is_empty(self) -> bool:
        """True when the database already mirrors the spec."""
        return not self.changes

    def summary(self) -> dict[str, dict[str, int]]:
        """Counts per entity: created, updated, removed, restored, unchanged."""
        return {
            entity.value: {
                **{kind.value: self.count(entity, kind) for kind in ChangeKind},
                "unchanged": self.unchanged.get(entity, 0),
            }
            for entity in EntityKind
        }


def plan_sync(fleet: Fleet, snapshot: FleetSnapshot) -> SyncPlan:
    """Diff the spec against stored records. Parents come before children in the result."""
    changes: list[Change] = []
    unchanged: dict[EntityKind, int] = {}
    desired = desired_fields(fleet)
    for entity in (EntityKind.SEGMENT, EntityKind.DOMAIN, EntityKind.MAILBOX):
        stored = snapshot.of(entity)
        same = 0
        for key, fields in desired[entity].items():
            record = stored.get(key)
            if record is None:
                changes.append(Change(ChangeKind.CREATE, entity, key, fields))
                continue
            differing = tuple(sorted(k for k, v in fields.items() if record.spec.get(k) != v))
            if not record.in_spec:
                changes.append(Change(ChangeKind.RESTORE, entity, key, fields, differing))
            elif differing:
                changes.append(Change(ChangeKind.UPDATE, entity, key, fields, differing))
            else:
                same += 1
        unchanged[entity] = same
        for key, record in stored.items():
            if record.in_spec and key not in desired[entity]:
                changes.append(Change(ChangeKind.REMOVE, entity, key))
    return SyncPlan(tuple(changes), unchanged)
