"""Failed dashboard sign-ins, kept for the login throttle (never the password tried)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mailfleet.adapters.db.tables import Base


class WebLoginFailureRow(Base):
    """One failed sign-in: the account named and the client address it came from."""

    __tablename__ = "web_login_failures"
    __table_args__ = (
        Index("ix_web_login_failures_account_time", "account", "failed_at"),
        Index("ix_web_login_failures_client_time", "client", "failed_at"),
        Index("ix_web_login_failures_time", "failed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(320))
    client: Mapped[str] = mapped_column(String(45))
    failed_at: Mapped[datetime]
