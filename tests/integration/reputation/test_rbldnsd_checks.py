"""Both resolver adapters against a real rbldnsd (and failing servers) on loopback."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator

import dns.flags
import dns.message
import dns.rcode
import pytest
from local_dnsbl import local_zones
from rbldnsd_server import RbldnsdServer

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.reputation.dns_resolver import DnspythonDnsblResolver
from mailfleet.adapters.reputation.udp_resolver import UdpDnsblResolver
from mailfleet.core.fleet import Fleet
from mailfleet.core.reputation.ports import DnsblResolver
from mailfleet.core.reputation.verdict import AnswerKind, Verdict
from mailfleet.services.reputation import check_fleet

ResolverFactory = Callable[[int, float], DnsblResolver]
FACTORIES: dict[str, ResolverFactory] = {
    "dnspython": lambda port, timeout: DnspythonDnsblResolver(
        "127.0.0.1", port, timeout=timeout, concurrency=16
    ),
    "udp": lambda port, timeout: UdpDnsblResolver(
        "127.0.0.1", port, timeout=timeout, concurrency=16
    ),
}


@pytest.fixture(params=sorted(FACTORIES))
def make_resolver(request: pytest.FixtureRequest) -> ResolverFactory:
    """Each real resolver adapter: the same contract holds for both."""
    return FACTORIES[request.param]


def test_listed_clean_and_refused_answers(
    rbldnsd: RbldnsdServer, make_resolver: ResolverFactory
) -> None:
    """rbldnsd's answers come back as addresses, NXDOMAIN, or REFUSED outside its zones."""
    resolver = make_resolver(rbldnsd.port, 2.0)

    async def run() -> list[AnswerKind]:
        names = ["21.100.51.198.zen.test", "22.100.51.198.zen.test", "1.2.3.4.elsewhere.test"]
        answers = [await resolver.lookup(n) for n in names]
        assert [str(a) for a in answers[0].addresses] == ["127.0.0.2"]
        return [a.kind for a in answers]

    assert asyncio.run(run()) == [AnswerKind.ADDRESSES, AnswerKind.NXDOMAIN, AnswerKind.REFUSED]


def test_fleet_check_against_real_zones(
    rbldnsd: RbldnsdServer, acme_fleet: Fleet, make_resolver: ResolverFactory
) -> None:
    """IPv4, IPv6 and domain listings are found; refusal codes are unknown, not listed."""
    resolver = make_resolver(rbldnsd.port, 2.0)
    report = asyncio.run(check_fleet(acme_fleet, local_zones(), resolver, FakeClock()))
    verdicts = {(r.target, r.zone): r for r in report.results}
    assert verdicts[("198.51.100.21", "zen.test")].verdict == Verdict.LISTED
    assert verdicts[("198.51.100.21", "zen.test")].meanings[0].startswith("SBL")
    ipv6 = verdicts[("2001:db8::20", "zen.test")]
    assert (ipv6.verdict, ipv6.codes) == (Verdict.LISTED, ("127.0.0.3",))
    assert verdicts[("acme-connect.example", "dbl.test")].verdict == Verdict.LISTED
    assert verdicts[("192.0.2.10", "zen.test")].verdict == Verdict.CLEAN
    refusals = [r for r in report.results if r.zone == "refusing.test"]
    assert refusals
    assert all(r.verdict == Verdict.UNKNOWN for r in refusals)
    assert all("refused" in r.reason for r in refusals)
    listed = {(r.target, r.zone) for r in report.with_verdict(Verdict.LISTED)}
    assert listed == {
        ("198.51.100.21", "zen.test"),
        ("2001:db8::20", "zen.test"),
        ("acme-connect.example", "dbl.test"),
    }
    by_domain = report.listings_by_domain()
    assert set(by_domain) == {"acme-reach.example", "acme-outreach.example", "acme-connect.example"}


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A bound UDP port on loopback where nothing ever answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
        sink.bind(("127.0.0.1", 0))
        yield sink.getsockname()[1]


def test_timeout_is_an_outcome(silent_port: int, make_resolver: ResolverFactory) -> None:
    """A nameserver that never answers gives a timeout answer, not an exception."""
    answer = asyncio.run(make_resolver(silent_port, 0.3).lookup("2.0.0.127.zen.test"))
    assert answer.kind == AnswerKind.TIMEOUT


@pytest.fixture
def servfail_port() -> Iterator[int]:
    """A UDP responder on loopback that answers SERVFAIL to every query."""
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    server.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                data, peer = server.recvfrom(4096)
            except TimeoutError:
                continue
            reply = dns.message.make_response(dns.message.from_wire(data))
            reply.set_rcode(dns.rcode.SERVFAIL)
            reply.flags |= dns.flags.RA
            server.sendto(reply.to_wire(), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def test_servfail_is_an_outcome(servfail_port: int, make_resolver: ResolverFactory) -> None:
    """SERVFAIL from the nameserver is reported as such."""
    answer = asyncio.run(make_resolver(servfail_port, 2.0).lookup("2.0.0.127.zen.test"))
    assert answer.kind == AnswerKind.SERVFAIL


def test_one_resolver_serves_many_event_loops(rbldnsd: RbldnsdServer) -> None:
    """The UDP resolver can be reused across asyncio.run calls, and closes its socket between."""
    resolver = UdpDnsblResolver("127.0.0.1", rbldnsd.port, timeout=2.0)
    for _ in range(2):
        answer = asyncio.run(resolver.lookup("21.100.51.198.zen.test"))
        assert answer.kind == AnswerKind.ADDRESSES
        assert resolver._transport is None


def test_unaskable_name_is_an_error_answer() -> None:
    """A name with an empty or over-long label is an error answer, not an exception."""
    answer = asyncio.run(UdpDnsblResolver("127.0.0.1", 9).lookup("a..zen.test"))
    assert answer.kind == AnswerKind.ERROR
