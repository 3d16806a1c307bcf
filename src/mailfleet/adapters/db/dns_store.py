"""Verification results in SQL (``dns_checks``), behind the ``DnsCheckStore`` port."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.dns_tables import DnsCheckRow
from mailfleet.core.dns.checks import Check, DomainCheck


class SqlDnsCheckStore:
    """Appends one row per domain per run; ``latest`` reads each domain's newest row."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def record(self, checks: Sequence[DomainCheck]) -> None:
        """Store a run's results in one transaction."""
        with self._database.session() as session:
            session.add_all(
                DnsCheckRow(
                    domain=c.domain,
                    checked_at=c.checked_at,
                    ok=c.ok,
                    checks={"checks": [x.as_dict() for x in c.checks]},
                )
                for c in checks
            )

    def latest(self) -> dict[str, DomainCheck]:
        """The newest result per domain (ties broken by row id)."""
        newest = (
            select(func.max(DnsCheckRow.id).label("id")).group_by(DnsCheckRow.domain).subquery()
        )
        with self._database.session() as session:
            rows = session.scalars(
                select(DnsCheckRow).where(DnsCheckRow.id.in_(select(newest.c.id)))
            )
            return {row.domain: _to_check(row) for row in rows}


def _to_check(row: DnsCheckRow) -> DomainCheck:
    checks = tuple(
        Check(str(c["name"]), bool(c["ok"]), str(c.get("detail", "")))
        for c in row.checks.get("checks", [])
    )
    return DomainCheck(row.domain, row.checked_at, checks)
