"""The fleet's mirror in SQL: read a snapshot, apply a sync plan in one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Executable, insert, select, update
from sqlalchemy.orm import Session

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.tables import DomainRow, MailboxRow, SegmentRow, SpecSyncRow
from mailfleet.core.state import INITIAL_STATE, EntityKind, FleetSnapshot, Record
from mailfleet.core.sync import ChangeKind, SyncPlan

_SEGMENT_FIELDS = ("purpose", "volume_profile", "daily_target", "priority", "schedule")
_DOMAIN_FIELDS = (
    "dns_provider",
    "mailbox_provider",
    "relay",
    "timezone",
    "business_hours",
    "sending_ips",
)
_MAILBOX_FIELDS = ("username", "display_name", "daily_limit", "forward_to")


class SqlFleetStore:
    """Implements the ``FleetStore`` port on a ``Database``."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def snapshot(self) -> FleetSnapshot:
        """Every stored segment, domain and mailbox as records."""
        with self._db.session() as s:
            segments = {
                row.name: Record(
                    EntityKind.SEGMENT,
                    row.name,
                    {f: getattr(row, f) for f in _SEGMENT_FIELDS},
                    row.state,
                    row.in_spec,
                    None,
                    row.updated_at,
                )
                for row in s.scalars(select(SegmentRow))
            }
            domains = {
                name: Record(
                    EntityKind.DOMAIN,
                    name,
                    {"segment": segment, **{f: getattr(row, f) for f in _DOMAIN_FIELDS}},
                    row.state,
                    row.in_spec,
                    row.last_activity_at,
                    row.updated_at,
                )
                for row, name, segment in s.execute(
                    select(DomainRow, DomainRow.name, SegmentRow.name).join(SegmentRow)
                )
            }
            mailboxes = {
                row.address: Record(
                    EntityKind.MAILBOX,
                    row.address,
                    {"domain": domain, **{f: getattr(row, f) for f in _MAILBOX_FIELDS}},
                    row.state,
                    row.in_spec,
                    row.last_activity_at,
                    row.updated_at,
                )
                for row, domain in s.execute(select(MailboxRow, DomainRow.name).join(DomainRow))
            }
        return FleetSnapshot(
            {
                EntityKind.SEGMENT: segments,
                EntityKind.DOMAIN: domains,
                EntityKind.MAILBOX: mailboxes,
            }
        )

    def apply_sync(self, plan: SyncPlan, now: datetime, spec_path: str) -> None:
        """Write every change of ``plan`` and a sync record, all in one transaction."""
        with self._db.session() as s:
            for entity, table in (
                (EntityKind.SEGMENT, SegmentRow),
                (EntityKind.DOMAIN, DomainRow),
                (EntityKind.MAILBOX, MailboxRow),
            ):
                changes = [c for c in plan.changes if c.entity == entity]
                if not changes:
                    continue
                key_column = _key_column(table)
                parents = _parent_ids(s, entity)
                ids = _pairs(s, select(key_column, table.id))
                creates = [
                    {
                        key_column.key: c.key,
                        **_columns(entity, c.fields, parents),
                        "state": INITIAL_STATE[entity],
                        "in_spec": True,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for c in changes
                    if c.kind == ChangeKind.CREATE
                ]
                updates = [
                    {
                        "id": ids[c.key],
                        **_columns(entity, c.fields, parents),
                        "in_spec": True,
                        "updated_at": now,
                    }
                    for c in changes
                    if c.kind in (ChangeKind.UPDATE, ChangeKind.RESTORE)
                ] + [
                    {"id": ids[c.key], "in_spec": False, "updated_at": now}
                    for c in changes
                    if c.kind == ChangeKind.REMOVE
                ]
                if creates:
                    s.execute(insert(table), creates)
                if updates:
                    s.execute(update(table), updates)
                s.flush()
            s.add(SpecSyncRow(synced_at=now, spec_path=spec_path, summary=plan.summary()))

    def last_sync(self) -> datetime | None:
        """When the spec was last synced, if ever."""
        with self._db.session() as s:
            return s.scalar(select(SpecSyncRow.synced_at).order_by(SpecSyncRow.id.desc()).limit(1))


def _key_column(table: type[SegmentRow] | type[DomainRow] | type[MailboxRow]) -> Any:
    if table is MailboxRow:
        return MailboxRow.address
    return SegmentRow.name if table is SegmentRow else DomainRow.name


def _pairs(s: Session, query: Executable) -> dict[str, int]:
    """A two-column query as a dict."""
    return {str(key): int(value) for key, value in s.execute(query)}


def _parent_ids(s: Session, entity: EntityKind) -> Mapping[str, int]:
    if entity == EntityKind.DOMAIN:
        return _pairs(s, select(SegmentRow.name, SegmentRow.id))
    if entity == EntityKind.MAILBOX:
        return _pairs(s, select(DomainRow.name, DomainRow.id))
    return {}


def _columns(
    entity: EntityKind, fields: Mapping[str, object], parents: Mapping[str, int]
) -> dict[str, object]:
    names: Sequence[str]
    if entity == EntityKind.SEGMENT:
        names = _SEGMENT_FIELDS
        extra: dict[str, object] = {}
    elif entity == EntityKind.DOMAIN:
        names = _DOMAIN_FIELDS
        extra = {"segment_id": parents[str(fields["segment"])]}
    else:
        names = _MAILBOX_FIELDS
        extra = {"domain_id": parents[str(fields["domain"])]}
    return {**{name: fields[name] for name in names}, **extra}
