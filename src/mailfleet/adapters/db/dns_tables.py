"""Tables of the DNS capability: verification results, one row per domain per run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mailfleet.adapters.db.tables import Base


class DnsCheckRow(Base):
    """One domain's verification at one time; ``checks`` holds every named check."""

    __tablename__ = "dns_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(253), index=True)
    checked_at: Mapped[datetime] = mapped_column(index=True)
    ok: Mapped[bool]
    checks: Mapped[dict[str, Any]]
