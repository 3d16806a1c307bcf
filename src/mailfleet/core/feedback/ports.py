"""Ports of the feedback capability: where events and suppressions live, how sends are found."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from mailfleet.core.feedback.dmarc_report import AggregateReport, SourceDay
from mailfleet.core.feedback.dmarc_stage import StageRecord
from mailfleet.core.feedback.events import DailyCounts, FeedbackEvent, Suppression
from mailfleet.core.feedback.relay_suppression import RemoteKind, RemoteSuppression
from mailfleet.core.feedback.replay import Delivery


class FeedbackStore(Protocol):
    """Events and the suppression list (the database; an in-memory twin for tests)."""

    def add_events(self, events: Sequence[FeedbackEvent]) -> None:
        """Record events."""
        ...

    def count_events(
        self, recipient: str, kinds: Sequence[str], reasons: Sequence[str], since: datetime
    ) -> int:
        """How many events of these kinds and reasons ``recipient`` had since ``since``."""
        ...

    def event_times(
        self,
        recipients: Sequence[str],
        kinds: Sequence[str],
        reasons: Sequence[str],
        since: datetime,
    ) -> dict[str, list[datetime]]:
        """When each recipient (lower case) had events of these kinds and reasons since
        ``since``: one query for a whole batch."""
        ...

    def apply(
        self, events: Sequence[FeedbackEvent], suppressions: Sequence[Suppression]
    ) -> list[Suppression]:
        """Record events and suppressions together (one transaction); the new suppressions."""
        ...

    def apply_delivery(
        self,
        delivery: Delivery,
        events: Sequence[FeedbackEvent],
        suppressions: Sequence[Suppression],
    ) -> list[Suppression] | None:
        """:meth:`apply` and remember ``delivery``, in one transaction; ``None`` (and nothing
        stored) when the delivery was already remembered."""
        ...

    def forget_deliveries(self, now: datetime) -> int:
        """Drop the remembered deliveries that expired before ``now``; how many."""
        ...

    def suppress(self, entry: Suppression) -> bool:
        """Add or refresh a suppression; ``False`` when an active one already covered it."""
        ...

    def unsuppress(self, address: str, scope: str | None) -> int:
        """Remove suppressions of ``address`` (in ``scope``, or all); how many were removed."""
        ...

    def suppressions(self, *, scope: str | None = None) -> list[Suppression]:
        """Every suppression (of one scope), sorted by address."""
        ...

    def find_suppression(
        self, address: str, sending_domain: str | None, now: datetime
    ) -> Suppression | None:
        """The active suppression that stops mail from ``sending_domain`` to ``address``."""
        ...

    def daily_counts(self, since: datetime, until: datetime) -> list[DailyCounts]:
        """Per-day, per-sending-domain counts of events in ``[since, until)``."""
        ...


@dataclass(frozen=True, slots=True)
class SentMessage:
    """What the sending log knows about a message a report points back to."""

    message_id: str
    recipient: str
    mailbox: str | None
    sending_domain: str | None
    ip: str | None = None


class SentMessageLookup(Protocol):
    """Finds the sent message behind a VERP token's message id (the sending capability)."""

    def find(self, message_id: str) -> SentMessage | None:
        """The message, or ``None`` when it is unknown."""
        ...


class SnsHttpClient(Protocol):
    """Fetches Amazon SNS signing certificates and confirms subscriptions (https GET)."""

    def get(self, url: str) -> bytes:
        """The body at ``url``; raises ``ProviderError`` when it cannot be fetched."""
        ...


@dataclass(frozen=True, slots=True)
class MailboxMessage:
    """One message fetched from a bounce mailbox: its UID there and its raw bytes."""

    uid: str
    raw: bytes


class BounceMailbox(Protocol):
    """A mailbox that collects bounces and complaints (IMAP; an in-memory twin for tests)."""

    def unseen(self, limit: int) -> list[MailboxMessage]:
        """Up to ``limit`` messages not yet processed, oldest first (not marked by reading)."""
        ...

    def done(self, uids: Sequence[str]) -> None:
        """Mark these messages processed: flagged seen, or moved to the processed folder."""
        ...

    def close(self) -> None:
        """Log out."""
        ...


class DmarcStore(Protocol):
    """DMARC aggregate reports, summed per domain, source IP and day, and the staged policies."""

    def add_report(self, report: AggregateReport, now: datetime) -> bool:
        """Add a report's counts; ``False`` (nothing added) when it was ingested before."""
        ...

    def source_days(self, since: date) -> list[SourceDay]:
        """Every per-domain, per-source, per-day total from ``since`` on."""
        ...

    def stages(self) -> list[StageRecord]:
        """Every domain's stored stage."""
        ...

    def set_stage(self, record: StageRecord) -> None:
        """Store a domain's stage."""
        ...


class RelaySuppressionList(Protocol):
    """A relay's own suppression list (SES account-level list, Mailgun's per-domain lists)."""

    name: str
    kinds: tuple[RemoteKind, ...]  # the lists it keeps
    unsubscribe_scope: str | None  # the sending domain its unsubscribes apply to, if any

    def entries(self) -> list[RemoteSuppression]:
        """Every address on the relay's lists (all pages)."""
        ...

    def add(self, entries: Sequence[RemoteSuppression]) -> int:
        """Put addresses on the relay's lists; how many were sent."""
        ...

    def remove(self, address: str) -> bool:
        """Take an address off the relay's lists; whether it was on one."""
        ...
