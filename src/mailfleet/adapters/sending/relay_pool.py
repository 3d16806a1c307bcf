"""Routing envelopes to relays by segment, with a weighted pool per segment.

Each member is a ``Relay`` (an ``SmtpRelay`` bound to its own source IP, an SES or Mailgun
account, ...). Members whose circuit breaker is open are skipped, so their share moves to the
rest of the pool.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence

from mailfleet.core.sending.breaker import CircuitBreaker
from mailfleet.core.sending.outcomes import RecipientResult, SendOutcome
from mailfleet.core.sending.pools import weighted_choice
from mailfleet.core.sending.ports import Envelope, Relay


class RelayPool:
    """``Relay`` that picks a member per envelope from the envelope's segment pool."""

    def __init__(
        self,
        relays: Mapping[str, Relay],
        pools: Mapping[str, Sequence[tuple[str, int]]],
        *,
        default_pool: str = "default",
        unit_random: Callable[[], float] = random.random,
        name: str = "pool",
    ) -> None:
        unknown = {m for pool in pools.values() for m, _ in pool} - set(relays)
        if unknown:
            raise ValueError(f"pools name relays that do not exist: {sorted(unknown)}")
        self.name = name
        self._relays = dict(relays)
        self._pools = {k: list(v) for k, v in pools.items()}
        self._default = default_pool
        self._random = unit_random

    def choose(self, segment: str) -> str | None:
        """The member for the next envelope of ``segment``."""
        members = self._pools.get(segment) or self._pools.get(self._default, [])
        now = time.monotonic()
        available = [m for m, _ in members if _breaker_allows(self._relays[m], now)]
        return weighted_choice(members, self._random(), available)

    async def send(self, envelope: Envelope) -> list[RecipientResult]:
        """Send through the chosen member; defer when the whole pool is down."""
        member = self.choose(envelope.segment)
        if member is None:
            text = f"no relay available for segment {envelope.segment or self._default!r}"
            return [RecipientResult(r, SendOutcome.DEFERRED, None, "", text, 60.0)
                    for r in envelope.recipients]  # fmt: skip
        return await self._relays[member].send(envelope)

    async def close(self) -> None:
        """Close every member."""
        for relay in self._relays.values():
            await relay.close()


def _breaker_allows(relay: Relay, now: float) -> bool:
    breaker = getattr(relay, "breaker", None)
    if not isinstance(breaker, CircuitBreaker):
        return True
    return breaker.retry_in(now) == 0.0
