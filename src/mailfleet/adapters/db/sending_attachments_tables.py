"""The files queued messages carry, one row per attachment, kept until the message is."""

from __future__ import annotations

from sqlalchemy import Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from mailfleet.adapters.db.sending_tables import IdType
from mailfleet.adapters.db.tables import Base


class OutboundAttachmentRow(Base):
    """One attachment of a queued message, in its place (``position``) among the others."""

    __tablename__ = "outbound_attachments"
    __table_args__ = (Index("ix_outbound_attachments_message", "message", "position"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    message: Mapped[int] = mapped_column(IdType)
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
