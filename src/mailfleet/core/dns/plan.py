"""Plans: the difference between what a zone should hold and what it holds, octoDNS-style.

Only slots mailfleet owns are compared (see ``templates.Slot``); every other RRset in the
zone is invisible to the plan, so it can never be changed or deleted. In a shared RRset (the
apex TXT), the foreign values are carried over untouched into the new RRset.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from mailfleet.core.dns.records import Record, RecordType
from mailfleet.core.dns.templates import DesiredZone, SafetyLimits, Slot


class ChangeKind(StrEnum):
    """What a change does to an RRset."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Change:
    """One RRset change: ``before`` is None for a create, ``after`` is None for a delete."""

    kind: ChangeKind
    before: Record | None
    after: Record | None

    @property
    def record(self) -> Record:
        """The RRset this change is about (the new one, or the deleted one)."""
        record = self.after or self.before
        assert record is not None
        return record

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "kind": str(self.kind),
            "name": self.record.name,
            "type": str(self.record.type),
            "before": self.before.as_dict() if self.before else None,
            "after": self.after.as_dict() if self.after else None,
        }


@dataclass(frozen=True, slots=True)
class ZonePlan:
    """The changes for one domain's zone, and how many owned RRsets it holds now."""

    zone: str
    changes: tuple[Change, ...]
    existing_owned: int
    zone_exists: bool = True

    @property
    def is_empty(self) -> bool:
        """True when the zone already matches."""
        return not self.changes and self.zone_exists

    def count(self, kind: ChangeKind) -> int:
        """How many changes of ``kind``."""
        return sum(1 for change in self.changes if change.kind is kind)


def _split(record: Record | None, slot: Slot) -> tuple[set[str], set[str]]:
    if record is None:
        return set(), set()
    ours = {v for v in record.values if slot.owns(v)}
    return ours, set(record.values) - ours


def plan_zone(desired: DesiredZone, current: Iterable[Record], *, zone_exists: bool) -> ZonePlan:
    """Diff one zone. Deletes come first so that a TXT selector can become a CNAME."""
    by_key = {record.key: record for record in current}
    wanted = {record.key: record for record in desired.records}
    creates: list[Change] = []
    updates: list[Change] = []
    deletes: list[Change] = []
    existing_owned = 0
    for slot in desired.slots:
        key = (slot.name, slot.type)
        now = by_key.get(key)
        ours_now, foreign = _split(now, slot)
        existing_owned += bool(ours_now)
        target = wanted.get(key)
        ours_wanted = set(target.values) if target else set()
        if now is None:
            if target is not None:
                creates.append(Change(ChangeKind.CREATE, None, target))
            continue
        if target is None and not ours_now:
            continue
        if ours_wanted | foreign == set(now.values) and (target is None or target.ttl == now.ttl):
            continue
        merged = ours_wanted | foreign
        if not merged:
            deletes.append(Change(ChangeKind.DELETE, now, None))
            continue
        ttl = target.ttl if target else now.ttl
        after = Record(now.name, now.type, ttl, tuple(sorted(merged)))
        updates.append(Change(ChangeKind.UPDATE, now, after))
    return ZonePlan(desired.zone, (*deletes, *updates, *creates), existing_owned, zone_exists)


@dataclass(frozen=True, slots=True)
class SafetyVerdict:
    """Whether a plan may be applied without ``force``, and why not."""

    safe: bool
    reasons: tuple[str, ...] = ()


def check_safety(plans: Sequence[ZonePlan], limits: SafetyLimits) -> SafetyVerdict:
    """Refuse plans that rewrite or delete too much of what already exists (octoDNS's rule)."""
    existing = sum(p.existing_owned for p in plans)
    updates = sum(p.count(ChangeKind.UPDATE) for p in plans)
    deletes = sum(p.count(ChangeKind.DELETE) for p in plans)
    reasons = []
    if (
        existing >= limits.min_existing
        and (updates + deletes) > existing * limits.max_change_fraction
    ):
        reasons.append(
            f"{updates} updates and {deletes} deletes touch more than "
            f"{limits.max_change_fraction:.0%} of {existing} existing records"
        )
    if deletes > limits.max_deletes:
        reasons.append(f"{deletes} deletes exceed the limit of {limits.max_deletes}")
    return SafetyVerdict(not reasons, tuple(reasons))


def record_types(plans: Sequence[ZonePlan]) -> frozenset[RecordType]:
    """Every record type a set of plans writes, to check against a provider's support."""
    return frozenset(c.record.type for p in plans for c in p.changes)
