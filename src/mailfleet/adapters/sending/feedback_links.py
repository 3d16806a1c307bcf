"""Sending's ports onto the feedback capability: the suppression list the dispatcher obeys,
the delivery log that gives the rates their denominator, and the lookup that ties a bounce
back to the message it answers.

Thin translations only: the decisions stay in ``core.feedback`` (what suppresses at once) and
``core.sending`` (what an attempt's outcome is).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.feedback_store import SqlFeedbackStore
from mailfleet.adapters.db.sending_tables import OutboundMessageRow
from mailfleet.core.feedback.classify import classify
from mailfleet.core.feedback.events import (
    EventKind,
    FeedbackEvent,
    SuppressionPolicy,
    suppress_at_once,
)
from mailfleet.core.feedback.ports import SentMessage
from mailfleet.core.feedback.rules import BounceRules
from mailfleet.core.ports import Clock
from mailfleet.core.sending.outcomes import SendOutcome
from mailfleet.core.sending.ports import Attempt

DISPATCH_SOURCE = "dispatch"


class FeedbackSuppressions:
    """``Suppressions`` over the feedback store: global entries and the sending domain's."""

    def __init__(self, store: SqlFeedbackStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def suppressed(self, addresses: Iterable[str], sending_domain: str = "") -> set[str]:
        """Those of ``addresses`` with an active suppression in scope (lower-cased)."""
        return self._store.suppressed_among(
            list(addresses), sending_domain or None, self._clock.now()
        )


def _ip(relay: str) -> str | None:
    """The source IP in a per-IP relay's name (``smtp:<ip>``), when it names one."""
    kind, _, rest = relay.partition(":")
    return rest if kind == "smtp" and rest and ":" not in rest.strip("[]") else None


class FeedbackDeliveryLog:
    """``DeliveryLog`` into the feedback store: a ``delivery`` event per accepted recipient,
    a ``deferral`` per 4xx, a ``bounce`` per 5xx (classified by the declared bounce rules,
    and suppressed at once when the policy says so, as a bounce report would be)."""

    def __init__(
        self, store: SqlFeedbackStore, rules: BounceRules, policy: SuppressionPolicy
    ) -> None:
        self._store = store
        self._rules = rules
        self._policy = policy

    def record(self, attempts: Sequence[Attempt], at: datetime) -> None:
        """Store one event per attempt, and any suppressions, in one transaction."""
        events = [self._event(a, at) for a in attempts]
        wanted = [e for e in (suppress_at_once(ev, self._policy) for ev in events) if e]
        self._store.apply(events, wanted)

    def _event(self, attempt: Attempt, at: datetime) -> FeedbackEvent:
        message, result = attempt.message, attempt.result
        kind, reason, status, permanent = EventKind.DELIVERY, "", result.enhanced or None, False
        if result.outcome is not SendOutcome.SENT:
            found = classify(
                self._rules,
                diagnostic=result.text,
                status=result.enhanced or None,
                action="delayed" if result.outcome is SendOutcome.DEFERRED else "failed",
                smtp_code=str(result.code) if result.code is not None else None,
            )
            permanent = result.outcome is not SendOutcome.DEFERRED and found.permanent
            kind = EventKind.BOUNCE if permanent else EventKind.DEFERRAL
            reason, status = found.reason.value, found.status or status
        return FeedbackEvent(
            kind=kind,
            recipient=message.draft.recipient,
            occurred_at=at,
            reason=reason,
            status=status,
            permanent=permanent,
            message_id=message.message_id,
            sending_domain=message.sender_domain,
            mailbox=message.draft.sender.lower(),
            ip=_ip(attempt.relay),
            source=DISPATCH_SOURCE,
        )


class QueueSentMessageLookup:
    """``SentMessageLookup`` over the outbound queue: a VERP token carries the queue id, a
    report may carry the Message-ID; either finds the message, its sender and domain."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def find(self, message_id: str) -> SentMessage | None:
        """The queued message with this queue id or Message-ID, or ``None``."""
        t = OutboundMessageRow
        key = message_id.strip()
        where = t.id == int(key) if key.isdigit() else t.message_id == f"<{key.strip('<>')}>"
        with self._db.session() as s:
            row = s.execute(select(t.message_id, t.recipient, t.sender).where(where)).first()
        if row is None:
            return None
        stored_id, recipient, sender = row
        return SentMessage(
            message_id=stored_id,
            recipient=recipient,
            mailbox=sender.lower(),
            sending_domain=sender.rpartition("@")[2].lower(),
        )
