"""In-memory twins of the sending ports, for tests, the demo and the embedded default.

``InMemorySendGate`` enforces simple daily caps (per domain, mailbox, receiving provider and
IP) counted per UTC day; the warmup engine's real gate replaces it through the same port.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta

from mailfleet.core.sending.dkim import DkimKey
from mailfleet.core.sending.message import new_message_id
from mailfleet.core.sending.model import (
    CLAIMABLE_STATES,
    Claim,
    MessageDraft,
    MessageState,
    QueuedMessage,
)
from mailfleet.core.sending.outcomes import RecipientResult, SendOutcome
from mailfleet.core.sending.ports import (
    Attempt,
    Envelope,
    GateDecision,
    GateRequest,
    GateVerdict,
    Outcome,
)


@dataclass
class InMemorySendGate:
    """Daily caps by key; a key without a cap is unlimited."""

    domain_caps: Mapping[str, int] = field(default_factory=dict)
    mailbox_caps: Mapping[str, int] = field(default_factory=dict)
    provider_caps: Mapping[str, int] = field(default_factory=dict)
    ip_caps: Mapping[str, int] = field(default_factory=dict)
    _used: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    def acquire(self, request: GateRequest, now: datetime) -> GateDecision:
        """Allow and count, or say ``WAIT`` until the next UTC midnight."""
        day = now.date().isoformat()
        keys = [
            ("domain", request.domain, self.domain_caps.get(request.domain)),
            ("mailbox", request.mailbox, self.mailbox_caps.get(request.mailbox)),
            ("provider", request.provider, self.provider_caps.get(request.provider)),
            ("ip", request.ip, self.ip_caps.get(request.ip)),
        ]
        for kind, name, cap in keys:
            if cap is not None and self._used[(day, kind, name)] >= cap:
                midnight = datetime.combine(now.date() + timedelta(days=1), time(), now.tzinfo)
                return GateDecision(GateVerdict.WAIT, midnight, f"{kind} {name}: {cap}/day reached")
        for kind, name, _cap in keys:
            self._used[(day, kind, name)] += 1
        return GateDecision(GateVerdict.ALLOW)


@dataclass
class OpenSendGate:
    """A gate with no caps at all (benchmarks, tests of other parts)."""

    def acquire(self, request: GateRequest, now: datetime) -> GateDecision:
        """Always allow."""
        return GateDecision(GateVerdict.ALLOW)


@dataclass
class InMemorySuppressions:
    """A set of suppressed addresses, compared case-insensitively."""

    addresses: set[str] = field(default_factory=set)

    def add(self, address: str) -> None:
        """Suppress ``address``."""
        self.addresses.add(address.lower())

    def suppressed(self, addresses: Iterable[str], sending_domain: str = "") -> set[str]:
        """The suppressed ones among ``addresses`` (one list for every sending domain)."""
        return {a.lower() for a in addresses} & self.addresses


@dataclass
class InMemoryDeliveryLog:
    """Keeps every recorded attempt in a list."""

    attempts: list[Attempt] = field(default_factory=list)

    def record(self, attempts: Sequence[Attempt], at: datetime) -> None:
        """Append ``attempts``."""
        self.attempts.extend(attempts)


@dataclass
class InMemoryDkimKeys:
    """Keys held in a dict by domain."""

    keys: dict[str, list[DkimKey]] = field(default_factory=dict)

    def keys_for(self, domain: str) -> Sequence[DkimKey]:
        """The keys of ``domain``."""
        return self.keys.get(domain.lower(), [])


@dataclass
class InMemoryRelay:
    """Records every envelope; answers per recipient from ``replies`` (default 250)."""

    name: str = "memory"
    replies: dict[str, RecipientResult] = field(default_factory=dict)
    sent: list[Envelope] = field(default_factory=list)

    async def send(self, envelope: Envelope) -> list[RecipientResult]:
        """Accept, or answer what ``replies`` says for a recipient."""
        self.sent.append(envelope)
        return [
            self.replies.get(r.lower(), RecipientResult(r, SendOutcome.SENT, 250, "2.0.0", "ok"))
            for r in envelope.recipients
        ]

    async def close(self) -> None:
        """Nothing to release."""


@dataclass
class InMemoryMxLookup:
    """MX hosts from a dict; the real adapter resolves them with DNS and caches them."""

    mx: dict[str, list[str]] = field(default_factory=dict)

    def hosts(self, domain: str) -> Sequence[str]:
        """The MX hosts recorded for ``domain``."""
        return self.mx.get(domain.lower(), [])


@dataclass
class _Row:
    message: QueuedMessage
    state: MessageState
    not_before: datetime
    claimed_by: str | None = None
    lease_until: datetime | None = None
    reply: str = ""


@dataclass
class InMemoryMessageQueue:
    """The ``MessageQueue`` twin: the same states, leases and settle rules, in a dict."""

    rows: dict[int, _Row] = field(default_factory=dict)
    results: list[RecipientResult] = field(default_factory=list)

    def enqueue(self, drafts: Sequence[MessageDraft], now: datetime) -> list[int]:
        """Store drafts; their ids."""
        ids = []
        for draft in drafts:
            number = len(self.rows) + 1
            domain = draft.sender.rpartition("@")[2]
            message = QueuedMessage(number, new_message_id(f"m{number}", domain), draft, 0, now)
            due = draft.not_before or now
            state = MessageState.SCHEDULED if due > now else MessageState.QUEUED
            self.rows[number] = _Row(message, state, due)
            ids.append(number)
        return ids

    def claim(self, worker: str, limit: int, now: datetime, lease_seconds: float) -> Claim:
        """Lease due rows (including rows whose lease ran out) to ``worker``."""
        lease_until = now + timedelta(seconds=lease_seconds)
        due = [
            row
            for row in self.rows.values()
            if (row.state in CLAIMABLE_STATES and row.not_before <= now)
            or (row.state is MessageState.SENDING and row.lease_until and row.lease_until < now)
        ]
        due.sort(key=lambda r: (r.not_before, r.message.id))
        claimed = []
        for row in due[:limit]:
            row.message = replace(row.message, attempts=row.message.attempts + 1)
            row.state, row.claimed_by, row.lease_until = MessageState.SENDING, worker, lease_until
            claimed.append(row.message)
        return Claim(worker, tuple(claimed), lease_until)

    def settle(self, worker: str, outcomes: Sequence[Outcome], now: datetime) -> int:
        """Apply outcomes to rows still leased to ``worker``."""
        for outcome in outcomes:
            row = self.rows[outcome.id]
            if row.claimed_by != worker or row.state is not MessageState.SENDING:
                continue
            row.state, row.reply = outcome.state, outcome.reply
            row.not_before = outcome.not_before or now
            row.claimed_by = row.lease_until = None
            if not outcome.counted:
                row.message = replace(row.message, attempts=row.message.attempts - 1)
            self.results.extend(outcome.results)
        return len(outcomes)

    def counts(self) -> dict[MessageState, int]:
        """Messages per state."""
        found = Counter(row.state for row in self.rows.values())
        return {state: found.get(state, 0) for state in MessageState}
