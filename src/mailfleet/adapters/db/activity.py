"""Last activity of mailboxes and domains: stamped when mail leaves from them.

The dashboard's inventory and ``mailfleet mailboxes list --idle-days`` read
``last_activity_at``; the dispatcher's delivery log stamps it for every sender of a settled
batch (one UPDATE per table, never moving a stamp backwards).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import or_, update

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.tables import DomainRow, MailboxRow
from mailfleet.core.sending.ports import Attempt, DeliveryLog


class SqlActivityStamp:
    """Sets ``last_activity_at`` of mailboxes (by address) and their domains."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def touch(self, senders: Iterable[str], at: datetime) -> None:
        """Stamp ``senders`` and their domains with ``at`` (later stamps win)."""
        addresses = sorted({s.lower() for s in senders if "@" in s})
        if not addresses:
            return
        domains = sorted({a.rpartition("@")[2] for a in addresses})
        with self._db.session() as s:
            s.execute(
                update(MailboxRow)
                .where(MailboxRow.address.in_(addresses))
                .where(or_(MailboxRow.last_activity_at.is_(None), MailboxRow.last_activity_at < at))
                .values(last_activity_at=at)
            )
            s.execute(
                update(DomainRow)
                .where(DomainRow.name.in_(domains))
                .where(or_(DomainRow.last_activity_at.is_(None), DomainRow.last_activity_at < at))
                .values(last_activity_at=at)
            )


class ActivityDeliveryLog:
    """A ``DeliveryLog`` that tells ``inner`` and then stamps the senders' activity."""

    def __init__(self, inner: DeliveryLog, stamp: SqlActivityStamp) -> None:
        self._inner = inner
        self._stamp = stamp

    def record(self, attempts: Sequence[Attempt], at: datetime) -> None:
        """Record the attempts, then stamp every sender that made one."""
        self._inner.record(attempts, at)
        self._stamp.touch((a.message.draft.sender for a in attempts), at)
