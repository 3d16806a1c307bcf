"""The mailbox ledger in SQL: one short transaction per intent and per outcome."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select, update

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.mailboxes_tables import MailboxProvisionRow
from mailfleet.adapters.db.tables import MailboxRow
from mailfleet.core.mailboxes.ports import LedgerEntry
from mailfleet.core.state import MailboxState


class SqlMailboxLedger:
    """Implements the ``MailboxLedger`` port on a ``Database``."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def begin(self, address: str, provider: str, intent: str, at: datetime) -> None:
        """Write the intent (committed before the provider is called)."""
        with self._db.session() as s:
            row = s.get(MailboxProvisionRow, address)
            if row is None:
                row = MailboxProvisionRow(
                    address=address, provider=provider, state=MailboxState.PLANNED.value
                )
                row.last_error = ""
                s.add(row)
            row.provider, row.intent, row.intent_at, row.updated_at = provider, intent, at, at

    def finish(
        self,
        address: str,
        provider: str,
        *,
        state: MailboxState,
        at: datetime,
        provider_id: str | None = None,
        error: str = "",
        provisioned: bool = False,
        last_login_at: datetime | None = None,
    ) -> None:
        """Write the outcome and the fleet state of the mailbox in one transaction."""
        with self._db.session() as s:
            row = s.get(MailboxProvisionRow, address)
            if row is None:
                row = MailboxProvisionRow(address=address, provider=provider)
                s.add(row)
            row.provider, row.state, row.updated_at = provider, state.value, at
            row.intent, row.intent_at, row.last_error = None, None, error
            if provider_id:
                row.provider_id = provider_id
            if provisioned and row.provisioned_at is None:
                row.provisioned_at = at
            if last_login_at is not None:
                row.last_login_at = last_login_at
            s.execute(
                update(MailboxRow)
                .where(MailboxRow.address == address, MailboxRow.state != state.value)
                .values(state=state.value, updated_at=at)
            )

    def entries(self) -> Mapping[str, LedgerEntry]:
        """Every ledger entry, by address."""
        with self._db.session() as s:
            return {
                row.address: LedgerEntry(
                    address=row.address,
                    provider=row.provider,
                    state=MailboxState(row.state),
                    provider_id=row.provider_id,
                    intent=row.intent,
                    intent_at=row.intent_at,
                    provisioned_at=row.provisioned_at,
                    last_login_at=row.last_login_at,
                    last_error=row.last_error,
                    updated_at=row.updated_at,
                )
                for row in s.scalars(select(MailboxProvisionRow))
            }
