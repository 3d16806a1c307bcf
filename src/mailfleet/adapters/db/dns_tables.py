"""Tables of the DNS capability: verification results, one row per domain per run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text
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


class DkimRotationRow(Base):
    """A domain's DKIM rotation state: which selector signs, and where a rotation stands."""

    __tablename__ = "dkim_rotations"

    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    active: Mapped[str] = mapped_column(String(63))
    phase: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(63), default="")
    published_at: Mapped[datetime | None]
    switched_at: Mapped[datetime | None]


class DnsJournalRow(Base):
    """One zone's part of an apply: the changes sent and the outcome."""

    __tablename__ = "dns_journal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(253), index=True)
    at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(16))
    changes: Mapped[dict[str, Any]]
    error: Mapped[str] = mapped_column(Text, default="")
