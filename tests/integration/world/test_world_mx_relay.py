"""MxRelay: MX resolution through the loopback DNS server, delivery to aiosmtpd sinks."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller

from mailfleet.adapters.dns.memory import InMemoryDnsProvider
from mailfleet.adapters.dns.resolver import DnsPythonResolver
from mailfleet.adapters.sending.mx_relay import DnsMxLookup, MxRelay
from mailfleet.adapters.sending.smtp_sink import RecordingSink, free_port
from mailfleet.adapters.world.dns_server import LoopbackDnsServer, ProviderZones
from mailfleet.core.dns.ports import Answer
from mailfleet.core.dns.records import Record, RecordType
from mailfleet.core.sending.outcomes import RecipientResult, SendOutcome
from mailfleet.core.sending.ports import Envelope

PRIMARY, BACKUP, DEAD = "127.0.0.31", "127.0.0.32", "127.0.0.33"


@dataclass
class Mx:
    """Two sinks on one port, at two loopback addresses, and DNS pointing at them."""

    primary: RecordingSink
    backup: RecordingSink
    port: int
    dns: InMemoryDnsProvider
    resolver: DnsPythonResolver


def _shared_port(*hosts: str) -> int:
    for _ in range(50):
        port = free_port(hosts[0])
        try:
            for host in hosts[1:]:
                with socket.socket() as probe:
                    probe.bind((host, port))
        except OSError:
            continue
        return port
    raise RuntimeError("no port free on every address")


@pytest.fixture
def mx() -> Iterator[Mx]:
    """a.test: MX 10 dead (nothing listens), 20 backup; b.test: A only (implicit MX);
    c.test: MX 5 primary; none.test: nothing; null.test: null MX."""
    provider = InMemoryDnsProvider()
    records = [
        Record.of("a.test", RecordType.MX, 60, ["10 mx1.a.test", "20 mx2.a.test"]),
        Record.of("mx1.a.test", RecordType.A, 60, [DEAD]),
        Record.of("mx2.a.test", RecordType.A, 60, [BACKUP]),
        Record.of("b.test", RecordType.A, 60, [PRIMARY]),
        Record.of("c.test", RecordType.MX, 60, ["5 mx.c.test"]),
        Record.of("mx.c.test", RecordType.A, 60, [PRIMARY]),
        Record.of("none.test", RecordType.TXT, 60, ["v=spf1 -all"]),
        Record.of("null.test", RecordType.MX, 60, ["0 ."]),
    ]
    for record in records:
        provider.put(record)
    port = _shared_port(PRIMARY, BACKUP, DEAD)
    primary = RecordingSink(rules={"bad": "550 5.1.1 No such user"})
    backup = RecordingSink()
    controllers = [
        Controller(primary, hostname=PRIMARY, port=port),
        Controller(backup, hostname=BACKUP, port=port),
    ]
    for controller in controllers:
        controller.start()
    try:
        with LoopbackDnsServer([ProviderZones(provider)]) as server:
            yield Mx(
                primary, backup, port, provider, DnsPythonResolver(["127.0.0.1"], port=server.port)
            )
    finally:
        for controller in controllers:
            controller.stop()


def _envelope(*recipients: str, n: int = 1) -> Envelope:
    data = f"From: a@fleet.test\r\nMessage-ID: <{n}@fleet.test>\r\n\r\nhi\r\n".encode()
    return Envelope("bounces+x@rp.fleet.test", recipients, data, f"<{n}@fleet.test>")


def _send(relay: MxRelay, *envelopes: Envelope) -> list[list[RecipientResult]]:
    async def run() -> list[list[RecipientResult]]:
        try:
            return [await relay.send(e) for e in envelopes]
        finally:
            await relay.close()

    return asyncio.run(run())


def test_routes_each_domain_and_keeps_recipient_order(mx: Mx) -> None:
    """One envelope to five domains: results come back in the envelope's order, each with
    its domain's outcome (MX fallback, implicit MX, refusal, no domain, null MX)."""
    relay = MxRelay(mx.resolver, port=mx.port)
    envelope = _envelope(
        "u1@a.test", "u2@b.test", "bad@c.test", "u3@none.test", "u4@null.test", "u5@c.test"
    )
    [results] = _send(relay, envelope)
    assert [(r.recipient, r.outcome, r.enhanced) for r in results] == [
        ("u1@a.test", SendOutcome.SENT, "2.0.0"),  # mx1 is dead: delivered by mx2
        ("u2@b.test", SendOutcome.SENT, "2.0.0"),  # no MX: the domain's A (RFC 5321 5.1)
        ("bad@c.test", SendOutcome.BOUNCED, "5.1.1"),
        ("u3@none.test", SendOutcome.BOUNCED, "5.1.2"),
        ("u4@null.test", SendOutcome.BOUNCED, "5.1.10"),
        ("u5@c.test", SendOutcome.SENT, "2.0.0"),
    ]
    assert [r.recipients for r in mx.backup.received] == [("u1@a.test",)]
    assert sorted(r.recipients for r in mx.primary.received) == [("u2@b.test",), ("u5@c.test",)]
    assert all(r.mail_from == "bounces+x@rp.fleet.test" for r in mx.primary.received)


