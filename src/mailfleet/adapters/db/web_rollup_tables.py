"""The dashboard's rollup of feedback events: counts per sending domain, UTC day and kind.

Database triggers (migration ``web_0002``) keep it in step with ``feedback_events`` on every
insert, delete and update, whoever writes, so the overview's rates and the domain page's
charts read a few hundred rows instead of every event of the window.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mailfleet.adapters.db.feedback_tables import FeedbackEventRow
from mailfleet.adapters.db.tables import Base


class FeedbackDailyRow(Base):
    """How many events of one kind, reason and permanence a sending domain had on one day.

    The reason and permanence are kept (not just the kind) so that hard bounces are counted
    with the shipped policy's hard reasons at read time, exactly as the raw events are.
    """

    __tablename__ = "web_feedback_daily"
    __table_args__ = (Index("ix_web_feedback_daily_day", "day"),)

    sending_domain: Mapped[str] = mapped_column(String(253), primary_key=True)  # "" for none
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    reason: Mapped[str] = mapped_column(String(64), primary_key=True)
    permanent: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    events: Mapped[int] = mapped_column(Integer)


# Events time-stamped later than "now" (clock skew) are subtracted from today's rollup with a
# range scan on this index; the raw daily counts of other readers use it as well.
EVENTS_TIME_INDEX = Index("ix_feedback_events_time", FeedbackEventRow.occurred_at)
