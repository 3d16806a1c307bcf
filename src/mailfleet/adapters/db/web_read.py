"""The dashboard's read model over the foundation tables: filtered, sorted and paged in SQL.

A page of the overview costs three queries whatever the fleet's size: the page of domains
(mailbox counts joined from a grouped subquery), its total, and nothing per row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, or_, select

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.tables import DomainRow, MailboxRow, SegmentRow
from mailfleet.core.dashboard.values import (
    DomainQuery,
    DomainSummary,
    MailboxQuery,
    MailboxSummary,
    Page,
    SegmentSummary,
    SortKey,
)


def _like(text: str) -> str:
    """A LIKE pattern that matches ``text`` literally anywhere."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class SqlFleetReadModel:
    """Implements ``FleetReadModel`` on a ``Database``."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def segments(self) -> Sequence[SegmentSummary]:
        """Every segment with its totals."""
        domains = (
            select(DomainRow.segment_id, func.count(DomainRow.id).label("n"))
            .group_by(DomainRow.segment_id)
            .subquery()
        )
        mailboxes = (
            select(DomainRow.segment_id, func.count(MailboxRow.id).label("n"))
            .join(MailboxRow, MailboxRow.domain_id == DomainRow.id)
            .group_by(DomainRow.segment_id)
            .subquery()
        )
        query = (
            select(SegmentRow, domains.c.n, mailboxes.c.n)
            .outerjoin(domains, domains.c.segment_id == SegmentRow.id)
            .outerjoin(mailboxes, mailboxes.c.segment_id == SegmentRow.id)
            .order_by(SegmentRow.name)
        )
        with self._db.session() as s:
            return [
                SegmentSummary(
                    row.name,
                    row.purpose,
                    row.priority,
                    row.daily_target,
                    row.state,
                    int(n_domains or 0),
                    int(n_mailboxes or 0),
                )
                for row, n_domains, n_mailboxes in s.execute(query)
            ]

    def _domain_query(self) -> Any:
        counts = (
            select(MailboxRow.domain_id, func.count(MailboxRow.id).label("n"))
            .group_by(MailboxRow.domain_id)
            .subquery()
        )
        # Plain columns, not ORM entities: building 500 entities costs more than the query.
        return (
            select(
                *_DOMAIN_COLUMNS,
                SegmentRow.name.label("segment"),
                func.coalesce(counts.c.n, 0).label("mailboxes"),
            )
            .join(SegmentRow, SegmentRow.id == DomainRow.segment_id)
            .outerjoin(counts, counts.c.domain_id == DomainRow.id)
        )

    def domains(self, query: DomainQuery) -> Page[DomainSummary]:
        """One page of domains."""
        base = self._domain_query()
        if query.segment:
            base = base.where(SegmentRow.name == query.segment)
        if query.state:
            base = base.where(DomainRow.state == query.state)
        if query.search:
            base = base.where(func.lower(DomainRow.name).like(_like(query.search), escape="\\"))
        columns: dict[SortKey, list[Any]] = {
            SortKey.NAME: [DomainRow.name],
            SortKey.SEGMENT: [SegmentRow.name, DomainRow.name],
            SortKey.STATE: [DomainRow.state, DomainRow.name],
            SortKey.ACTIVITY: [DomainRow.last_activity_at, DomainRow.name],
            SortKey.MAILBOXES: [base.selected_columns.mailboxes, DomainRow.name],
        }
        ordered = [c.desc() if query.descending else c.asc() for c in columns[query.sort]]
        with self._db.session() as s:
            total = int(s.scalar(select(func.count()).select_from(base.subquery())) or 0)
            rows = s.execute(base.order_by(*ordered).offset(query.offset).limit(query.per_page))
            found = tuple(_domain(row) for row in rows)
        return Page(found, total, query.page, query.per_page)

    def domain(self, name: str) -> DomainSummary | None:
        """One domain."""
        with self._db.session() as s:
            found = s.execute(self._domain_query().where(DomainRow.name == name)).first()
            return _domain(found) if found else None

    def mailboxes(self, query: MailboxQuery) -> Page[MailboxSummary]:
        """One page of mailboxes, ordered by address."""
        base = (
            select(MailboxRow, DomainRow.name, SegmentRow.name)
            .join(DomainRow, DomainRow.id == MailboxRow.domain_id)
            .join(SegmentRow, SegmentRow.id == DomainRow.segment_id)
        )
        if query.domain:
            base = base.where(DomainRow.name == query.domain)
        if query.segment:
            base = base.where(SegmentRow.name == query.segment)
        if query.state:
            base = base.where(MailboxRow.state == query.state)
        if query.search:
            pattern = _like(query.search)
            base = base.where(
                or_(
                    func.lower(MailboxRow.address).like(pattern, escape="\\"),
                    func.lower(MailboxRow.display_name).like(pattern, escape="\\"),
                )
            )
        if query.idle_since is not None:
            base = base.where(
                or_(
                    MailboxRow.last_activity_at.is_(None),
                    MailboxRow.last_activity_at < query.idle_since,
                )
            )
        with self._db.session() as s:
            total = int(s.scalar(select(func.count()).select_from(base.subquery())) or 0)
            rows = s.execute(
                base.order_by(MailboxRow.address).offset(query.offset).limit(query.per_page)
            )
            found = tuple(
                MailboxSummary(
                    row.address,
                    domain,
                    segment,
                    row.display_name,
                    row.daily_limit,
                    row.state,
                    row.in_spec,
                    row.last_activity_at,
                )
                for row, domain, segment in rows
            )
        return Page(found, total, query.page, query.per_page)

    def state_counts(self) -> Mapping[str, Mapping[str, int]]:
        """Domains and mailboxes per state."""
        with self._db.session() as s:
            domains = s.execute(select(DomainRow.state, func.count()).group_by(DomainRow.state))
            by_domain = {str(state): int(n) for state, n in domains}
            mailboxes = s.execute(select(MailboxRow.state, func.count()).group_by(MailboxRow.state))
            by_mailbox = {str(state): int(n) for state, n in mailboxes}
        return {"domain": by_domain, "mailbox": by_mailbox}


_DOMAIN_COLUMNS = (
    DomainRow.name,
    DomainRow.state,
    DomainRow.in_spec,
    DomainRow.last_activity_at,
    DomainRow.dns_provider,
    DomainRow.mailbox_provider,
    DomainRow.relay,
    DomainRow.timezone,
    DomainRow.business_hours,
    DomainRow.sending_ips,
    DomainRow.updated_at,
)


def _domain(row: Any) -> DomainSummary:
    return DomainSummary(
        name=row.name,
        segment=row.segment,
        state=row.state,
        in_spec=row.in_spec,
        mailboxes=int(row.mailboxes),
        last_activity_at=row.last_activity_at,
        dns_provider=row.dns_provider,
        mailbox_provider=row.mailbox_provider,
        relay=row.relay,
        timezone=row.timezone,
        business_hours=row.business_hours,
        sending_ips=tuple(str(ip) for ip in row.sending_ips or ()),
        updated_at=row.updated_at,
    )
