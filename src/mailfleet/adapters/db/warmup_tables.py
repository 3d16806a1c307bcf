"""Warmup tables: each domain's ramp state, and every daily decision with its evidence."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mailfleet.adapters.db.tables import Base


class WarmupStateRow(Base):
    """Where one subject stands: a domain (by name) or a member (``ip:...``/``mailbox:...``)."""

    __tablename__ = "warmup_states"

    domain: Mapped[str] = mapped_column(String(330), primary_key=True)
    start_day: Mapped[date] = mapped_column(Date)
    ramp_day: Mapped[int] = mapped_column(Integer)
    paused_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    evidence_since: Mapped[date | None] = mapped_column(Date, nullable=True)
    current_cap: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]


class WarmupDecisionRow(Base):
    """One daily decision: what was decided, on which evidence, and why, in words."""

    __tablename__ = "warmup_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(330), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    action: Mapped[str] = mapped_column(String(16))
    ramp_day_before: Mapped[int] = mapped_column(Integer)
    ramp_day_after: Mapped[int] = mapped_column(Integer)
    next_cap: Mapped[int] = mapped_column(Integer)
    paused_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime]
