"""Direct delivery to each recipient domain's MX hosts, over pooled SMTP connections.

RFC 5321 section 5.1: the domain's MX records are tried in order of preference; a domain
without MX records is its own implicit MX (its A record, preference 0); a domain that has
neither does not receive mail. RFC 7505: a single MX of ``0 .`` ("null MX") says the domain
accepts no mail at all, which is a permanent failure (5.1.10) without connecting anywhere.

The SMTP itself is ``SmtpRelay``'s: one pooled relay per (MX address, port, source address),
so connections to a receiver are reused across messages and each receiver has its own
circuit breaker. A host that cannot be reached is skipped for the next MX host.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Sequence

from mailfleet.adapters.sending.smtp_relay import SmtpRelay, SmtpRelayConfig
from mailfleet.core.dns.ports import AnswerStatus, DnsResolver
from mailfleet.core.dns.records import RecordType
from mailfleet.core.sending.outcomes import RecipientResult, SendOutcome
from mailfleet.core.sending.ports import Envelope

SourceFor = Callable[[Envelope], str]


@dataclasses.dataclass(frozen=True, slots=True)
class _Route:
    """Where a domain's mail goes: candidate addresses in order, or why nowhere."""

    addresses: tuple[str, ...] = ()
    outcome: SendOutcome = SendOutcome.SENT
    enhanced: str = ""
    text: str = ""
    code: int | None = None
    ttl: float = 0.0  # the shortest TTL of the answers it was built from


def _mx_hosts(values: Sequence[str]) -> list[tuple[int, str]]:
    """(preference, host) pairs from canonical MX values, lowest preference first."""
    pairs = []
    for value in values:
        preference, _, exchange = value.partition(" ")
        pairs.append((int(preference), exchange.rstrip(".").lower()))
    return sorted(pairs)


