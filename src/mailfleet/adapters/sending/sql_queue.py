"""The message queue in SQL: persisted before accepted, claimed under a lease, settled in batches.

Claiming is one statement::

    UPDATE outbound_messages SET state='sending', claimed_by=:worker, lease_until=:lease, ...
     WHERE id IN (SELECT id FROM outbound_messages
                   WHERE (state IN claimable AND not_before <= :now)
                      OR (state = 'sending' AND lease_until < :now)
                   ORDER BY not_before, id LIMIT :n
                   FOR UPDATE SKIP LOCKED)
    RETURNING ...

On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets any number of workers claim side by side without
waiting for or double-claiming each other's rows. SQLite has no row locks (SQLAlchemy leaves
the clause out) and serialises writers, so one claiming process is the supported shape there.

A worker that dies leaves its rows in ``sending``; once their lease has passed they are due
again and the next claim takes them. Settling only touches rows still leased to the settling
worker, so a worker that comes back after its lease expired cannot overwrite a newer claim.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, func, insert, or_, select, update

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.sending_attachments_tables import OutboundAttachmentRow
from mailfleet.adapters.db.sending_tables import OutboundMessageRow, SendResultRow
from mailfleet.core.sending.message import new_message_id
from mailfleet.core.sending.model import (
    CLAIMABLE_STATES,
    FINAL_STATES,
    Attachment,
    Claim,
    MessageDraft,
    MessageState,
    QueuedMessage,
)
from mailfleet.core.sending.ports import Outcome

_TABLE: Table = OutboundMessageRow.__table__  # type: ignore[assignment]
_RESULTS: Table = SendResultRow.__table__  # type: ignore[assignment]
_FILES: Table = OutboundAttachmentRow.__table__  # type: ignore[assignment]


class SqlMessageQueue:
    """``MessageQueue`` over the shared database."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def enqueue(self, drafts: Sequence[MessageDraft], now: datetime) -> list[int]:
        """Insert every draft in one transaction and return their ids, in order."""
        if not drafts:
            return []
        rows = [_row(draft, now) for draft in drafts]
        statement = insert(OutboundMessageRow).returning(
            OutboundMessageRow.id, sort_by_parameter_order=True
        )
        with self._database.session() as session:
            ids = list(session.scalars(statement, rows))
            files = [
                {
                    "message": number,
                    "position": position,
                    "filename": attachment.filename,
                    "content_type": attachment.content_type,
                    "data": attachment.data,
                }
                for number, draft in zip(ids, drafts, strict=True)
                for position, attachment in enumerate(draft.attachments)
            ]
            if files:  # in the same transaction: a message is never queued without its files
                session.connection().execute(insert(_FILES), files)
            return ids

    def claim(self, worker: str, limit: int, now: datetime, lease_seconds: float) -> Claim:
        """Lease up to ``limit`` due messages to ``worker``."""
        lease_until = now + timedelta(seconds=lease_seconds)
        t = OutboundMessageRow
        due = (
            select(t.id)
            .where(
                or_(
                    and_(t.state.in_([s.value for s in CLAIMABLE_STATES]), t.not_before <= now),
                    and_(t.state == MessageState.SENDING.value, t.lease_until < now),
                )
            )
            .order_by(t.not_before, t.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        statement = (
            update(t)
            .where(t.id.in_(due))
            .values(
                state=MessageState.SENDING.value,
                claimed_by=worker,
                lease_until=lease_until,
                attempts=t.attempts + 1,
                updated_at=now,
            )
            .returning(*_TABLE.columns)
            .execution_options(synchronize_session=False)
        )
        with self._database.session() as session:
            rows = session.execute(statement).mappings().all()
            files = self._attachments(session, [row["id"] for row in rows]) if rows else {}
        messages = tuple(
            sorted((_message(row, files.get(row["id"], ())) for row in rows), key=lambda m: m.id)
        )
        return Claim(worker, messages, lease_until)

    @staticmethod
    def _attachments(session: Any, ids: list[int]) -> dict[int, tuple[Attachment, ...]]:
        """The attachments of the claimed messages, in order: one indexed query per claim."""
        f = _FILES.c
        query = (
            select(f.message, f.filename, f.content_type, f.data)
            .where(f.message.in_(ids))
            .order_by(f.message, f.position)
        )
        found: dict[int, list[Attachment]] = {}
        for message, filename, content_type, data in session.execute(query):
            found.setdefault(int(message), []).append(
                Attachment(filename, content_type, bytes(data))
            )
        return {k: tuple(v) for k, v in found.items()}

    def settle(self, worker: str, outcomes: Sequence[Outcome], now: datetime) -> int:
        """Write every outcome (and its recipient results) in one transaction."""
        if not outcomes:
            return 0
        params = [
            {
                "b_id": o.id,
                "b_worker": worker,
                "b_state": o.state.value,
                "b_reply": o.reply[:2000],
                "b_not_before": o.not_before or now,
                "b_finished": now if o.state in FINAL_STATES else None,
                "b_now": now,
                "b_uncount": 0 if o.counted else 1,
            }
            for o in outcomes
        ]
        statement = (
            update(_TABLE)
            .where(
                _TABLE.c.id == bindparam("b_id"),
                _TABLE.c.claimed_by == bindparam("b_worker"),
                _TABLE.c.state == MessageState.SENDING.value,
            )
            .values(
                state=bindparam("b_state"),
                last_reply=bindparam("b_reply"),
                not_before=bindparam("b_not_before"),
                finished_at=bindparam("b_finished"),
                updated_at=bindparam("b_now"),
                attempts=_TABLE.c.attempts - bindparam("b_uncount"),
                claimed_by=None,
                lease_until=None,
            )
        )
        results = [
            {
                "message": o.id,
                "recipient": r.recipient,
                "outcome": r.outcome.value,
                "code": r.code,
                "enhanced": r.enhanced,
                "text": r.text[:2000],
                "relay": o.relay,
                "at": now,
            }
            for o in outcomes
            for r in o.results
        ]
        with self._database.session() as session:
            connection = session.connection()
            connection.execute(statement, params)
            if results:
                connection.execute(insert(_RESULTS), results)
        return len(outcomes)

    def counts(self) -> dict[MessageState, int]:
        """Messages per state (every state present, zero included)."""
        t = OutboundMessageRow
        with self._database.session() as session:
            rows = session.execute(select(t.state, func.count()).group_by(t.state)).all()
        found = Counter({MessageState(state): int(n) for state, n in rows})
        return {state: found.get(state, 0) for state in MessageState}

    def move_queued(self, domain: str, senders: Sequence[str], now: datetime) -> int:
        """Give ``domain``'s waiting messages (queued, scheduled or deferred, not claimed) to
        ``senders`` in turn; how many moved.

        The Message-ID moves to the new domain with its unique part kept. The rows are locked
        (``SKIP LOCKED`` on PostgreSQL) and the update re-checks that no worker claimed them,
        so a message being sent is never changed under its worker.
        """
        if not senders:
            return 0
        t = OutboundMessageRow
        waiting = [s.value for s in CLAIMABLE_STATES]
        query = (
            select(t.id, t.message_id)
            .where(
                t.state.in_(waiting),
                t.claimed_by.is_(None),
                func.lower(t.sender).like(f"%@{domain.lower()}"),
            )
            .order_by(t.id)
            .with_for_update(skip_locked=True)
        )
        statement = (
            update(_TABLE)
            .where(
                _TABLE.c.id == bindparam("b_id"),
                _TABLE.c.state != MessageState.SENDING.value,  # not claimed since the select
                _TABLE.c.claimed_by.is_(None),
            )
            .values(
                sender=bindparam("b_sender"),
                message_id=bindparam("b_message_id"),
                updated_at=bindparam("b_now"),
            )
        )
        with self._database.session() as session:
            rows = session.execute(query).all()
            params = []
            for turn, (number, message_id) in enumerate(rows):
                sender = senders[turn % len(senders)]
                token = str(message_id).strip("<>").rpartition("@")[0]
                new_id = new_message_id(token, sender.rpartition("@")[2])
                params.append(
                    {"b_id": number, "b_sender": sender, "b_message_id": new_id, "b_now": now}
                )
            if params:
                session.connection().execute(statement, params)
        return len(params)

    def message_ids(self) -> dict[int, str]:
        """Queue id to Message-ID for every message (for reports and tests)."""
        t = OutboundMessageRow
        with self._database.session() as session:
            return {int(row[0]): str(row[1]) for row in session.execute(select(t.id, t.message_id))}


def _row(draft: MessageDraft, now: datetime) -> dict[str, Any]:
    scheduled = draft.not_before is not None and draft.not_before > now
    domain = draft.sender.rpartition("@")[2]
    return {
        "message_id": new_message_id(uuid.uuid4().hex, domain),
        "state": (MessageState.SCHEDULED if scheduled else MessageState.QUEUED).value,
        "sender": draft.sender,
        "sender_name": draft.sender_name,
        "recipient": draft.recipient,
        "subject": draft.subject,
        "text": draft.text,
        "html": draft.html,
        "segment": draft.segment,
        "campaign": draft.campaign,
        "bulk": draft.bulk,
        "headers": dict(draft.headers),
        "attempts": 0,
        "not_before": draft.not_before or now,
        "claimed_by": None,
        "lease_until": None,
        "last_reply": "",
        "created_at": now,
        "updated_at": now,
        "finished_at": None,
    }


def _message(row: Any, attachments: tuple[Attachment, ...] = ()) -> QueuedMessage:
    draft = MessageDraft(
        sender=row["sender"],
        recipient=row["recipient"],
        subject=row["subject"],
        text=row["text"],
        html=row["html"],
        sender_name=row["sender_name"],
        segment=row["segment"],
        campaign=row["campaign"],
        bulk=bool(row["bulk"]),
        not_before=None,
        headers=dict(row["headers"] or {}),
        attachments=attachments,
    )
    return QueuedMessage(row["id"], row["message_id"], draft, row["attempts"], row["created_at"])
