"""Tables of DMARC aggregate reports (per domain, source IP and day) and staged policies."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mailfleet.adapters.db.tables import Base


class DmarcReportRow(Base):
    """A report already ingested (reporters resend; each is counted once)."""

    __tablename__ = "dmarc_reports"
    __table_args__ = (
        UniqueConstraint("org_name", "report_id", "domain", name="uq_dmarc_reports_identity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_name: Mapped[str] = mapped_column(String(255))
    report_id: Mapped[str] = mapped_column(String(255))
    domain: Mapped[str] = mapped_column(String(253))
    begin: Mapped[datetime]
    end: Mapped[datetime]
    messages: Mapped[int] = mapped_column(Integer)
    ingested_at: Mapped[datetime]


class DmarcDailyRow(Base):
    """Messages one source IP sent for one domain on one day, and their aligned results."""

    __tablename__ = "dmarc_daily"
    __table_args__ = (
        UniqueConstraint("domain", "source_ip", "day", name="uq_dmarc_daily_domain_ip_day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(253))
    source_ip: Mapped[str] = mapped_column(String(45))
    day: Mapped[date] = mapped_column(Date)
    messages: Mapped[int] = mapped_column(Integer)
    aligned_pass: Mapped[int] = mapped_column(Integer)
    dkim_pass: Mapped[int] = mapped_column(Integer)
    spf_pass: Mapped[int] = mapped_column(Integer)


class DmarcStageRow(Base):
    """A domain's DMARC stage (the ``p=`` the DNS template publishes for it)."""

    __tablename__ = "dmarc_stages"

    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    stage: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(255))
