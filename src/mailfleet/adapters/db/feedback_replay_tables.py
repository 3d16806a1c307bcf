"""Table of the feedback capability: webhook deliveries already applied (replay protection)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from mailfleet.adapters.db.tables import Base


class WebhookDeliveryRow(Base):
    """A relay's webhook delivery, by a digest of what identifies it, until it may be forgotten.

    The key is the primary key, so two workers receiving the same delivery at once cannot
    both record it: the second insert conflicts and its transaction stores nothing.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_expires", "expires_at"),)

    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
