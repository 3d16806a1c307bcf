"""Tables of mailbox provisioning: what mailfleet knows of each mailbox beyond the spec."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mailfleet.adapters.db.tables import Base


class MailboxProvisionRow(Base):
    """One mailbox's provisioning ledger: provider id, pending intent, outcome, activity.

    Keyed by address rather than by the foundation's mailbox id, so that provisioning works
    before (or without) ``mailfleet sync``; the foundation row's ``state`` is kept in step.
    """

    __tablename__ = "mailbox_provisioning"

    address: Mapped[str] = mapped_column(String(320), primary_key=True)
    provider: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    provider_id: Mapped[str | None] = mapped_column(String(255))
    intent: Mapped[str | None] = mapped_column(String(16))
    intent_at: Mapped[datetime | None]
    provisioned_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime]
