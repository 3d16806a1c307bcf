"""Verification results in SQL (``dns_checks``), behind the ``DnsCheckStore`` port."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.dns_tables import DkimRotationRow, DnsCheckRow, DnsJournalRow
from mailfleet.core.dns.checks import Check, DomainCheck, JournalEntry
from mailfleet.core.dns.rotation import RotationPhase, RotationState


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


class SqlRotationStore:
    """DKIM rotation states, one row per domain, written in their own transaction each."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def get(self, domain: str) -> RotationState | None:
        """The stored state of ``domain``."""
        with self._database.session() as session:
            row = session.get(DkimRotationRow, domain)
            if row is None:
                return None
            return RotationState(
                row.domain,
                row.active,
                RotationPhase(row.phase),
                row.target,
                row.published_at,
                row.switched_at,
            )

    def save(self, state: RotationState) -> None:
        """Insert or replace the domain's row."""
        with self._database.session() as session:
            row = session.get(DkimRotationRow, state.domain) or DkimRotationRow(domain=state.domain)
            row.active = state.active
            row.phase = state.phase.value
            row.target = state.target
            row.published_at = state.published_at
            row.switched_at = state.switched_at
            session.add(row)


class SqlDnsJournal:
    """The apply journal in SQL; each entry is committed on its own, as its zone finishes."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def record(self, entry: JournalEntry) -> None:
        """Append one zone's entry in its own transaction."""
        with self._database.session() as session:
            session.add(
                DnsJournalRow(
                    domain=entry.domain,
                    at=entry.at,
                    outcome=entry.outcome,
                    changes={"changes": list(entry.changes)},
                    error=entry.error,
                )
            )

    def entries(self, domain: str | None = None) -> list[JournalEntry]:
        """Entries for ``domain`` (or all), oldest first."""
        query = select(DnsJournalRow).order_by(DnsJournalRow.id)
        if domain is not None:
            query = query.where(DnsJournalRow.domain == domain)
        with self._database.session() as session:
            return [
                JournalEntry(
                    row.domain,
                    row.at,
                    row.outcome,
                    tuple(row.changes.get("changes", [])),
                    row.error,
                )
                for row in session.scalars(query)
            ]
