"""The loopback DNS server, queried over UDP and TCP by dnspython and by mailfleet's resolvers."""

from __future__ import annotations

import asyncio
import base64
import socket
import struct
from collections.abc import Iterator
from ipaddress import IPv4Address

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mailfleet.adapters.dns.memory import InMemoryDnsProvider
from mailfleet.adapters.dns.resolver import DnsPythonResolver
from mailfleet.adapters.reputation.udp_resolver import UdpDnsblResolver
from mailfleet.adapters.world.dns_server import (
    DnsblZone,
    LoopbackDnsServer,
    ProviderZones,
    StaticZones,
)
from mailfleet.core.dns.dkim import KeyAlgorithm, dkim_txt
from mailfleet.core.dns.plan import Change, ChangeKind
from mailfleet.core.dns.ports import AnswerStatus
from mailfleet.core.dns.records import Record, RecordType
from mailfleet.core.reputation.verdict import AnswerKind

HOST = "127.0.0.1"


def _create(record: Record) -> Change:
    return Change(ChangeKind.CREATE, None, record)


def _dkim_value(bits: int) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return dkim_txt(KeyAlgorithm.RSA, base64.b64encode(der).decode())


@pytest.fixture(scope="module")
def dkim_2048() -> str:
    """A 2048-bit RSA DKIM key record value."""
    return _dkim_value(2048)


@pytest.fixture
def provider(dkim_2048: str) -> InMemoryDnsProvider:
    """A fleet zone as ``dns apply`` leaves it in the memory provider."""
    memory = InMemoryDnsProvider()
    memory.ensure_zone("fleet.test")
    memory.apply(
        "fleet.test",
        [
            _create(Record.of("fleet.test", RecordType.MX, 300, ["10 mx.fleet.test"])),
            _create(Record.of("mx.fleet.test", RecordType.A, 300, ["127.0.0.9"])),
            _create(Record.of("fleet.test", RecordType.TXT, 300, ["v=spf1 ip4:127.0.0.9 -all"])),
            _create(Record.of("s1._domainkey.fleet.test", RecordType.TXT, 300, [dkim_2048])),
            _create(Record.of("www.fleet.test", RecordType.CNAME, 300, ["mx.fleet.test"])),
        ],
    )
    return memory


@pytest.fixture
def dnsbl() -> DnsblZone:
    """A blocklist zone with nothing listed yet."""
    return DnsblZone("bl.test")


@pytest.fixture
def server(provider: InMemoryDnsProvider, dnsbl: DnsblZone) -> Iterator[LoopbackDnsServer]:
    """The server over the provider, a static zone and the blocklist, on a free port."""
    static = StaticZones(
        [Record.of("gmail.demo.test", RecordType.MX, 60, ["5 mx.gmail.demo.test"])]
    )
    with LoopbackDnsServer([ProviderZones(provider), static, dnsbl], HOST) as running:
        yield running


def _udp(
    server: LoopbackDnsServer, name: str, rdtype: str, *, edns: int = -1
) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype, use_edns=edns)
    return dns.query.udp(query, HOST, port=server.port, timeout=3)


def _tcp(server: LoopbackDnsServer, name: str, rdtype: str) -> dns.message.Message:
    return dns.query.tcp(dns.message.make_query(name, rdtype), HOST, port=server.port, timeout=3)


def test_answers_a_mx_txt_over_udp_and_tcp(server: LoopbackDnsServer) -> None:
    """A, MX and TXT come back authoritative and equal over both transports."""
    for ask in (_udp, _tcp):
        reply = ask(server, "mx.fleet.test", "A")
        assert reply.rcode() == dns.rcode.NOERROR
        assert reply.flags & dns.flags.AA
        assert [r.to_text() for r in reply.answer[0]] == ["127.0.0.9"]
        mx = ask(server, "fleet.test", "MX")
        assert [r.to_text() for r in mx.answer[0]] == ["10 mx.fleet.test."]
        spf = ask(server, "FLEET.test.", "TXT")
        assert [b"".join(r.strings) for r in spf.answer[0]] == [b"v=spf1 ip4:127.0.0.9 -all"]