class MxRelay:
    """``Relay`` that delivers straight to the recipients' MX hosts on ``port``.

    ``source_for`` names the local address to send from for an envelope (the sending IP of
    its pool); ``pool_size`` and ``timeout`` configure each per-destination ``SmtpRelay``.
    A domain's route is kept for the shortest TTL of its DNS answers, at most
    ``route_cache_seconds`` (0: resolve for every message), as a caching resolver would.
    """

    def __init__(
        self,
        resolver: DnsResolver,
        *,
        port: int = 25,
        source_for: SourceFor | None = None,
        pool_size: int = 2,
        timeout: float = 30.0,
        name: str = "mx",
        local_hostname: str | None = None,
        route_cache_seconds: float = 30.0,
    ) -> None:
        self.name = name
        self.resolver = resolver
        self.port = port
        self.source_for = source_for
        self.pool_size = pool_size
        self.timeout = timeout
        self.local_hostname = local_hostname
        self.route_cache_seconds = route_cache_seconds
        self._routes: dict[str, tuple[float, _Route]] = {}
        self._relays: dict[tuple[str, int, str], SmtpRelay] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    async def send(self, envelope: Envelope) -> list[RecipientResult]:
        """Deliver to every recipient domain at once; one result per recipient, in order."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # pooled connections belong to the loop that opened them
            self._loop, self._relays = loop, {}
        source = self.source_for(envelope) if self.source_for is not None else ""
        by_domain: dict[str, list[int]] = {}
        for index, recipient in enumerate(envelope.recipients):
            domain = recipient.rpartition("@")[2].lower().rstrip(".")
            by_domain.setdefault(domain, []).append(index)
        batches = [
            self._deliver(domain, envelope, indexes, source)
            for domain, indexes in by_domain.items()
        ]
        results: list[RecipientResult | None] = [None] * len(envelope.recipients)
        for indexes, domain_results in zip(
            by_domain.values(), await asyncio.gather(*batches), strict=True
        ):
            for index, result in zip(indexes, domain_results, strict=True):
                results[index] = result
        return [r for r in results if r is not None]

    async def _deliver(
        self, domain: str, envelope: Envelope, indexes: list[int], source: str
    ) -> list[RecipientResult]:
        recipients = tuple(envelope.recipients[i] for i in indexes)
        route = await self._cached_route(domain)
        if not route.addresses:
            return [
                RecipientResult(r, route.outcome, route.code, route.enhanced, route.text)
                for r in recipients
            ]
        part = dataclasses.replace(envelope, recipients=recipients)
        results: list[RecipientResult] = []
        for address in route.addresses:
            results = await self._relay(address, source).send(part)
            # Deferred without a reply code: the host was not reached; RFC 5321 5.1, next MX.
            if any(r.code is not None or r.outcome is not SendOutcome.DEFERRED for r in results):
                return results
        return results

    async def _cached_route(self, domain: str) -> _Route:
        now = time.monotonic()
        cached = self._routes.get(domain)
        if cached is not None and cached[0] > now:
            return cached[1]
        # The resolver port is synchronous: keep its network wait off the event loop.
        route = await asyncio.to_thread(self._route, domain)
        keep = min(route.ttl, self.route_cache_seconds)
        if route.addresses and keep > 0:  # failures are asked again at the next message
            self._routes[domain] = (now + keep, route)
        return route

    def _relay(self, address: str, source: str) -> SmtpRelay:
        key = (address, self.port, source)
        relay = self._relays.get(key)
        if relay is None:
            config = SmtpRelayConfig(
                host=address,
                port=self.port,
                pool_size=self.pool_size,
                timeout=self.timeout,
                local_hostname=self.local_hostname,
                source_address=source,
            )
            relay = self._relays[key] = SmtpRelay(config, name=f"{self.name}:{address}")
        return relay

    def _route(self, domain: str) -> _Route:
        """The addresses to try for ``domain``, or the permanent or temporary reason none."""
        mx = self.resolver.query(domain, RecordType.MX)
        if mx.status is AnswerStatus.ERROR:
            return _Route(
                outcome=SendOutcome.DEFERRED,
                enhanced="4.4.3",
                text=f"MX lookup for {domain} failed: {mx.detail}",
            )
        if mx.status is AnswerStatus.OK:
            hosts = _mx_hosts(mx.values)
            if [host for _, host in hosts] == [""]:
                return _Route(
                    outcome=SendOutcome.BOUNCED,
                    code=556,
                    enhanced="5.1.10",
                    text=f"{domain} accepts no mail (null MX, RFC 7505)",
                )
            route = self._addresses(domain, [host for _, host in hosts if host])
            return dataclasses.replace(route, ttl=min(route.ttl, float(mx.ttl or 0)))
        # No MX (NXDOMAIN or NODATA): the domain is its own implicit MX (RFC 5321 5.1).
        route = self._addresses(domain, [domain])
        if not route.addresses and route.outcome is SendOutcome.BOUNCED:
            return dataclasses.replace(
                route, enhanced="5.1.2", text=f"{domain} has no MX and no address record"
            )
        return route

    def _addresses(self, domain: str, hosts: list[str]) -> _Route:
        addresses: list[str] = []
        errors: list[str] = []
        ttl = float("inf")
        for host in hosts:
            answer = self.resolver.query(host, RecordType.A)
            if answer.status is AnswerStatus.OK:
                addresses.extend(a for a in answer.values if a not in addresses)
                ttl = min(ttl, float(answer.ttl or 0))
            elif answer.status is AnswerStatus.ERROR:
                errors.append(f"{host}: {answer.detail}")
        if addresses:
            return _Route(tuple(addresses), ttl=ttl)
        if errors:
            return _Route(
                outcome=SendOutcome.DEFERRED,
                enhanced="4.4.3",
                text=f"address lookup for the MX of {domain} failed: {'; '.join(errors)}",
            )
        return _Route(
            outcome=SendOutcome.BOUNCED,
            enhanced="5.4.4",
            text=f"no address for the MX hosts of {domain}: {', '.join(hosts)}",
        )

    async def close(self) -> None:
        """QUIT every pooled connection."""
        relays, self._relays = list(self._relays.values()), {}
        for relay in relays:
            await relay.close()


class DnsMxLookup:
    """``MxLookup`` over a resolver: a domain's MX host names, lowest preference first.

    Answers are kept for the life of the object (no TTL), which is what provider recognition
    needs; failed lookups are not kept, so they are asked again.
    """

    def __init__(self, resolver: DnsResolver) -> None:
        self.resolver = resolver
        self._cache: dict[str, tuple[str, ...]] = {}

    def hosts(self, domain: str) -> Sequence[str]:
        """The MX hosts of ``domain`` (empty for none, a null MX, or a failed lookup)."""
        domain = domain.lower().rstrip(".")
        cached = self._cache.get(domain)
        if cached is not None:
            return cached
        answer = self.resolver.query(domain, RecordType.MX)
        if answer.status is AnswerStatus.ERROR:
            return ()
        hosts = tuple(host for _, host in _mx_hosts(answer.values) if host)
        self._cache[domain] = hosts
        return hosts
