"""Per-domain daily feedback counts for the dashboard, read from the rollup.

Gives the same ``DailyCounts`` as ``SqlFeedbackStore.daily_counts`` over the raw events: whole
UTC days come from ``web_feedback_daily``; the uncovered edges of a range (a start that is
not midnight, and the rest of the last day after ``until``, which holds only events
time-stamped in the future) are read from the raw events on their time index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.feedback_tables import FeedbackEventRow
from mailfleet.adapters.db.web_rollup_tables import FeedbackDailyRow
from mailfleet.core.feedback.events import DailyCounts, EventKind, FeedbackEvent, daily_counts

_FIELDS = ("deliveries", "deferrals", "bounces", "hard_bounces", "complaints")
_Key = tuple[date, str]
_Table = dict[_Key, list[int]]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def _is_midnight(at: datetime) -> bool:
    return at.astimezone(UTC).time() == time.min


class SqlFeedbackDailyCounts:
    """Implements ``daily_counts`` (and a one-domain variant) over the rollup table."""

    def __init__(self, database: Database, hard_reasons: frozenset[str] = frozenset()) -> None:
        self._db = database
        self._hard = hard_reasons

    def daily_counts(self, since: datetime, until: datetime) -> list[DailyCounts]:
        """Per-day, per-sending-domain counts of events in ``[since, until)``."""
        return self._counts(since, until, None)

    def domain_daily_counts(
        self, domains: Sequence[str], since: datetime, until: datetime
    ) -> list[DailyCounts]:
        """The same for some sending domains (their rows only, read on the domain key)."""
        names = sorted({d.lower() for d in domains})
        return self._counts(since, until, names) if names else []

    def domain_totals(
        self, domains: Sequence[str], since: datetime, until: datetime
    ) -> list[DailyCounts]:
        """One row per sending domain summing ``[since, until)`` (dated ``since``'s day):
        what rolling rates need, summed by the database rather than row by row here."""
        names = sorted({d.lower() for d in domains})
        return self._counts(since, until, names, by_day=False) if names else []

    def _counts(
        self,
        since: datetime,
        until: datetime,
        domain: Sequence[str] | None,
        *,
        by_day: bool = True,
    ) -> list[DailyCounts]:
        if until <= since:
            return []
        since, until = since.astimezone(UTC), until.astimezone(UTC)
        if not by_day:
            totals: _Table = {}
            for (_, name), values in self._table(since, until, domain, by_day=False).items():
                summed = totals.setdefault((since.date(), name), [0] * len(_FIELDS))
                for i, value in enumerate(values):
                    summed[i] += value
            table = totals
        else:
            table = self._table(since, until, domain, by_day=True)
        return [
            DailyCounts(day, name, *values)
            for (day, name), values in sorted(table.items())
            if any(values)
        ]

    def _table(
        self, since: datetime, until: datetime, domain: Sequence[str] | None, *, by_day: bool
    ) -> _Table:
        first = since.date() if _is_midnight(since) else since.date() + timedelta(days=1)
        last = (until - timedelta(microseconds=1)).date()  # the day holding until's last instant
        table: _Table = {}
        if first > last:  # within one day and not from its midnight: all raw
            self._add_raw(table, since, until, domain, +1)
        else:
            self._add_rollup(table, first, last, domain, by_day)
            if since < _midnight(first):
                self._add_raw(table, since, _midnight(first), domain, +1)
            if until < _midnight(last + timedelta(days=1)):
                self._add_raw(table, until, _midnight(last + timedelta(days=1)), domain, -1)
        return table

    def rollup_query(
        self,
        first: date,
        last: date,
        domain: Sequence[str] | None = None,
        *,
        by_day: bool = True,
    ) -> Any:
        """The rollup's counts of days ``first`` to ``last`` (of some domains), grouped by day
        and domain (or by domain alone): the queries behind the overview's rates and the
        domain page's charts."""
        r = FeedbackDailyRow

        def count(*condition: Any) -> Any:
            return func.coalesce(func.sum(case((and_(*condition), r.events), else_=0)), 0)

        day = r.day if by_day else func.min(r.day)
        query = (
            select(
                day,
                r.sending_domain,
                count(r.kind == "delivery"),
                count(r.kind == "deferral"),
                count(r.kind == "bounce"),
                count(r.kind == "bounce", r.permanent.is_(True), r.reason.in_(sorted(self._hard))),
                count(r.kind == "complaint"),
            )
            .where(r.day >= first, r.day <= last)
            .group_by(*([r.day, r.sending_domain] if by_day else [r.sending_domain]))
        )
        if domain is not None:
            query = query.where(r.sending_domain.in_(domain))
        return query

    def _add_rollup(
        self,
        table: _Table,
        first: date,
        last: date,
        domain: Sequence[str] | None,
        by_day: bool = True,
    ) -> None:
        query = self.rollup_query(first, last, domain, by_day=by_day)
        with self._db.session() as s:
            for day, name, *values in s.execute(query):
                table[(day, name)] = [int(v) for v in values]

    def _add_raw(
        self,
        table: _Table,
        since: datetime,
        until: datetime,
        domain: Sequence[str] | None,
        sign: int,
    ) -> None:
        e = FeedbackEventRow
        query = select(e.kind, e.sending_domain, e.reason, e.permanent, e.occurred_at).where(
            e.occurred_at >= since, e.occurred_at < until
        )
        if domain is not None:
            wanted = e.sending_domain.in_(domain)
            # the rollup's "" is the events' NULL (no sending domain)
            query = query.where(or_(wanted, e.sending_domain.is_(None)) if "" in domain else wanted)
        with self._db.session() as s:
            rows = s.execute(query).all()
        for counts in daily_counts(_events(rows), self._hard):
            values = table.setdefault((counts.day, counts.domain), [0] * len(_FIELDS))
            for i, name in enumerate(_FIELDS):
                values[i] += sign * int(getattr(counts, name))


def _events(rows: Iterable[tuple[str, str | None, str, bool, datetime]]) -> Iterable[FeedbackEvent]:
    for kind, domain, reason, permanent, occurred_at in rows:
        yield FeedbackEvent(
            kind=EventKind(kind),
            recipient="",
            occurred_at=occurred_at,
            reason=reason,
            permanent=permanent,
            sending_domain=domain,
        )
