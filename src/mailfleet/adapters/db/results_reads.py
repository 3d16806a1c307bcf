"""The results report's history reads in SQL: decisions, DNSBL results and isolations.

Read-only queries over other capabilities' tables (``warmup_decisions``, ``dnsbl_runs`` and
``dnsbl_results``, ``domain_isolations``); grouping happens in SQL so a long history costs
one row per (subject, zone) pair, not one per check.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime

from sqlalchemy import Date, case, cast, func, select
from sqlalchemy.sql.elements import ColumnElement

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.feedback_tables import FeedbackEventRow
from mailfleet.adapters.db.reputation_tables import DnsblResultRow, DnsblRunRow, DomainIsolationRow
from mailfleet.adapters.db.warmup_tables import WarmupDecisionRow
from mailfleet.core.feedback.events import EventKind
from mailfleet.core.reputation.verdict import Verdict
from mailfleet.core.results import Listing
from mailfleet.core.results_ports import DnsblHistory, DomainDay
from mailfleet.core.state import DomainState

_CHUNK = 500  # names per IN (...) list: well under every backend's parameter limit


class SqlResultsHistory:
    """Implements ``ResultsHistory`` on a ``Database``."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def cap_history(self, domains: Collection[str]) -> Mapping[str, Sequence[tuple[date, int]]]:
        """Each domain's decisions as (day, next cap), oldest first (ties by row id)."""
        names = sorted(set(domains))
        found: dict[str, list[tuple[date, int]]] = {}
        with self._db.session() as s:
            for start in range(0, len(names), _CHUNK):
                query = (
                    select(
                        WarmupDecisionRow.domain, WarmupDecisionRow.day, WarmupDecisionRow.next_cap
                    )
                    .where(WarmupDecisionRow.domain.in_(names[start : start + _CHUNK]))
                    .order_by(WarmupDecisionRow.day, WarmupDecisionRow.id)
                )
                for domain, day, cap in s.execute(query):
                    found.setdefault(str(domain), []).append((day, int(cap)))
        return found

    def _utc_day(self) -> ColumnElement[object]:
        """The event's UTC day as SQL: SQLite keeps naive UTC text, PostgreSQL a timestamptz
        (read in UTC whatever the session's time zone)."""
        column = FeedbackEventRow.occurred_at
        if self._db.dialect == "sqlite":
            return func.substr(column, 1, 10)
        return cast(func.timezone("UTC", column), Date)

    def domain_days(self, since: datetime, until: datetime) -> Sequence[DomainDay]:
        """Totals grouped in SQL: one row per domain and day, however many events."""
        day = self._utc_day().label("day")

        def count(kind: EventKind) -> ColumnElement[int]:
            return func.sum(case((FeedbackEventRow.kind == kind.value, 1), else_=0))

        query = (
            select(
                day,
                FeedbackEventRow.sending_domain,
                count(EventKind.DELIVERY),
                count(EventKind.BOUNCE),
                count(EventKind.COMPLAINT),
            )
            .where(
                FeedbackEventRow.occurred_at >= since,
                FeedbackEventRow.occurred_at < until,
                FeedbackEventRow.sending_domain.is_not(None),
            )
            .group_by(day, FeedbackEventRow.sending_domain)
        )
        with self._db.session() as s:
            rows = s.execute(query).all()
        return [
            DomainDay(
                value if isinstance(value, date) else date.fromisoformat(str(value)),
                str(domain),
                int(delivered or 0),
                int(bounced or 0),
                int(complained or 0),
            )
            for value, domain, delivered, bounced, complained in rows
        ]

    def dnsbl_history(
        self, since: datetime, until: datetime, subjects: Collection[str]
    ) -> DnsblHistory:
        """Run count in the period, and each listed (subject, zone) with first and last seen."""
        in_period = (DnsblRunRow.checked_at >= since, DnsblRunRow.checked_at < until)
        wanted = sorted(set(subjects))
        listings: list[Listing] = []
        with self._db.session() as s:
            runs = int(s.scalar(select(func.count(DnsblRunRow.id)).where(*in_period)) or 0)
            for start in range(0, len(wanted), _CHUNK):
                query = (
                    select(
                        DnsblResultRow.target,
                        DnsblResultRow.zone,
                        func.min(DnsblRunRow.checked_at),
                        func.max(DnsblRunRow.checked_at),
                        func.count(func.distinct(DnsblRunRow.id)),
                    )
                    .join(DnsblRunRow, DnsblRunRow.id == DnsblResultRow.run_id)
                    .where(
                        *in_period,
                        DnsblResultRow.verdict == Verdict.LISTED.value,
                        DnsblResultRow.target.in_(wanted[start : start + _CHUNK]),
                    )
                    .group_by(DnsblResultRow.target, DnsblResultRow.zone)
                )
                listings.extend(
                    Listing(str(target), str(zone), first, last, int(checks))
                    for target, zone, first, last, checks in s.execute(query)
                )
        return DnsblHistory(runs, tuple(listings))

    def isolated_between(self, since: datetime, until: datetime) -> frozenset[str]:
        """Domains whose state became ``isolated`` in the period."""
        query = (
            select(DomainIsolationRow.domain)
            .where(
                DomainIsolationRow.new_state == DomainState.ISOLATED.value,
                DomainIsolationRow.at >= since,
                DomainIsolationRow.at < until,
            )
            .distinct()
        )
        with self._db.session() as s:
            return frozenset(str(name) for name in s.scalars(query))