def test_nxdomain_versus_nodata(server: LoopbackDnsServer) -> None:
    """A missing name is NXDOMAIN; an existing name without the type (or an empty
    non-terminal) is NOERROR with an empty answer; a foreign name is NXDOMAIN, not AA."""
    missing = _udp(server, "nobody.fleet.test", "A")
    assert missing.rcode() == dns.rcode.NXDOMAIN
    assert missing.flags & dns.flags.AA
    nodata = _udp(server, "fleet.test", "A")
    assert (nodata.rcode(), nodata.answer) == (dns.rcode.NOERROR, [])
    unserved = _udp(server, "fleet.test", "SOA")  # a type we do not serve, on a real name
    assert (unserved.rcode(), unserved.answer) == (dns.rcode.NOERROR, [])
    empty_non_terminal = _udp(server, "_domainkey.fleet.test", "TXT")
    assert (empty_non_terminal.rcode(), empty_non_terminal.answer) == (dns.rcode.NOERROR, [])
    foreign = _udp(server, "example.org", "A")
    assert foreign.rcode() == dns.rcode.NXDOMAIN
    assert not foreign.flags & dns.flags.AA


def test_cname_is_returned_and_followed(server: LoopbackDnsServer) -> None:
    """Asking www for A gives the CNAME and the target's A (RFC 1034 4.3.2)."""
    reply = _udp(server, "www.fleet.test", "A")
    types = [dns.rdatatype.to_text(rrset.rdtype) for rrset in reply.answer]
    assert types == ["CNAME", "A"]
    assert reply.answer[1][0].to_text() == "127.0.0.9"
    cname = _udp(server, "www.fleet.test", "CNAME")
    assert [r.to_text() for r in cname.answer[0]] == ["mx.fleet.test."]


def test_large_txt_truncates_on_udp_and_comes_whole_over_tcp(
    server: LoopbackDnsServer, provider: InMemoryDnsProvider
) -> None:
    """A 4096-bit key does not fit 512 bytes: UDP sets TC with no answer, TCP carries it,
    an EDNS client offering 4096 bytes gets it over UDP."""
    value = _dkim_value(4096)
    provider.put(Record.of("s2._domainkey.fleet.test", RecordType.TXT, 300, [value]))
    truncated = _udp(server, "s2._domainkey.fleet.test", "TXT")
    assert truncated.flags & dns.flags.TC
    assert truncated.answer == []
    whole = _tcp(server, "s2._domainkey.fleet.test", "TXT")
    assert not whole.flags & dns.flags.TC
    assert b"".join(whole.answer[0][0].strings).decode() == value
    edns = dns.query.udp(
        dns.message.make_query("s2._domainkey.fleet.test", "TXT", use_edns=0, payload=4096),
        HOST,
        port=server.port,
        timeout=3,
    )
    assert not edns.flags & dns.flags.TC
    assert b"".join(edns.answer[0][0].strings).decode() == value
    # and mailfleet's resolver, which sends no EDNS, falls back to TCP by itself
    answer = DnsPythonResolver([HOST], port=server.port).query(
        "s2._domainkey.fleet.test", RecordType.TXT
    )
    assert answer.values == (value,)


def test_several_queries_on_one_tcp_connection(server: LoopbackDnsServer) -> None:
    """RFC 7766: a client may send queries one after another on one connection."""
    with socket.create_connection((HOST, server.port), timeout=3) as conn:
        for name in ("fleet.test", "mx.fleet.test"):
            wire = dns.message.make_query(name, "A").to_wire()
            conn.sendall(struct.pack("!H", len(wire)) + wire)
            (length,) = struct.unpack("!H", conn.recv(2, socket.MSG_WAITALL))
            reply = dns.message.from_wire(conn.recv(length, socket.MSG_WAITALL))
            assert str(reply.question[0].name) == name + "."


