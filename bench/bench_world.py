"""The demo world's throughput: mail through MxRelay into MxWorld, against a bare sink.

The world path resolves each recipient domain's MX through the loopback DNS server (kept for
its TTL, as a caching resolver would), connects to the provider's address and goes through
the provider's checks (known user, hourly limit, complaint share); the baseline sends the
same messages with one ``SmtpRelay`` to a ``RecordingSink`` on loopback, which does no DNS
and no checks. Both run in this process (the servers in their own threads), with the same
number of concurrent senders.

DNS: queries per second that the loopback server answers over UDP to ``UdpDnsblResolver``
(listed and unlisted names of a ``DnsblZone``), against the in-memory resolver's lookups of
the same names as the baseline (no network, no DNS messages).

    .venv/bin/python bench/bench_world.py
"""

from __future__ import annotations

import argparse
import asyncio
import time

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.dns.memory import InMemoryDnsProvider, InMemoryResolver
from mailfleet.adapters.dns.resolver import DnsPythonResolver
from mailfleet.adapters.reputation.udp_resolver import UdpDnsblResolver
from mailfleet.adapters.sending.mx_relay import MxRelay
from mailfleet.adapters.sending.smtp_relay import SmtpRelay, SmtpRelayConfig
from mailfleet.adapters.sending.smtp_sink import RecordingSink, start_sink
from mailfleet.adapters.world.dns_server import DnsblZone, LoopbackDnsServer, StaticZones
from mailfleet.adapters.world.mx_world import MxWorld, WorldRules, default_profiles
from mailfleet.core.dns.records import Record, RecordType
from mailfleet.core.sending.ports import Envelope, Relay

PROVIDERS = ("gmail", "microsoft", "yahoo", "other")


def _envelopes(count: int) -> list[Envelope]:
    body = ("x" * 76 + "\r\n") * 60  # about 5 KB
    out = []
    for n in range(count):
        recipient = f"user{n}@{PROVIDERS[n % 4]}.demo.test"
        data = (
            f"From: a@fleet.test\r\nTo: <{recipient}>\r\nSubject: n{n}\r\n"
            f"Message-ID: <{n}@fleet.test>\r\n\r\n{body}"
        ).encode()
        out.append(Envelope(f"bounces+{n}@bounce.fleet.test", (recipient,), data, str(n)))
    return out


async def _pump(relay: Relay, envelopes: list[Envelope], concurrency: int) -> float:
    queue = list(envelopes)
    start = time.perf_counter()

    async def worker() -> None:
        while queue:
            await relay.send(queue.pop())

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    await relay.close()
    return len(envelopes) / elapsed


def bench_mail(count: int, concurrency: int) -> None:
    """Messages per second through the world and through the bare sink."""
    envelopes = _envelopes(count)
    # reports are not the subject here: the complaint share is read but never due
    rules = WorldRules(complaint_rate={"elsewhere.test": 0.5})
    world = MxWorld(default_profiles(), rules, SystemClock())
    with world, LoopbackDnsServer([StaticZones(world.records())]) as dns_server:
        resolver = DnsPythonResolver(["127.0.0.1"], port=dns_server.port)
        relay = MxRelay(resolver, port=world.port, pool_size=concurrency)
        through_world = asyncio.run(_pump(relay, envelopes, concurrency))
        accepted = sum(s.accepted for s in world.stats().values())
    sink = RecordingSink(keep_data=False)
    controller = start_sink(sink)
    try:
        bare = SmtpRelay(SmtpRelayConfig("127.0.0.1", controller.port, pool_size=concurrency))
        baseline = asyncio.run(_pump(bare, envelopes, concurrency))
    finally:
        controller.stop()
    print(f"mail, {count} messages, {concurrency} concurrent senders:")
    print(f"  MxRelay -> MxWorld:         {through_world:6.0f} msg/s, {accepted} accepted")
    print(f"  baseline SmtpRelay -> sink: {baseline:6.0f} msg/s")


def bench_dns(count: int) -> None:
    """DNSBL queries per second over UDP, and the in-memory lookups of the same names."""
    zone = DnsblZone("bl.demo.test")
    for n in range(0, 250, 2):
        zone.list(f"127.0.1.{n}", "listed")
    names = [f"{n % 250}.1.0.127.bl.demo.test" for n in range(count)]
    memory = InMemoryDnsProvider()
    for n in range(0, 250, 2):
        memory.put(Record.of(f"{n}.1.0.127.bl.demo.test", RecordType.A, 60, ["127.0.0.2"]))
    with LoopbackDnsServer([zone]) as server:
        resolver = UdpDnsblResolver("127.0.0.1", server.port, timeout=5)

        async def ask() -> int:
            answers = await asyncio.gather(*(resolver.lookup(n) for n in names))
            return sum(1 for a in answers if a.addresses)

        start = time.perf_counter()
        listed = asyncio.run(ask())
        served = count / (time.perf_counter() - start)
    baseline_resolver = InMemoryResolver(memory)
    start = time.perf_counter()
    for name in names:
        baseline_resolver.query(name, RecordType.A)
    baseline = count / (time.perf_counter() - start)
    print(f"DNS, {count} DNSBL queries ({listed} listed):")
    print(f"  UdpDnsblResolver -> LoopbackDnsServer: {served:9.0f} queries/s")
    print(f"  baseline InMemoryResolver (no wire):   {baseline:9.0f} lookups/s")


def main() -> None:
    """Run both parts and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--queries", type=int, default=5000)
    args = parser.parse_args()
    bench_mail(args.count, args.concurrency)
    bench_dns(args.queries)


if __name__ == "__main__":
    main()
