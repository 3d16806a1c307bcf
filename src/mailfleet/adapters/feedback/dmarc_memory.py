"""In-memory twin of the DMARC store, for tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from mailfleet.core.feedback.dmarc_report import AggregateReport, SourceDay, source_days
from mailfleet.core.feedback.dmarc_stage import StageRecord


class InMemoryDmarcStore:
    """Reports by identity, totals by (domain, source IP, day), stages by domain."""

    def __init__(self) -> None:
        self._reports: set[tuple[str, str, str]] = set()
        self._days: dict[tuple[str, str, date], SourceDay] = {}
        self._stages: dict[str, StageRecord] = {}

    def add_report(self, report: AggregateReport, now: datetime) -> bool:
        """Add a report's counts once."""
        identity = (report.org_name, report.report_id, report.domain)
        if identity in self._reports:
            return False
        self._reports.add(identity)
        for day in source_days(report):
            key = (day.domain, day.source_ip, day.day)
            old = self._days.get(key)
            self._days[key] = (
                day
                if old is None
                else replace(
                    old,
                    messages=old.messages + day.messages,
                    passed=old.passed + day.passed,
                    dkim_pass=old.dkim_pass + day.dkim_pass,
                    spf_pass=old.spf_pass + day.spf_pass,
                )
            )
        return True

    def source_days(self, since: date) -> list[SourceDay]:
        """Totals from ``since`` on, sorted."""
        return sorted(
            (d for d in self._days.values() if d.day >= since),
            key=lambda d: (d.domain, d.day, d.source_ip),
        )

    def stages(self) -> list[StageRecord]:
        """Stored stages, by domain."""
        return [self._stages[d] for d in sorted(self._stages)]

    def set_stage(self, record: StageRecord) -> None:
        """Store a stage."""
        self._stages[record.domain] = record
