"""The feedback store on SQL (SQLite or PostgreSQL)."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.feedback_replay_tables import WebhookDeliveryRow
from mailfleet.adapters.db.feedback_tables import FeedbackEventRow, SuppressionRow
from mailfleet.core.feedback.events import (
    GLOBAL_SCOPE,
    DailyCounts,
    EventKind,
    FeedbackEvent,
    Suppression,
    daily_counts,
)
from mailfleet.core.feedback.replay import Delivery


def _suppression(row: SuppressionRow) -> Suppression:
    return Suppression(
        row.address, row.scope, row.reason, row.source, row.created_at, row.expires_at
    )


def _event_rows(events: Sequence[FeedbackEvent]) -> list[dict[str, object]]:
    """Plain rows for a bulk insert (one executemany, not the ORM's unit of work)."""
    return [
        {
            "kind": e.kind.value,
            "recipient": e.recipient.lower()[:320],
            "recipient_domain": e.recipient_domain[:253],
            "sending_domain": (e.sending_domain or None) and e.sending_domain.lower(),
            "mailbox": e.mailbox,
            "message_id": (e.message_id or None) and e.message_id[:255],
            "ip": e.ip,
            "reason": e.reason[:64],
            "status": e.status,
            "permanent": e.permanent,
            "source": e.source[:64],
            "occurred_at": e.occurred_at,
        }
        for e in events
    ]


_PRUNE_SHARE = 4  # of 256: the share of deliveries that prune expired ones


def _insert_delivery(dialect: str, delivery: Delivery) -> Executable:
    values = {
        "key": delivery.key,
        "provider": delivery.provider[:16],
        "seen_at": delivery.seen_at,
        "expires_at": delivery.expires_at,
    }
    # RETURNING tells whether the row went in (rowcount is not reliable here on psycopg).
    if dialect == "postgresql":
        pg = pg_insert(WebhookDeliveryRow).values(values).on_conflict_do_nothing()
        return pg.returning(WebhookDeliveryRow.key)
    lite = sqlite_insert(WebhookDeliveryRow).values(values).on_conflict_do_nothing()
    return lite.returning(WebhookDeliveryRow.key)


_Known = dict[tuple[str, str], SuppressionRow]
_CHUNK = 500  # addresses per IN (...) list: well under every backend's parameter limit


def _known_rows(s: Session, entries: Sequence[Suppression]) -> _Known:
    """The existing rows for these entries' addresses, read in a few queries, not one each."""
    addresses = sorted({entry.address.lower() for entry in entries})
    known: _Known = {}
    for start in range(0, len(addresses), _CHUNK):
        chunk = addresses[start : start + _CHUNK]
        for row in s.scalars(select(SuppressionRow).where(SuppressionRow.address.in_(chunk))):
            known[(row.address, row.scope)] = row
    return known


def _suppress(s: Session, entry: Suppression, known: _Known | None = None) -> bool:
    """Add or refresh a suppression in session ``s``; whether it was not active before.

    ``known`` holds the rows already read for this batch (and gains the ones added).
    """
    address = entry.address.lower()
    if known is None:
        row = s.scalar(
            select(SuppressionRow).where(
                SuppressionRow.address == address, SuppressionRow.scope == entry.scope
            )
        )
    else:
        row = known.get((address, entry.scope))
    if row is None:
        row = SuppressionRow(
            address=address,
            scope=entry.scope,
            reason=entry.reason[:128],
            source=entry.source[:64],
            created_at=entry.created_at,
            expires_at=entry.expires_at,
        )
        s.add(row)
        if known is None:
            s.flush()
        else:  # a second entry for the same address in this batch must see this one
            known[(address, entry.scope)] = row
        return True
    was_active = _suppression(row).active(entry.created_at)
    if row.expires_at is not None:  # a permanent entry is never shortened
        row.reason, row.source = entry.reason[:128], entry.source[:64]
        row.created_at, row.expires_at = entry.created_at, entry.expires_at
    return not was_active


class SqlFeedbackStore:
    """Events and suppressions in the ``feedback_events`` and ``suppressions`` tables."""

    def __init__(self, database: Database, hard_reasons: frozenset[str] = frozenset()) -> None:
        self._db = database
        self._hard = hard_reasons

    def add_events(self, events: Sequence[FeedbackEvent]) -> None:
        """Record events in one transaction."""
        if events:
            self.apply(events, ())

    def apply(
        self, events: Sequence[FeedbackEvent], suppressions: Sequence[Suppression]
    ) -> list[Suppression]:
        """Record events and suppressions in one transaction; the suppressions that were new."""
        with self._db.session() as s:
            if events:
                s.execute(insert(FeedbackEventRow), _event_rows(events))
            known = _known_rows(s, suppressions)
            return [entry for entry in suppressions if _suppress(s, entry, known)]

    def apply_delivery(
        self,
        delivery: Delivery,
        events: Sequence[FeedbackEvent],
        suppressions: Sequence[Suppression],
    ) -> list[Suppression] | None:
        """Record events and suppressions and remember ``delivery``, in one transaction;
        ``None`` when the delivery was already remembered (then nothing is stored).

        The delivery row is inserted first with ``ON CONFLICT DO NOTHING``: of two workers
        applying the same delivery at once, the second waits on the first's key and then
        inserts nothing, so it stores nothing either.
        """
        with self._db.session() as s:
            inserted = s.execute(_insert_delivery(self._db.dialect, delivery)).scalar()
            if inserted is None:
                return None
            if zlib.crc32(delivery.key.encode()) % 256 < _PRUNE_SHARE:
                # About one delivery in 64 (chosen by its key: no state to keep) deletes the
                # expired rows, so the table stays the size of the retention period.
                s.execute(
                    delete(WebhookDeliveryRow).where(
                        WebhookDeliveryRow.expires_at < delivery.seen_at
                    )
                )
            if events:
                s.execute(insert(FeedbackEventRow), _event_rows(events))
            known = _known_rows(s, suppressions)
            return [entry for entry in suppressions if _suppress(s, entry, known)]

    def forget_deliveries(self, now: datetime) -> int:
        """Delete the remembered deliveries that expired before ``now``."""
        query = delete(WebhookDeliveryRow).where(WebhookDeliveryRow.expires_at < now)
        with self._db.session() as s:
            return int(getattr(s.execute(query), "rowcount", 0) or 0)

    def event_times(
        self,
        recipients: Sequence[str],
        kinds: Sequence[str],
        reasons: Sequence[str],
        since: datetime,
    ) -> dict[str, list[datetime]]:
        """When each recipient had matching events since ``since`` (a few queries)."""
        wanted = sorted({r.lower() for r in recipients})
        times: dict[str, list[datetime]] = {}
        with self._db.session() as s:
            for start in range(0, len(wanted), _CHUNK):
                query = select(FeedbackEventRow.recipient, FeedbackEventRow.occurred_at).where(
                    FeedbackEventRow.recipient.in_(wanted[start : start + _CHUNK]),
                    FeedbackEventRow.kind.in_(list(kinds)),
                    FeedbackEventRow.reason.in_(list(reasons)),
                    FeedbackEventRow.occurred_at >= since,
                )
                for recipient, occurred_at in s.execute(query):
                    times.setdefault(recipient, []).append(occurred_at)
        return times

    def suppress(self, entry: Suppression) -> bool:
        """Add or refresh a suppression; ``False`` when an active one already covered it."""
        with self._db.session() as s:
            return _suppress(s, entry)

    def count_events(
        self, recipient: str, kinds: Sequence[str], reasons: Sequence[str], since: datetime
    ) -> int:
        """How many matching events ``recipient`` had since ``since``."""
        query = select(func.count()).where(
            FeedbackEventRow.recipient == recipient.lower(),
            FeedbackEventRow.kind.in_(list(kinds)),
            FeedbackEventRow.reason.in_(list(reasons)),
            FeedbackEventRow.occurred_at >= since,
        )
        with self._db.session() as s:
            return int(s.scalar(query) or 0)

    def unsuppress(self, address: str, scope: str | None) -> int:
        """Remove suppressions of ``address`` (in ``scope``, or every scope)."""
        query = delete(SuppressionRow).where(SuppressionRow.address == address.lower())
        if scope is not None:
            query = query.where(SuppressionRow.scope == scope)
        with self._db.session() as s:
            return int(getattr(s.execute(query), "rowcount", 0) or 0)

    def suppressions(self, *, scope: str | None = None) -> list[Suppression]:
        """Every suppression (of one scope), sorted by address."""
        query = select(SuppressionRow).order_by(SuppressionRow.address, SuppressionRow.scope)
        if scope is not None:
            query = query.where(SuppressionRow.scope == scope)
        with self._db.session() as s:
            return [_suppression(row) for row in s.scalars(query)]

    def find_suppression(
        self, address: str, sending_domain: str | None, now: datetime
    ) -> Suppression | None:
        """The active suppression that stops mail from ``sending_domain`` to ``address``."""
        scopes = [GLOBAL_SCOPE] + ([sending_domain.lower()] if sending_domain else [])
        query = select(SuppressionRow).where(
            SuppressionRow.address == address.lower(), SuppressionRow.scope.in_(scopes)
        )
        with self._db.session() as s:
            found = [_suppression(row) for row in s.scalars(query)]
        active = [entry for entry in found if entry.active(now)]
        return min(active, key=lambda e: e.scope != GLOBAL_SCOPE) if active else None

    def suppressed_among(
        self, addresses: Sequence[str], sending_domain: str | None, now: datetime
    ) -> set[str]:
        """Those of ``addresses`` (lower-cased) an active suppression stops from
        ``sending_domain``: one query for a whole batch, global and domain scopes."""
        wanted = sorted({a.lower() for a in addresses})
        if not wanted:
            return set()
        scopes = [GLOBAL_SCOPE] + ([sending_domain.lower()] if sending_domain else [])
        query = select(SuppressionRow.address, SuppressionRow.expires_at).where(
            SuppressionRow.address.in_(wanted), SuppressionRow.scope.in_(scopes)
        )
        with self._db.session() as s:
            rows = s.execute(query).all()
        return {address for address, expires in rows if expires is None or expires > now}

    def daily_counts(self, since: datetime, until: datetime) -> list[DailyCounts]:
        """Per-day, per-sending-domain counts of events in ``[since, until)``.

        The grouping by UTC day happens here rather than in SQL, so that it is the same on
        SQLite and PostgreSQL; only the four columns it needs are read.
        """
        query = select(
            FeedbackEventRow.kind,
            FeedbackEventRow.sending_domain,
            FeedbackEventRow.reason,
            FeedbackEventRow.permanent,
            FeedbackEventRow.occurred_at,
        ).where(FeedbackEventRow.occurred_at >= since, FeedbackEventRow.occurred_at < until)
        with self._db.session() as s:
            rows = s.execute(query).all()
        events = (
            FeedbackEvent(
                kind=EventKind(kind),
                recipient="",
                occurred_at=occurred_at,
                reason=reason,
                permanent=permanent,
                sending_domain=domain,
            )
            for kind, domain, reason, permanent, occurred_at in rows
        )
        return daily_counts(events, self._hard)
