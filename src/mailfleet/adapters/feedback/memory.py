"""In-memory twins of the feedback ports, for tests and the demo."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from mailfleet.core.errors import ProviderError
from mailfleet.core.feedback.events import (
    GLOBAL_SCOPE,
    DailyCounts,
    FeedbackEvent,
    Suppression,
    daily_counts,
)
from mailfleet.core.feedback.ports import MailboxMessage, SentMessage
from mailfleet.core.feedback.relay_suppression import RemoteKind, RemoteSuppression
from mailfleet.core.feedback.replay import Delivery


class InMemoryFeedbackStore:
    """Events in a list, suppressions in a dict keyed by (address, scope)."""

    def __init__(self, hard_reasons: frozenset[str] = frozenset()) -> None:
        self.events: list[FeedbackEvent] = []
        self._suppressions: dict[tuple[str, str], Suppression] = {}
        self._hard = hard_reasons
        self.deliveries: dict[str, Delivery] = {}

    def add_events(self, events: Sequence[FeedbackEvent]) -> None:
        """Record events."""
        self.events.extend(events)

    def count_events(
        self, recipient: str, kinds: Sequence[str], reasons: Sequence[str], since: datetime
    ) -> int:
        """How many matching events ``recipient`` had since ``since``."""
        key = recipient.lower()
        return sum(
            1
            for e in self.events
            if e.recipient.lower() == key
            and e.kind.value in kinds
            and e.reason in reasons
            and e.occurred_at >= since
        )

    def event_times(
        self,
        recipients: Sequence[str],
        kinds: Sequence[str],
        reasons: Sequence[str],
        since: datetime,
    ) -> dict[str, list[datetime]]:
        """When each recipient had matching events since ``since``."""
        wanted = {r.lower() for r in recipients}
        times: dict[str, list[datetime]] = {}
        for e in self.events:
            key = e.recipient.lower()
            matching = e.kind.value in kinds and e.reason in reasons and e.occurred_at >= since
            if key in wanted and matching:
                times.setdefault(key, []).append(e.occurred_at)
        return times

    def apply(
        self, events: Sequence[FeedbackEvent], suppressions: Sequence[Suppression]
    ) -> list[Suppression]:
        """Record events and suppressions; the suppressions that were new."""
        self.add_events(events)
        return [entry for entry in suppressions if self.suppress(entry)]

    def apply_delivery(
        self,
        delivery: Delivery,
        events: Sequence[FeedbackEvent],
        suppressions: Sequence[Suppression],
    ) -> list[Suppression] | None:
        """Record events and suppressions once per delivery key; ``None`` for a replay."""
        if delivery.key in self.deliveries:
            return None
        self.deliveries[delivery.key] = delivery
        return self.apply(events, suppressions)

    def forget_deliveries(self, now: datetime) -> int:
        """Drop expired deliveries."""
        expired = [k for k, d in self.deliveries.items() if d.expires_at < now]
        for key in expired:
            del self.deliveries[key]
        return len(expired)

    def suppress(self, entry: Suppression) -> bool:
        """Add or refresh a suppression."""
        key = (entry.address.lower(), entry.scope)
        current = self._suppressions.get(key)
        if current is not None and current.expires_at is None:
            return False
        self._suppressions[key] = entry
        return current is None or not current.active(entry.created_at)

    def unsuppress(self, address: str, scope: str | None) -> int:
        """Remove suppressions of ``address``."""
        keys = [k for k in self._suppressions if k[0] == address.lower() and scope in (None, k[1])]
        for key in keys:
            del self._suppressions[key]
        return len(keys)

    def suppressions(self, *, scope: str | None = None) -> list[Suppression]:
        """Every suppression, sorted."""
        rows = [s for s in self._suppressions.values() if scope in (None, s.scope)]
        return sorted(rows, key=lambda s: (s.address, s.scope))

    def find_suppression(
        self, address: str, sending_domain: str | None, now: datetime
    ) -> Suppression | None:
        """The active suppression covering this send."""
        scopes = [GLOBAL_SCOPE] + ([sending_domain.lower()] if sending_domain else [])
        for scope in scopes:
            found = self._suppressions.get((address.lower(), scope))
            if found is not None and found.active(now):
                return found
        return None

    def daily_counts(self, since: datetime, until: datetime) -> list[DailyCounts]:
        """Per-day, per-domain counts."""
        window = [e for e in self.events if since <= e.occurred_at < until]
        return daily_counts(window, self._hard)


class InMemorySentMessages:
    """A dictionary of sent messages by id."""

    def __init__(self, messages: Sequence[SentMessage] = ()) -> None:
        self.messages = {m.message_id: m for m in messages}

    def find(self, message_id: str) -> SentMessage | None:
        """The message, or ``None``."""
        return self.messages.get(message_id)


class StaticSnsClient:
    """Serves fixed bodies by URL (a test's certificate); records every URL asked for."""

    def __init__(self, bodies: dict[str, bytes] | None = None) -> None:
        self.bodies = dict(bodies or {})
        self.requested: list[str] = []

    def get(self, url: str) -> bytes:
        """The body for ``url``; ``ProviderError`` when none is set."""
        self.requested.append(url)
        if url not in self.bodies:
            raise ProviderError(f"no body for {url}")
        return self.bodies[url]


class InMemoryBounceMailbox:
    """A list of messages with a seen flag each."""

    def __init__(self, raws: Sequence[bytes] = ()) -> None:
        self.messages = {str(i + 1): raw for i, raw in enumerate(raws)}
        self.seen: set[str] = set()

    def unseen(self, limit: int) -> list[MailboxMessage]:
        """The first ``limit`` unseen messages."""
        fresh = [uid for uid in self.messages if uid not in self.seen][:limit]
        return [MailboxMessage(uid, self.messages[uid]) for uid in fresh]

    def done(self, uids: Sequence[str]) -> None:
        """Flag them seen."""
        self.seen.update(uids)

    def close(self) -> None:
        """Nothing to close."""


class InMemoryRelaySuppressionList:
    """A relay's suppression list in a dict keyed by address: the twin of SES and Mailgun's."""

    def __init__(
        self,
        name: str = "relay",
        kinds: tuple[RemoteKind, ...] = (RemoteKind.BOUNCE, RemoteKind.COMPLAINT),
        unsubscribe_scope: str | None = None,
    ) -> None:
        self.name = name
        self.kinds = kinds
        self.unsubscribe_scope = unsubscribe_scope
        self.items: dict[str, RemoteSuppression] = {}
        self.add_calls = 0

    def entries(self) -> list[RemoteSuppression]:
        """Every address on the list."""
        return list(self.items.values())

    def add(self, entries: Sequence[RemoteSuppression]) -> int:
        """Add (or replace) addresses."""
        self.add_calls += 1
        for entry in entries:
            self.items[entry.address.lower()] = entry
        return len(entries)

    def remove(self, address: str) -> bool:
        """Remove an address."""
        return self.items.pop(address.lower(), None) is not None
