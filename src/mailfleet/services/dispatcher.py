"""The dispatcher: claim due messages, gate them, sign them, send them, record what happened.

One batch at a time::

    claim (lease) -> suppression check -> shaping holds -> SendGate
      -> pool member (relay + sending IP) -> provider, IP and worker bounds on sends in flight
      -> build headers -> DKIM sign -> relay (concurrently, over pooled connections)
      -> settle all outcomes in one commit

Backoffs learnt from deferrals apply at once in this worker and, through a shared
``ShapingStore`` (Redis), to every worker from its next batch.

Crash window: a message is handed to the relay and the worker dies before its batch is
settled. Its lease runs out, the next claim takes it, and it is sent again with the same
Message-ID (fixed at enqueue), so receivers and the feedback side can tell it is one message.
That is the only way a message goes out twice; nothing is ever lost, because a message leaves
``sending`` only through a settle.
"""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from mailfleet.core.ports import Clock
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.dkim import DkimSigner
from mailfleet.core.sending.message import BuildContext, build_message
from mailfleet.core.sending.model import Claim, MessageState, QueuedMessage
from mailfleet.core.sending.outcomes import RecipientResult, RetryPolicy, SendOutcome
from mailfleet.core.sending.ports import (
    Attempt,
    DeliveryLog,
    DkimKeys,
    Envelope,
    GateRequest,
    MessageQueue,
    MxLookup,
    Outcome,
    Relay,
    Route,
    RoutedRelay,
    SendGate,
    ShapingStore,
    Suppressions,
)
from mailfleet.core.sending.shaping import ShapingPolicy, ShapingState, backoff_for
from mailfleet.core.verp import encode_verp

# Batches sent at once by one dispatcher; with the one being settled, a crash can repeat
# at most BATCHES_IN_FLIGHT + 1 batches (see "Crash window" in docs/sending.md).
BATCHES_IN_FLIGHT = 2


@dataclass(frozen=True)
class DispatchSettings:
    """How the dispatcher works. ``verp_key`` signs return paths and unsubscribe tokens."""

    verp_key: Secret
    batch_size: int = 200
    lease_seconds: float = 300.0
    concurrency: int = 8
    return_path_prefix: str = "bounces."
    unsubscribe_url: str = ""  # e.g. https://mail.example.com/u ; the token is appended
    feedback_sender_id: str = "mailfleet"
    require_dkim: bool = True
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass
class DispatchReport:
    """What a run did, by final state of each settled message."""

    claimed: int = 0
    batches: int = 0
    states: dict[str, int] = field(default_factory=dict)

    def add(self, outcomes: list[Outcome]) -> None:
        """Count a settled batch."""
        self.batches += 1
        self.claimed += len(outcomes)
        for outcome in outcomes:
            self.states[outcome.state.value] = self.states.get(outcome.state.value, 0) + 1