def test_binds_the_source_address_and_reuses_connections(mx: Mx) -> None:
    """Mail leaves from ``source_for``'s address, and two messages share one connection."""
    relay = MxRelay(mx.resolver, port=mx.port, source_for=lambda e: "127.0.0.5", pool_size=1)
    results = _send(relay, _envelope("u1@c.test", n=1), _envelope("u2@c.test", n=2))
    assert [r[0].outcome for r in results] == [SendOutcome.SENT, SendOutcome.SENT]
    peers = {r.peer for r in mx.primary.received}
    assert len(peers) == 1
    assert "127.0.0.5" in peers.pop()


def test_dns_failure_defers(mx: Mx) -> None:
    """No DNS answer is a temporary failure, never a bounce."""
    silent = DnsPythonResolver(["127.0.0.1"], port=free_port(), timeout=0.5)
    [results] = _send(MxRelay(silent, port=mx.port), _envelope("u@c.test"))
    assert (results[0].outcome, results[0].enhanced) == (SendOutcome.DEFERRED, "4.4.3")


def test_unreachable_mx_defers(mx: Mx) -> None:
    """When no MX host answers, the recipient is deferred for a later retry."""
    mx.dns.put(Record.of("d.test", RecordType.MX, 60, ["10 mx.d.test"]))
    mx.dns.put(Record.of("mx.d.test", RecordType.A, 60, [DEAD]))
    [results] = _send(MxRelay(mx.resolver, port=mx.port, timeout=3), _envelope("u@d.test"))
    assert results[0].outcome is SendOutcome.DEFERRED
    assert results[0].code is None


def test_mx_lookup_hosts_in_preference_order_and_cached(mx: Mx) -> None:
    """Hosts come lowest preference first, without the dot; answers are cached; a null MX
    and a domain without MX have no hosts."""
    lookup = DnsMxLookup(mx.resolver)
    assert list(lookup.hosts("A.test")) == ["mx1.a.test", "mx2.a.test"]
    mx.dns.put(Record.of("a.test", RecordType.MX, 60, ["1 other.a.test"]))
    assert list(lookup.hosts("a.test")) == ["mx1.a.test", "mx2.a.test"]
    assert list(DnsMxLookup(mx.resolver).hosts("a.test")) == ["other.a.test"]
    assert list(lookup.hosts("null.test")) == []
    assert list(lookup.hosts("b.test")) == []


class CountingResolver:
    """A resolver that counts the queries it passes on."""

    def __init__(self, inner: DnsPythonResolver) -> None:
        self.inner = inner
        self.asked: list[tuple[str, RecordType]] = []

    def query(self, name: str, rtype: RecordType) -> Answer:
        self.asked.append((name, rtype))
        return self.inner.query(name, rtype)


def test_routes_are_cached_within_their_ttl(mx: Mx) -> None:
    """Two messages to one domain resolve its MX and A once; with the cache off, twice."""
    cached = CountingResolver(mx.resolver)
    _send(MxRelay(cached, port=mx.port), _envelope("u1@c.test", n=1), _envelope("u2@c.test", n=2))
    assert cached.asked == [("c.test", RecordType.MX), ("mx.c.test", RecordType.A)]
    uncached = CountingResolver(mx.resolver)
    relay = MxRelay(uncached, port=mx.port, route_cache_seconds=0)
    _send(relay, _envelope("u1@c.test", n=1), _envelope("u2@c.test", n=2))
    assert len(uncached.asked) == 4
