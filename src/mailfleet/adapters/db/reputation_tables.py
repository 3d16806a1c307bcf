"""Tables of the reputation capability: DNSBL check history, alert states and events, isolations.

Domains' runtime state itself stays in the foundation's ``domains.state`` column.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mailfleet.adapters.db.tables import Base


class DnsblRunRow(Base):
    """One DNSBL check run, with its totals."""

    __tablename__ = "dnsbl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(index=True)
    targets: Mapped[int]
    listed: Mapped[int]
    unknown: Mapped[int]
    clean: Mapped[int]


class DnsblResultRow(Base):
    """One (target, zone) result of a run."""

    __tablename__ = "dnsbl_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("dnsbl_runs.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(253), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    zone_key: Mapped[str] = mapped_column(String(64))
    zone: Mapped[str] = mapped_column(String(253))
    verdict: Mapped[str] = mapped_column(String(8))
    codes: Mapped[list[str]]
    meanings: Mapped[list[str]]
    reason: Mapped[str] = mapped_column(Text, default="")
    delist_url: Mapped[str] = mapped_column(Text, default="")


class AlertStateRow(Base):
    """Where one (rule, subject) pair stands."""

    __tablename__ = "alert_states"
    __table_args__ = (UniqueConstraint("rule", "subject_kind", "subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(String(64))
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(512))
    active: Mapped[bool] = mapped_column(index=True)
    since: Mapped[datetime | None]
    notified: Mapped[bool]
    last_notice_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    value: Mapped[Any] = mapped_column(JSON, nullable=True)


class AlertEventRow(Base):
    """One alert event, fired or resolved, with where it was delivered."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(512))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    message: Mapped[str] = mapped_column(Text)
    silenced: Mapped[bool]
    deliveries: Mapped[list[Any]] = mapped_column(JSON)


class DomainIsolationRow(Base):
    """One isolation or restore of a domain."""

    __tablename__ = "domain_isolations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(253), index=True)
    at: Mapped[datetime]
    previous_state: Mapped[str] = mapped_column(String(16))
    new_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(16))
