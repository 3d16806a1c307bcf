"""Benchmark: 500 IPs and 200 domains against 15 DNSBL zones on a local rbldnsd.

Measures mailfleet's fleet check (dnspython async resolver, bounded concurrency, RFC 5782
interpretation) and, in the same run and on the same input and server, pydnsbl (aiodns).
Target: 3 seconds or less for mailfleet. Run: `.venv/bin/python bench/bench_reputation.py`.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import time
import warnings
from dataclasses import replace
from ipaddress import IPv4Address
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests/integration/reputation"))

from rbldnsd_server import RbldnsdServer, ZoneFile

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.reputation.dns_resolver import DnspythonDnsblResolver
from mailfleet.adapters.reputation.udp_resolver import UdpDnsblResolver
from mailfleet.core.reputation.query import target_kind
from mailfleet.core.reputation.targets import Target
from mailfleet.core.reputation.zones import DnsblZone, TargetKind
from mailfleet.policy.dnsbl import load_zones
from mailfleet.services.reputation import check_targets

IPS = 500
DOMAINS = 200
ROUNDS = 5


def _zones() -> tuple[DnsblZone, ...]:
    """15 shipped zones (11 IP lists, 4 domain lists), renamed to local test zones."""
    shipped = load_zones()
    ip_zones = [z for z in shipped if TargetKind.IP4 in z.kinds][:11]
    domain_zones = [z for z in shipped if z.kinds == frozenset({TargetKind.DOMAIN})][:4]
    return tuple(replace(z, zone=f"{z.key}.bench.test") for z in ip_zones + domain_zones)


def _inputs(rng: random.Random) -> tuple[list[str], list[str]]:
    ips = [str(IPv4Address(rng.randrange(0x0A000000, 0x0AFFFFFF))) for _ in range(IPS)]
    domains = [f"sender{n:03d}.example" for n in range(DOMAINS)]
    return ips, domains


def _zone_files(
    zones: tuple[DnsblZone, ...], ips: list[str], domains: list[str], rng: random.Random
) -> list[ZoneFile]:
    """Each zone lists about 3 % of the inputs with its first listing code."""
    files = []
    for zone in zones:
        if zone.listed:
            code = str(next(iter(zone.listed)))
        else:
            code = f"127.0.0.{next(iter(zone.listed_bits))}"
        if zone.kinds == frozenset({TargetKind.DOMAIN}):
            entries = rng.sample(domains, len(domains) * 3 // 100)
            files.append(ZoneFile(zone.zone, "dnset", f":{code}:\n" + "\n".join(entries) + "\n"))
        else:
            entries = rng.sample(ips, len(ips) * 3 // 100)
            body = f":{code}:\n" + "\n".join(entries) + "\n"
            if zone.unknown:  # and refuses about 2 % of queries, as Spamhaus does to some resolvers
                refused = [ip for ip in rng.sample(ips, len(ips) * 2 // 100) if ip not in entries]
                body += "".join(f"{ip} :{next(iter(zone.unknown))}:\n" for ip in refused)
            files.append(ZoneFile(zone.zone, "ip4set", body))
    return files


def _mailfleet(
    port: int,
    zones: tuple[DnsblZone, ...],
    ips: list[str],
    domains: list[str],
    resolver: UdpDnsblResolver | DnspythonDnsblResolver,
) -> tuple[float, int, int, int]:
    targets = [Target(v, target_kind(v), ()) for v in ips + domains]
    started = time.perf_counter()
    report = asyncio.run(check_targets(targets, zones, resolver, SystemClock()))
    elapsed = time.perf_counter() - started
    return elapsed, len(report.results), report.counts()["listed"], report.counts()["unknown"]


def _pydnsbl(
    port: int, zones: tuple[DnsblZone, ...], ips: list[str], domains: list[str]
) -> tuple[float, int, int, int]:
    import aiodns
    import pydnsbl
    from pydnsbl.providers import Provider

    ip_providers = [Provider(z.zone) for z in zones if TargetKind.IP4 in z.kinds]
    domain_providers = [Provider(z.zone) for z in zones if TargetKind.DOMAIN in z.kinds]
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ip_checker = pydnsbl.DNSBLIpChecker(providers=ip_providers, timeout=5, loop=loop)
        domain_checker = pydnsbl.DNSBLDomainChecker(
            providers=domain_providers, timeout=5, loop=loop
        )
        for checker in (ip_checker, domain_checker):
            # pydnsbl offers no nameserver setting: give it a resolver on the local server
            checker._resolver = aiodns.DNSResolver(
                nameservers=["127.0.0.1"], timeout=5, tries=2, loop=loop, udp_port=port
            )
        started = time.perf_counter()
        results = ip_checker.bulk_check(ips) + domain_checker.bulk_check(domains)
        elapsed = time.perf_counter() - started
    loop.close()
    checks = len(ips) * len(ip_providers) + len(domains) * len(domain_providers)
    listed = sum(len(r.detected_by) for r in results)
    return elapsed, checks, listed, -1  # pydnsbl has no "unknown": refusals count as listed


def main() -> None:
    """Run both on the same input and server, ROUNDS times each; print medians."""
    rng = random.Random(5782)
    zones = _zones()
    ips, domains = _inputs(rng)
    server = RbldnsdServer(_zone_files(zones, ips, domains, rng)).start()
    try:
        udp = UdpDnsblResolver("127.0.0.1", server.port, timeout=5.0, concurrency=128)
        stub = DnspythonDnsblResolver("127.0.0.1", server.port, timeout=5.0, concurrency=128)
        ours = [_mailfleet(server.port, zones, ips, domains, udp) for _ in range(ROUNDS)]
        stubs = [_mailfleet(server.port, zones, ips, domains, stub)]  # slow: one round
        theirs = [_pydnsbl(server.port, zones, ips, domains) for _ in range(ROUNDS)]
    finally:
        server.cleanup()
    print(f"input: {IPS} IPs, {DOMAINS} domains, {len(zones)} zones on local rbldnsd (UDP)")
    named = (
        ("mailfleet UdpDnsblResolver", ours),
        ("mailfleet DnspythonDnsbl..", stubs),
        ("pydnsbl 1.1.7 (aiodns)", theirs),
    )
    for name, runs in named:
        times = [r[0] for r in runs]
        print(
            f"{name:<28} median {statistics.median(times):.2f} s "
            f"(min {min(times):.2f}, max {max(times):.2f}) "
            f"checks {runs[0][1]}, listed {runs[0][2]}"
            + (f", unknown {runs[0][3]}" if runs[0][3] >= 0 else " (refusals included)")
        )
    print("target: mailfleet <= 3.00 s")


if __name__ == "__main__":
    main()
