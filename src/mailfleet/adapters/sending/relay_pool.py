"""Routing envelopes to relays by segment, with a weighted pool per segment.

Each member is a ``Relay`` (an ``SmtpRelay`` bound to its own source IP, an SES or Mailgun
account, ...). Members whose circuit breaker is open are skipped, so their share moves to the
rest of the pool. When the pool knows which members each sending domain may use (its SPF
authorises only its own IPs), a message only goes through those.

The dispatcher picks the member itself (``route``) before sending (``send_via``), so that the
sending IP is known in time for its connection bound and its IP-scoped backoffs.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Collection, Mapping, Sequence

from mailfleet.core.sending.breaker import CircuitBreaker
from mailfleet.core.sending.outcomes import RecipientResult, SendOutcome
from mailfleet.core.sending.pools import weighted_choice
from mailfleet.core.sending.ports import Envelope, Relay, Route


class RelayPool:
    """``RoutedRelay`` that picks a member per envelope from the envelope's segment pool."""

    def __init__(
        self,
        relays: Mapping[str, Relay],
        pools: Mapping[str, Sequence[tuple[str, int]]],
        *,
        default_pool: str = "default",
        unit_random: Callable[[], float] = random.random,
        name: str = "pool",
        sources: Mapping[str, str] | None = None,
        domains: Mapping[str, Collection[str]] | None = None,
        domain_segments: Mapping[str, str] | None = None,
    ) -> None:
        unknown = {m for pool in pools.values() for m, _ in pool} - set(relays)
        if unknown:
            raise ValueError(f"pools name relays that do not exist: {sorted(unknown)}")
        self.name = name
        self._relays = dict(relays)
        self._pools = {k: list(v) for k, v in pools.items()}
        self._default = default_pool
        self._random = unit_random
        self._sources = dict(sources or {})
        self._domains = {d: frozenset(m) for d, m in (domains or {}).items()}
        self._domain_segments = dict(domain_segments or {})

    def choose(self, segment: str, sender_domain: str = "") -> str | None:
        """The member for the next envelope of ``segment`` from ``sender_domain``."""
        segment = segment or self._domain_segments.get(sender_domain, "")
        members = self._pools.get(segment) or self._pools.get(self._default, [])
        allowed = self._domains.get(sender_domain)
        now = time.monotonic()
        available = [
            m
            for m, _ in members
            if (allowed is None or m in allowed) and _breaker_allows(self._relays[m], now)
        ]
        return weighted_choice(members, self._random(), available)

    def route(self, segment: str, sender_domain: str) -> Route | None:
        """The chosen member and its source IP; ``None`` when none is available."""
        member = self.choose(segment, sender_domain)
        return None if member is None else Route(member, self._sources.get(member, ""))

    async def send(self, envelope: Envelope) -> list[RecipientResult]:
        """Send through the chosen member; defer when the whole pool is down."""
        route = self.route(envelope.segment, envelope.header_from.rpartition("@")[2].lower())
        if route is None:
            text = f"no relay available for segment {envelope.segment or self._default!r}"
            return [RecipientResult(r, SendOutcome.DEFERRED, None, "", text, 60.0)
                    for r in envelope.recipients]  # fmt: skip
        return await self.send_via(route, envelope)

    async def send_via(self, route: Route, envelope: Envelope) -> list[RecipientResult]:
        """Send through the member ``route`` names."""
        return await self._relays[route.member].send(envelope)

    async def close(self) -> None:
        """Close every member."""
        for relay in self._relays.values():
            await relay.close()


def _breaker_allows(relay: Relay, now: float) -> bool:
    breaker = getattr(relay, "breaker", None)
    if not isinstance(breaker, CircuitBreaker):
        return True
    return breaker.retry_in(now) == 0.0