def test_garbage_gets_formerr(server: LoopbackDnsServer) -> None:
    """A datagram that is not a DNS message gets FORMERR with its ID, not silence."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(3)
        sock.sendto(b"\x12\x34" + b"\xff" * 14, (HOST, server.port))
        data, _ = sock.recvfrom(512)
    assert data[:2] == b"\x12\x34"
    assert data[3] & 0x0F == dns.rcode.FORMERR


def test_mailfleet_resolver_reads_the_fleet(
    server: LoopbackDnsServer, provider: InMemoryDnsProvider, dkim_2048: str
) -> None:
    """DnsPythonResolver gets canonical values, including a 2048-bit DKIM key, and sees
    records applied after the server started."""
    resolver = DnsPythonResolver([HOST], port=server.port)
    assert resolver.query("s1._domainkey.fleet.test", RecordType.TXT).values == (dkim_2048,)
    assert resolver.query("fleet.test", RecordType.MX).values == ("10 mx.fleet.test.",)
    assert resolver.query("gmail.demo.test", RecordType.MX).values == ("5 mx.gmail.demo.test.",)
    assert resolver.query("gone.fleet.test", RecordType.A).status is AnswerStatus.NXDOMAIN
    assert resolver.query("fleet.test", RecordType.A).status is AnswerStatus.NODATA
    provider.apply(
        "fleet.test",
        [_create(Record.of("new.fleet.test", RecordType.A, 60, ["127.0.0.7"]))],
    )
    assert resolver.query("new.fleet.test", RecordType.A).values == ("127.0.0.7",)


def test_dnsbl_listing_and_delisting(server: LoopbackDnsServer, dnsbl: DnsblZone) -> None:
    """Listed IPs and domains answer 127.0.0.2 and a TXT reason to UdpDnsblResolver and to
    dnspython; unlisted ones are NXDOMAIN; delisting takes effect at once."""
    dnsbl.list("127.0.0.9", "spam trap hits")
    dnsbl.list("Bad.Example")
    assert dnsbl.listed() == {"127.0.0.9", "bad.example"}
    assert dnsbl.name_for("127.0.0.9") == "9.0.0.127.bl.test"
    resolver = UdpDnsblResolver(HOST, server.port, timeout=3)

    async def ask(*names: str) -> list[tuple[AnswerKind, tuple[IPv4Address, ...]]]:
        answers = await asyncio.gather(*(resolver.lookup(n) for n in names))
        return [(a.kind, a.addresses) for a in answers]

    names = ("9.0.0.127.bl.test", "bad.example.bl.test", "8.0.0.127.bl.test")
    assert asyncio.run(ask(*names)) == [
        (AnswerKind.ADDRESSES, (IPv4Address("127.0.0.2"),)),
        (AnswerKind.ADDRESSES, (IPv4Address("127.0.0.2"),)),
        (AnswerKind.NXDOMAIN, ()),
    ]
    txt = _udp(server, "9.0.0.127.bl.test", "TXT")
    assert b"".join(txt.answer[0][0].strings) == b"spam trap hits"
    domain_txt = _tcp(server, "bad.example.bl.test", "TXT")
    assert b"listed" in b"".join(domain_txt.answer[0][0].strings)
    dnsbl.delist("127.0.0.9")
    assert asyncio.run(ask("9.0.0.127.bl.test")) == [(AnswerKind.NXDOMAIN, ())]
    apex = _udp(server, "bl.test", "A")
    assert (apex.rcode(), apex.answer) == (dns.rcode.NOERROR, [])


def test_refuse_foreign_and_restart() -> None:
    """With ``refuse_foreign`` a name outside every zone is REFUSED; stop frees the ports."""
    server = LoopbackDnsServer(
        [StaticZones([Record.of("a.test", RecordType.A, 60, ["127.0.0.1"])])],
        refuse_foreign=True,
    )
    server.start()
    port = server.port
    assert _udp(server, "b.example", "A").rcode() == dns.rcode.REFUSED
    assert _udp(server, "x.a.test", "A").rcode() == dns.rcode.NXDOMAIN
    server.stop()
    with pytest.raises(RuntimeError):
        _ = server.port
    again = LoopbackDnsServer([], port=port)  # the same port binds again after stop
    with again:
        assert again.port == port


class BrokenSource:
    """A zone source with a bug."""

    def lookup(self, name: str, rtype: RecordType) -> tuple[Record, ...] | None:
        raise RuntimeError("bug")

    def owns(self, name: str) -> bool:
        return True


def test_a_failing_source_gives_servfail() -> None:
    """A source that raises answers SERVFAIL at once instead of leaving the client waiting."""
    with LoopbackDnsServer([BrokenSource()]) as server:
        assert _udp(server, "a.test", "A").rcode() == dns.rcode.SERVFAIL
        assert _tcp(server, "a.test", "A").rcode() == dns.rcode.SERVFAIL
