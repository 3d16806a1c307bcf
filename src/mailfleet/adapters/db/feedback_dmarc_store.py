"""The DMARC store on SQL (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.feedback_dmarc_tables import DmarcDailyRow, DmarcReportRow, DmarcStageRow
from mailfleet.core.dns.dmarc import DmarcPolicy
from mailfleet.core.feedback.dmarc_report import AggregateReport, SourceDay, source_days
from mailfleet.core.feedback.dmarc_stage import StageRecord


class SqlDmarcStore:
    """Reports in ``dmarc_reports``/``dmarc_daily``, stages in ``dmarc_stages``."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def add_report(self, report: AggregateReport, now: datetime) -> bool:
        """Add a report's counts in one transaction; ``False`` when it was ingested before."""
        identity = (report.org_name[:255], report.report_id[:255], report.domain[:253])
        with self._db.session() as s:
            seen = s.scalar(
                select(DmarcReportRow.id).where(
                    DmarcReportRow.org_name == identity[0],
                    DmarcReportRow.report_id == identity[1],
                    DmarcReportRow.domain == identity[2],
                )
            )
            if seen is not None:
                return False
            s.add(
                DmarcReportRow(
                    org_name=identity[0],
                    report_id=identity[1],
                    domain=identity[2],
                    begin=report.begin,
                    end=report.end,
                    messages=report.messages,
                    ingested_at=now,
                )
            )
            for day in source_days(report):
                row = s.scalar(
                    select(DmarcDailyRow).where(
                        DmarcDailyRow.domain == day.domain,
                        DmarcDailyRow.source_ip == day.source_ip[:45],
                        DmarcDailyRow.day == day.day,
                    )
                )
                if row is None:
                    s.add(
                        DmarcDailyRow(
                            domain=day.domain,
                            source_ip=day.source_ip[:45],
                            day=day.day,
                            messages=day.messages,
                            aligned_pass=day.passed,
                            dkim_pass=day.dkim_pass,
                            spf_pass=day.spf_pass,
                        )
                    )
                    s.flush()
                else:
                    row.messages += day.messages
                    row.aligned_pass += day.passed
                    row.dkim_pass += day.dkim_pass
                    row.spf_pass += day.spf_pass
        return True

    def source_days(self, since: date) -> list[SourceDay]:
        """Totals from ``since`` on, by domain, day and source IP."""
        query = (
            select(DmarcDailyRow)
            .where(DmarcDailyRow.day >= since)
            .order_by(DmarcDailyRow.domain, DmarcDailyRow.day, DmarcDailyRow.source_ip)
        )
        with self._db.session() as s:
            return [
                SourceDay(
                    r.domain,
                    r.source_ip,
                    r.day,
                    r.messages,
                    r.aligned_pass,
                    r.dkim_pass,
                    r.spf_pass,
                )
                for r in s.scalars(query)
            ]

    def stages(self) -> list[StageRecord]:
        """Every stored stage, by domain."""
        with self._db.session() as s:
            rows = s.scalars(select(DmarcStageRow).order_by(DmarcStageRow.domain))
            return [
                StageRecord(r.domain, DmarcPolicy(r.stage), r.changed_at, r.reason) for r in rows
            ]

    def set_stage(self, record: StageRecord) -> None:
        """Store (or replace) a domain's stage."""
        with self._db.session() as s:
            row = s.get(DmarcStageRow, record.domain)
            if row is None:
                row = DmarcStageRow(domain=record.domain)
                s.add(row)
            row.stage = record.stage.value
            row.changed_at = record.changed_at
            row.reason = record.reason[:255]