class Dispatcher:
    """Moves due messages from the queue to a relay. One instance per worker process."""

    def __init__(
        self,
        *,
        queue: MessageQueue,
        relay: Relay,
        gate: SendGate,
        suppressions: Suppressions,
        keys: DkimKeys,
        clock: Clock,
        settings: DispatchSettings,
        worker: str,
        unit_random: Callable[[], float] = random.random,
        shaping: ShapingPolicy | None = None,
        mx: MxLookup | None = None,
        log: DeliveryLog | None = None,
        shaping_store: ShapingStore | None = None,
    ) -> None:
        self.queue = queue
        self.relay = relay
        self.gate = gate
        self.suppressions = suppressions
        self.keys = keys
        self.clock = clock
        self.settings = settings
        self.worker = worker
        self._random = unit_random
        self._signers: dict[str, DkimSigner | None] = {}
        self.shaping = shaping
        # Backoffs in force as this worker knows them: refreshed from the shared store (when
        # there is one) at every batch, and updated at once by this worker's own deferrals.
        self.shaping_state = ShapingState()
        self.shaping_store = shaping_store
        self._mx = mx
        self._providers: dict[str, str] = {}
        self._log = log
        self._attempts: dict[int, Attempt] = {}
        self._routed_for: Relay | None = None
        self._routed_relay: RoutedRelay | None = None

    async def run_once(self) -> int:
        """Claim, send and settle one batch; the number of messages it held."""
        now = self.clock.now()
        claim = self.queue.claim(
            self.worker, self.settings.batch_size, now, self.settings.lease_seconds
        )
        if not claim.messages:
            return 0
        outcomes = await self.process(claim)
        self._settle(outcomes)
        return len(outcomes)

    def _settle(self, outcomes: list[Outcome]) -> int:
        """Settle a batch, then tell the delivery log what each attempt got.

        The log is written after the queue's commit: a crash in between loses a few counts
        (the rates' denominator) but never records an attempt the queue would redo.
        """
        settled = self.queue.settle(self.worker, outcomes, self.clock.now())
        attempts = [a for o in outcomes if (a := self._attempts.pop(o.id, None)) is not None]
        if self._log is not None and attempts:
            self._log.record(attempts, self.clock.now())
        return settled

    async def drain(self, report: DispatchReport | None = None) -> DispatchReport:
        """Run batches until nothing is due.

        Two batches are in flight at once, sharing one bound on concurrent sends, so the
        connections never idle at a batch boundary; the database work runs in threads beside
        the sending (the next claim, and the settle of the batch that just finished).
        """
        report = report or DispatchReport()
        limit = _Slots(self.settings.concurrency, self.shaping)
        running: deque[asyncio.Task[list[Outcome]]] = deque()
        settling: asyncio.Task[int] | None = None
        claim = await asyncio.to_thread(self._claim)
        try:
            while claim.messages or running:
                if claim.messages:
                    running.append(asyncio.create_task(self.process(claim, limit)))
                if len(running) >= BATCHES_IN_FLIGHT or not claim.messages:
                    outcomes = await running.popleft()
                    if settling is not None:
                        await settling
                    settling = asyncio.create_task(asyncio.to_thread(self._settle, outcomes))
                    report.add(outcomes)
                if claim.messages:
                    claim = await asyncio.to_thread(self._claim)
        finally:
            for task in running:
                task.cancel()
            if settling is not None:
                await settling
        return report

    def _claim(self) -> Claim:
        return self.queue.claim(
            self.worker, self.settings.batch_size, self.clock.now(), self.settings.lease_seconds
        )

    async def process(self, claim: Claim, limit: _Slots | None = None) -> list[Outcome]:
        """Decide and carry out the fate of every message in ``claim``."""
        now = self.clock.now()
        if self.shaping_store is not None:
            self.shaping_state = ShapingState(self.shaping_store.current(now))
        blocked = self._suppressed(claim)
        outcomes: list[Outcome] = []
        to_send: list[QueuedMessage] = []
        for message in claim.messages:
            if (message.sender_domain, message.draft.recipient.lower()) in blocked:
                outcomes.append(Outcome(message.id, MessageState.SUPPRESSED, "suppressed"))
                continue
            provider = self._provider(message.recipient_domain)
            held = self._held_by_shaping(message, provider, now)
            if held is not None:
                outcomes.append(held)
                continue
            decision = self.gate.acquire(
                GateRequest(
                    message.sender_domain,
                    message.draft.sender,
                    message.recipient_domain,
                    provider=provider,
                ),
                now,
            )
            if not decision.allowed:
                outcomes.append(
                    Outcome(
                        message.id,
                        MessageState.SCHEDULED,
                        f"held by the send gate: {decision.reason}",
                        not_before=decision.retry_at,
                        counted=False,
                    )
                )
                continue
            to_send.append(message)
        limit = limit or _Slots(self.settings.concurrency, self.shaping)
        sent = await asyncio.gather(
            *(self._send_one(m, now, limit, claim.lease_until) for m in to_send)
        )
        return outcomes + [o for o in sent if o is not None]

    def _suppressed(self, claim: Claim) -> set[tuple[str, str]]:
        """(sending domain, recipient) pairs the suppression list stops: one question per
        sending domain in the batch, so per-domain suppressions count as well as global ones."""
        by_domain: dict[str, list[str]] = {}
        for message in claim.messages:
            by_domain.setdefault(message.sender_domain, []).append(message.draft.recipient)
        return {
            (domain, address)
            for domain, recipients in by_domain.items()
            for address in self.suppressions.suppressed(recipients, domain)
        }

    async def _send_one(
        self, message: QueuedMessage, now: datetime, limit: _Slots, lease_until: datetime
    ) -> Outcome | None:
        provider = self._provider(message.recipient_domain)
        route = self._route(message)
        ip = route.source_ip if route is not None else ""
        # The provider's and the IP's bounds are taken before the worker-wide one, so a message
        # waiting for a busy provider does not hold a slot the other providers could use.
        async with limit.provider(provider), limit.ip(ip), limit.sends:
            if self.clock.now() >= lease_until:
                # The lease ran out while this batch waited: another claim may own the message
                # now, so it is left alone (no send, no outcome) rather than sent twice.
                return None
            # Checked again now that the IP is known and earlier sends may have started a
            # backoff: a suspension learnt mid-batch stops the rest of the batch too.
            held = self._held_by_shaping(message, provider, self.clock.now(), ip)
            if held is not None:
                return held
            signer = self._signer(message.sender_domain)
            if signer is None and self.settings.require_dkim:
                reply = f"no DKIM key for {message.sender_domain} in the vault"
                return Outcome(message.id, MessageState.FAILED, reply)
            envelope = self._envelope(message, now, signer)
            if route is not None and self._routed is not None:
                results = await self._routed.send_via(route, envelope)
            else:
                results = await self.relay.send(envelope)
        name = route.member if route is not None else self.relay.name
        self._attempts[message.id] = Attempt(message, results[0], name)
        return self._outcome(message, results[0], provider, ip, name)

    @property
    def _routed(self) -> RoutedRelay | None:
        relay = self.relay
        if self._routed_for is not relay:
            self._routed_for = relay
            self._routed_relay = relay if isinstance(relay, RoutedRelay) else None
        return self._routed_relay

    def _route(self, message: QueuedMessage) -> Route | None:
        routed = self._routed
        if routed is None:
            return None
        return routed.route(message.draft.segment, message.sender_domain)

    def _envelope(
        self, message: QueuedMessage, now: datetime, signer: DkimSigner | None
    ) -> Envelope:
        domain = message.sender_domain
        return_path = self.settings.return_path_prefix + domain
        verp = encode_verp(str(message.id), self.settings.verp_key, return_path)
        token = verp.partition("+")[2].partition("@")[0]
        context = BuildContext(
            now=now,
            unsubscribe_mailto=f"unsubscribe+{token}@{return_path}",
            unsubscribe_url=(
                f"{self.settings.unsubscribe_url.rstrip('/')}/{token}"
                if self.settings.unsubscribe_url
                else ""
            ),
            feedback_sender_id=self.settings.feedback_sender_id,
        )
        data = build_message(message, context)
        if signer is not None:
            data = signer.sign(data, timestamp=int(now.timestamp()))
        return Envelope(
            verp,
            (message.draft.recipient,),
            data,
            message.message_id,
            message.draft.sender,
            message.draft.segment,
        )

    def _provider(self, domain: str) -> str:
        if self.shaping is None:
            return ""
        if domain not in self._providers:
            hosts = self._mx.hosts(domain) if self._mx is not None else ()
            self._providers[domain] = self.shaping.provider_for(domain, hosts)
        return self._providers[domain]

    def _held_by_shaping(
        self, message: QueuedMessage, provider: str, now: datetime, ip: str = ""
    ) -> Outcome | None:
        backoff = self.shaping_state.active(provider, message.sender_domain, now, ip)
        until = self.shaping_state.suspended_until(provider, message.sender_domain, now, ip)
        if until is None:
            return None
        reason = backoff.reason if backoff else ""
        whom = f"{message.sender_domain} via {ip}" if ip else message.sender_domain
        return Outcome(
            message.id,
            MessageState.SCHEDULED,
            f"{provider} suspended for {whom} after: {reason}",
            not_before=until,
            counted=False,
        )

    def _learn(
        self, provider: str, message: QueuedMessage, ip: str, result: RecipientResult
    ) -> None:
        """Start the backoff a deferral calls for, here at once and in the shared store."""
        if self.shaping is None:
            return
        now = self.clock.now()
        found = backoff_for(self.shaping, provider, message.sender_domain, ip, result, now)
        if found is None:
            return
        scope, backoff = found
        if self.shaping_store is not None:
            backoff = self.shaping_store.put(provider, scope, backoff, now)
        self.shaping_state.put(provider, scope, backoff, now)

    def _outcome(
        self, message: QueuedMessage, result: RecipientResult, provider: str = "", ip: str = "",
        relay: str = "",
    ) -> Outcome:  # fmt: skip
        relay = relay or self.relay.name
        if result.outcome is SendOutcome.DEFERRED:
            self._learn(provider or self._provider(message.recipient_domain), message, ip, result)
        if result.outcome is SendOutcome.SENT:
            return Outcome(message.id, MessageState.SENT, result.reply, relay=relay)
        if result.outcome is SendOutcome.BOUNCED:
            return Outcome(
                message.id, MessageState.BOUNCED, result.reply, results=(result,), relay=relay
            )
        if result.outcome is SendOutcome.DEFERRED:
            retry_at = self.settings.retry.next_attempt(
                message.attempts, self.clock.now(), self._random(), result.retry_after
            )
            if retry_at is not None:
                return Outcome(
                    message.id, MessageState.DEFERRED, result.reply, retry_at, (result,), relay
                )
        return Outcome(
            message.id, MessageState.FAILED, result.reply, results=(result,), relay=relay
        )

    def _signer(self, domain: str) -> DkimSigner | None:
        if domain not in self._signers:
            keys = self.keys.keys_for(domain)
            self._signers[domain] = DkimSigner(keys) if keys else None
        return self._signers[domain]


class _Slots:
    """The bounds on sends in flight for one drain: the worker's, each receiving provider's
    (its ``connections`` in the shaping policy) and each sending IP's."""

    def __init__(self, concurrency: int, shaping: ShapingPolicy | None) -> None:
        self.sends = asyncio.Semaphore(concurrency)
        self._shaping = shaping
        self._providers: dict[str, asyncio.Semaphore] = {}
        self._ips: dict[str, asyncio.Semaphore] = {}

    def provider(self, provider: str) -> AbstractAsyncContextManager[object]:
        """The bound for ``provider`` (none without a shaping policy)."""
        if self._shaping is None or not provider:
            return nullcontext()
        slot = self._providers.get(provider)
        if slot is None:
            slot = self._providers[provider] = asyncio.Semaphore(
                self._shaping.shape(provider).connections
            )
        return slot

    def ip(self, ip: str) -> AbstractAsyncContextManager[object]:
        """The bound for the sending IP ``ip`` (none when unknown or unbounded)."""
        if self._shaping is None or not ip or self._shaping.ip_connections <= 0:
            return nullcontext()
        slot = self._ips.get(ip)
        if slot is None:
            slot = self._ips[ip] = asyncio.Semaphore(self._shaping.ip_connections)
        return slot
