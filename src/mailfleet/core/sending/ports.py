"""The ports the sending side is written against.

Warmup caps and the limiter, the suppression list and DKIM keys belong to other parts of
mailfleet; sending asks for them through these small interfaces, each with an in-memory twin
in ``mailfleet.adapters.sending`` and, later, thin adapters onto the real implementations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from mailfleet.core.sending.dkim import DkimKey
from mailfleet.core.sending.model import Claim, MessageDraft, MessageState, QueuedMessage
from mailfleet.core.sending.outcomes import RecipientResult
from mailfleet.core.sending.shaping import Backoff


@dataclass(frozen=True, slots=True)
class GateRequest:
    """One message asking to leave now: who sends, to whom, from which IP."""

    domain: str
    mailbox: str
    recipient_domain: str
    provider: str = ""
    ip: str = ""


class GateVerdict(StrEnum):
    """The gate's answer."""

    ALLOW = "allow"
    WAIT = "wait"


@dataclass(frozen=True, slots=True)
class GateDecision:
    """``ALLOW`` (a slot was taken) or ``WAIT`` until ``retry_at``, with the cap that said so."""

    verdict: GateVerdict
    retry_at: datetime | None = None
    reason: str = ""

    @property
    def allowed(self) -> bool:
        """True when the message may go now."""
        return self.verdict is GateVerdict.ALLOW


class SendGate(Protocol):
    """Warmup caps and rate limits: may this message go now? An allowed answer uses a slot."""

    def acquire(self, request: GateRequest, now: datetime) -> GateDecision:
        """Take a slot for ``request`` or say when to come back."""
        ...


class Suppressions(Protocol):
    """The suppression list (hard bounces, complaints, unsubscribes)."""

    def suppressed(self, addresses: Iterable[str], sending_domain: str = "") -> set[str]:
        """Those of ``addresses`` that must not be mailed from ``sending_domain`` (lower-cased):
        the global list and, when a domain is given, that domain's own list."""
        ...


@dataclass(frozen=True, slots=True)
class Attempt:
    """One recipient's result of one relay attempt, with the message it belongs to."""

    message: QueuedMessage
    result: RecipientResult
    relay: str = ""


class DeliveryLog(Protocol):
    """Where each attempt's result is told to the feedback side (the rates' denominator)."""

    def record(self, attempts: Sequence[Attempt], at: datetime) -> None:
        """Record the attempts of one settled batch."""
        ...


class DkimKeys(Protocol):
    """Private keys for signing, kept in the vault."""

    def keys_for(self, domain: str) -> Sequence[DkimKey]:
        """The active keys of ``domain`` (RSA first); empty when the domain has none."""
        ...


class MxLookup(Protocol):
    """The MX hosts of a recipient domain, to recognise the receiving provider."""

    def hosts(self, domain: str) -> Sequence[str]:
        """MX host names of ``domain`` (empty when unknown)."""
        ...


@dataclass(frozen=True, slots=True)
class Envelope:
    """What goes to a relay: the SMTP envelope and the signed message bytes."""

    mail_from: str
    recipients: tuple[str, ...]
    data: bytes
    message_id: str = ""
    header_from: str = ""  # the From address, for API relays that want it apart
    segment: str = ""  # for routing to the segment's relay pool


class Relay(Protocol):
    """Hands messages to the next hop. Outcomes are values: a relay only raises on our bugs."""

    name: str

    async def send(self, envelope: Envelope) -> list[RecipientResult]:
        """Deliver ``envelope``; one result per recipient, in order."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


@dataclass(frozen=True, slots=True)
class Route:
    """The pool member chosen for one message, and the sending IP it binds to ("" unknown)."""

    member: str
    source_ip: str = ""


@runtime_checkable
class RoutedRelay(Relay, Protocol):
    """A relay made of members (IPs, accounts) that lets the dispatcher pick the member first,
    so that per-IP connection bounds and IP-scoped backoffs apply before the send."""

    def route(self, segment: str, sender_domain: str) -> Route | None:
        """The member for a message of ``sender_domain`` in ``segment``; ``None`` when no
        member is available (all of the pool's breakers are open)."""
        ...

    async def send_via(self, route: Route, envelope: Envelope) -> list[RecipientResult]:
        """Deliver ``envelope`` through the member ``route`` names."""
        ...


class ShapingStore(Protocol):
    """Backoffs shared by every dispatcher: what one worker learns from a deferral, all hold.

    Keys are (provider, scope key) as in ``mailfleet.core.sending.shaping``.
    """

    def current(self, now: datetime) -> dict[tuple[str, str], Backoff]:
        """Every backoff still in force at ``now``."""
        ...

    def put(self, provider: str, scope: str, backoff: Backoff, now: datetime) -> Backoff:
        """Store ``backoff`` unless a longer one is in force; the one in force afterwards."""
        ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """What to record for one claimed message after its attempt."""

    id: int
    state: MessageState
    reply: str = ""
    not_before: datetime | None = None
    results: tuple[RecipientResult, ...] = ()
    relay: str = ""
    counted: bool = True  # False when the message never reached a relay (held by the gate)


class MessageQueue(Protocol):
    """The durable queue: persisted before accepted, claimed under a lease, settled in batches."""

    def enqueue(self, drafts: Sequence[MessageDraft], now: datetime) -> list[int]:
        """Store drafts (state queued or scheduled) in one transaction; their ids."""
        ...

    def claim(self, worker: str, limit: int, now: datetime, lease_seconds: float) -> Claim:
        """Up to ``limit`` due messages, marked as sending by ``worker`` until the lease ends.

        Messages whose lease has run out (their worker died) are due again.
        """
        ...

    def settle(self, worker: str, outcomes: Sequence[Outcome], now: datetime) -> int:
        """Record outcomes in one transaction; only rows still leased to ``worker`` change."""
        ...

    def counts(self) -> dict[MessageState, int]:
        """How many messages are in each state."""
        ...
