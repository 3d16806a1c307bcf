"""Failed sign-ins in the database (shared by every web worker), and the in-memory twin."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.web_login_tables import WebLoginFailureRow


class SqlLoginFailures:
    """Implements ``LoginFailures`` on the ``web_login_failures`` table."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def failures(
        self, account: str, client: str, since: datetime
    ) -> tuple[list[datetime], list[datetime]]:
        """When the account, and the client, failed since ``since``; oldest first."""
        row = WebLoginFailureRow
        with self._db.session() as s:
            by_account = s.scalars(
                select(row.failed_at)
                .where(row.account == account, row.failed_at >= since)
                .order_by(row.failed_at)
            ).all()
            by_client = s.scalars(
                select(row.failed_at)
                .where(row.client == client, row.failed_at >= since)
                .order_by(row.failed_at)
            ).all()
        return list(by_account), list(by_client)

    def record(self, account: str, client: str, at: datetime, forget_before: datetime) -> None:
        """Store one failure and drop those older than ``forget_before``."""
        with self._db.session() as s:
            s.execute(
                delete(WebLoginFailureRow).where(WebLoginFailureRow.failed_at < forget_before)
            )
            s.add(WebLoginFailureRow(account=account[:320], client=client[:45], failed_at=at))

    def clear_account(self, account: str) -> None:
        """Forget the account's failures (after it signed in)."""
        with self._db.session() as s:
            s.execute(delete(WebLoginFailureRow).where(WebLoginFailureRow.account == account))


@dataclass
class MemoryLoginFailures:
    """Implements ``LoginFailures`` in memory (one process; for tests)."""

    rows: list[tuple[str, str, datetime]] = field(default_factory=list)

    def failures(
        self, account: str, client: str, since: datetime
    ) -> tuple[list[datetime], list[datetime]]:
        """When the account, and the client, failed since ``since``; oldest first."""
        by_account = sorted(at for a, _, at in self.rows if a == account and at >= since)
        by_client = sorted(at for _, c, at in self.rows if c == client and at >= since)
        return by_account, by_client

    def record(self, account: str, client: str, at: datetime, forget_before: datetime) -> None:
        """Store one failure and drop those older than ``forget_before``."""
        self.rows = [r for r in self.rows if r[2] >= forget_before]
        self.rows.append((account, client, at))

    def clear_account(self, account: str) -> None:
        """Forget the account's failures."""
        self.rows = [r for r in self.rows if r[0] != account]
