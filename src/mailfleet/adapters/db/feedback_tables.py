"""Tables of the feedback capability: events and the suppression list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mailfleet.adapters.db.tables import Base


class FeedbackEventRow(Base):
    """One delivery, deferral, bounce or complaint for one recipient."""

    __tablename__ = "feedback_events"
    __table_args__ = (
        Index("ix_feedback_events_domain_time", "sending_domain", "occurred_at"),
        Index("ix_feedback_events_recipient_time", "recipient", "occurred_at"),
        Index("ix_feedback_events_message", "message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(320))
    recipient_domain: Mapped[str] = mapped_column(String(253))
    sending_domain: Mapped[str | None] = mapped_column(String(253), nullable=True)
    mailbox: Mapped[str | None] = mapped_column(String(320), nullable=True)
    message_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    ip: Mapped[str | None] = mapped_column(String(45), nullable=True)
    reason: Mapped[str] = mapped_column(String(64))
    status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    permanent: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime]


class SuppressionRow(Base):
    """An address not to send to, globally or from one sending domain."""

    __tablename__ = "suppressions"
    __table_args__ = (UniqueConstraint("address", "scope", name="uq_suppressions_address_scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(320))
    scope: Mapped[str] = mapped_column(String(253))
    reason: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
