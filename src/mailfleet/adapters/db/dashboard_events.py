"""A domain's recent feedback events for its dashboard page, read from ``feedback_events``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.feedback_tables import FeedbackEventRow
from mailfleet.core.dashboard.values import EventItem

# deliveries are the bulk of the table and say nothing worth reading one by one
SHOWN_KINDS = ("bounce", "complaint", "deferral")


class SqlFeedbackEventLog:
    """Implements ``FeedbackEventLog``: one indexed query (sending domain, time) per page."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def recent_query(self, domain: str, limit: int) -> Any:
        """The query behind ``recent`` (the benchmark explains it)."""
        return (
            select(FeedbackEventRow)
            .where(
                FeedbackEventRow.sending_domain == domain.lower(),
                FeedbackEventRow.kind.in_(SHOWN_KINDS),
            )
            .order_by(FeedbackEventRow.occurred_at.desc(), FeedbackEventRow.id.desc())
            .limit(limit)
        )

    def recent(self, domain: str, limit: int) -> Sequence[EventItem]:
        """The domain's latest bounces, complaints and deferrals, newest first."""
        query = self.recent_query(domain, limit)
        with self._db.session() as s:
            return [
                EventItem(
                    row.occurred_at,
                    row.kind,
                    f"{row.recipient}: {row.reason}"
                    + (f" ({row.status})" if row.status else "")
                    + (" permanent" if row.permanent and row.kind == "bounce" else ""),
                )
                for row in s.scalars(query)
            ]
