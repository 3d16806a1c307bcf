"""Tables of the sending queue: one row per outgoing message, one per delivery attempt result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mailfleet.adapters.db.tables import Base

# BIGINT on PostgreSQL; SQLite only auto-increments a column declared INTEGER.
IdType = BigInteger().with_variant(Integer(), "sqlite")


class OutboundMessageRow(Base):
    """A message on the queue. ``message_id`` is fixed at enqueue, so a resend reuses it."""

    __tablename__ = "outbound_messages"
    __table_args__ = (
        Index("ix_outbound_messages_due", "state", "not_before"),
        Index("ix_outbound_messages_lease", "state", "lease_until"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    state: Mapped[str] = mapped_column(String(16))
    sender: Mapped[str] = mapped_column(String(320))
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text, default="")
    segment: Mapped[str] = mapped_column(String(64), default="", index=True)
    campaign: Mapped[str] = mapped_column(String(128), default="", index=True)
    bulk: Mapped[bool] = mapped_column(Boolean, default=True)
    headers: Mapped[dict[str, Any]]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    last_reply: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class SendResultRow(Base):
    """What one attempt got for one recipient: the input of bounce handling and metrics."""

    __tablename__ = "send_results"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    message: Mapped[int] = mapped_column(IdType, index=True)
    recipient: Mapped[str] = mapped_column(String(320))
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    code: Mapped[int | None] = mapped_column(Integer)
    enhanced: Mapped[str] = mapped_column(String(16), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    relay: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(index=True)
