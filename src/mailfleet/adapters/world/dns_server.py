"""An authoritative DNS server on loopback, answering from mailfleet's own record values.

The server speaks RFC 1035 over UDP and over TCP (two-byte length prefix, several queries per
connection, RFC 7766), parsing and building messages with dnspython. It answers from a list
of ``ZoneSource``s: a live view of an ``InMemoryDnsProvider`` (what ``mailfleet dns apply``
wrote), a fixed set of records (the receiving world's MX hosts) and DNSBL zones whose
listings change while it runs.

Answers are authoritative (AA) for names a source owns. A name that exists with other types
gets NOERROR and an empty answer (NODATA); a name that does not exist gets NXDOMAIN; names
that only exist as the parent of other names (``_domainkey.example.com``) are empty
non-terminals, NODATA too (RFC 8020). CNAMEs are returned and followed inside the served
zones (RFC 1034 section 4.3.2). A UDP answer larger than 512 bytes, or than the EDNS payload
size the client offered (RFC 6891), is sent empty with TC set so the client retries over TCP
(RFC 7766 section 5), which is how long DKIM keys reach resolvers.
"""

from __future__ import annotations

import asyncio
import logging
import struct
import threading
from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address
from types import TracebackType
from typing import Protocol, cast

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.rrset

from mailfleet.adapters.dns.memory import InMemoryDnsProvider
from mailfleet.core.dns.records import Record, RecordType, normalize_name, txt_chunks

log = logging.getLogger(__name__)

UDP_LIMIT = 512  # RFC 1035 section 4.2.1, for clients that offer no EDNS payload size
MAX_CNAME_CHAIN = 8  # a loop in the served data must not hang the server
TCP_IDLE_SECONDS = 10.0  # RFC 7766 section 6.2.3: close idle connections after seconds


class ZoneSource(Protocol):
    """Names and records the server answers for."""

    def lookup(self, name: str, rtype: RecordType) -> tuple[Record, ...] | None:
        """The RRsets of ``name`` of type ``rtype``: ``None`` when ``name`` does not exist
        here, ``()`` when it exists without records of that type."""
        ...

    def owns(self, name: str) -> bool:
        """Whether ``name`` is inside a zone of this source (its answers are authoritative)."""
        ...


def _under(name: str, apex: str) -> bool:
    return name == apex or name.endswith("." + apex)


def _clean(name: str) -> str:
    return name.rstrip(".").lower()


class ProviderZones:
    """A live view of an ``InMemoryDnsProvider``'s zones: records applied later are served.

    The provider is changed by other threads while the server reads it, so every lookup works
    on a snapshot of the dicts (``list()`` of a dict runs without releasing the GIL).
    """

    def __init__(self, provider: InMemoryDnsProvider) -> None:
        self.provider = provider

    def lookup(self, name: str, rtype: RecordType) -> tuple[Record, ...] | None:
        """The RRset of ``name``/``rtype`` in the provider's zones."""
        name = _clean(name)
        exists = False
        for zone, rrsets in list(self.provider.zones.items()):
            if not _under(name, zone):
                continue
            record = rrsets.get((name, rtype))
            if record is not None:
                return (record,)
            exists = exists or name == zone
            exists = exists or any(_under(key[0], name) for key in list(rrsets))
        return () if exists else None

    def owns(self, name: str) -> bool:
        """True when ``name`` is in one of the provider's zones."""
        name = _clean(name)
        return any(_under(name, zone) for zone in list(self.provider.zones))


class StaticZones:
    """A fixed set of records. ``zones`` names the apexes it is authoritative for; without
    them, each record's name is an apex of its own."""

    def __init__(self, records: Iterable[Record], zones: Iterable[str] = ()) -> None:
        merged: dict[tuple[str, RecordType], Record] = {}
        for record in records:
            known = merged.get(record.key)
            # two records of one RRset: serve their union
            merged[record.key] = (
                record
                if known is None
                else Record.of(
                    record.name,
                    record.type,
                    min(known.ttl, record.ttl),
                    (*known.values, *record.values),
                )
            )
        self.records = merged
        self.zones = frozenset(normalize_name(z) for z in zones) or frozenset(
            name for name, _ in merged
        )
        existing: set[str] = set()
        for name, _ in merged:  # every name and its parents inside a zone (RFC 8020)
            labels = name.split(".")
            for start in range(len(labels)):
                parent = ".".join(labels[start:])
                if any(_under(parent, apex) for apex in self.zones):
                    existing.add(parent)
        self._existing = frozenset(existing)

    def lookup(self, name: str, rtype: RecordType) -> tuple[Record, ...] | None:
        """The RRset of ``name``/``rtype``."""
        name = _clean(name)
        record = self.records.get((name, rtype))
        if record is not None:
            return (record,)
        return () if name in self._existing else None

    def owns(self, name: str) -> bool:
        """True when ``name`` is under one of the zones."""
        name = _clean(name)
        return any(_under(name, apex) for apex in self.zones)


class DnsblZone:
    """A DNS blocklist zone whose listings change at run time (RFC 5782).

    An IPv4 subject is served at its reversed octets under the zone (``2.0.0.127.zone``), a
    domain at ``domain.zone``; a listed name answers ``answer`` for A and the reason for TXT.
    Listing and delisting happen from any thread.
    """

    def __init__(self, zone: str, answer: str = "127.0.0.2", *, ttl: int = 60) -> None:
        self.zone = normalize_name(zone)
        self.answer = str(IPv4Address(answer))
        self.ttl = ttl
        self._entries: dict[str, tuple[str, str]] = {}  # query label -> (subject, reason)
        self._lock = threading.Lock()

    @staticmethod
    def _subject(subject: str) -> tuple[str, str]:
        """The canonical subject and its label under the zone."""
        try:
            address = IPv4Address(subject.strip())
        except ValueError:
            domain = normalize_name(subject)
            return domain, domain
        return str(address), ".".join(reversed(str(address).split(".")))

    def name_for(self, subject: str) -> str:
        """The name a DNSBL client asks for about ``subject``."""
        return f"{self._subject(subject)[1]}.{self.zone}"

    def list(self, subject: str, reason: str = "") -> None:
        """List an IPv4 address or a domain, with the reason its TXT record gives."""
        canonical, label = self._subject(subject)
        with self._lock:
            self._entries[label] = (canonical, reason)

    def delist(self, subject: str) -> None:
        """Remove a listing (nothing happens if it was not listed)."""
        _canonical, label = self._subject(subject)
        with self._lock:
            self._entries.pop(label, None)

    def listed(self) -> set[str]:
        """The subjects listed now."""
        with self._lock:
            return {subject for subject, _reason in self._entries.values()}

    def lookup(self, name: str, rtype: RecordType) -> tuple[Record, ...] | None:
        """A listed name's A or TXT record; unlisted names do not exist."""
        name = _clean(name)
        if name == self.zone:
            return ()
        if not name.endswith("." + self.zone):
            return None
        with self._lock:
            entry = self._entries.get(name[: -len(self.zone) - 1])
        if entry is None:
            return None
        subject, reason = entry
        if rtype is RecordType.A:
            return (Record.of(name, RecordType.A, self.ttl, [self.answer]),)
        if rtype is RecordType.TXT:
            text = reason or f"{subject} is listed in {self.zone}"
            return (Record.of(name, RecordType.TXT, self.ttl, [text]),)
        return ()

    def owns(self, name: str) -> bool:
        """True for the zone and the names under it."""
        return _under(_clean(name), self.zone)


def _rrset(record: Record) -> dns.rrset.RRset:
    """A dnspython RRset from a canonical ``Record`` (TXT split in 255-byte strings)."""
    rdtype = dns.rdatatype.from_text(record.type.value)
    rdatas: list[dns.rdata.Rdata] = []
    for value in record.values:
        if record.type is RecordType.TXT:
            strings = [chunk.encode("utf-8") for chunk in txt_chunks(value)]
            rdatas.append(dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, rdtype, strings))
        else:
            rdatas.append(dns.rdata.from_text(dns.rdataclass.IN, rdtype, value))
    return dns.rrset.from_rdata_list(dns.name.from_text(record.name), record.ttl, rdatas)


def _formerr(wire: bytes) -> bytes | None:
    """A bare FORMERR reply to a message we could not parse (RFC 1035 section 4.1.1)."""
    if len(wire) < 12:
        return None
    (query_id,) = struct.unpack("!H", wire[:2])
    return struct.pack("!HHHHHH", query_id, dns.flags.QR | dns.rcode.FORMERR, 0, 0, 0, 0)


class _Answering:
    """Builds the reply to one query from the sources."""

    def __init__(self, sources: Sequence[ZoneSource], refuse_foreign: bool) -> None:
        self.sources = tuple(sources)
        self.refuse_foreign = refuse_foreign

    def _lookup(self, name: str, rtype: RecordType) -> tuple[Record, ...] | None:
        exists = False
        for source in self.sources:
            found = source.lookup(name, rtype)
            if found:
                return found
            exists = exists or found is not None
        return () if exists else None

    def _owned(self, name: str) -> bool:
        return any(source.owns(name) for source in self.sources)

    def resolve(
        self, name: str, qtype: RecordType | None
    ) -> tuple[dns.rcode.Rcode, list[Record], bool]:
        """(rcode, answer records, authoritative) for ``name``; ``qtype`` None for a type
        we do not serve (answered NODATA when the name exists)."""
        answers: list[Record] = []
        current = name
        for _ in range(MAX_CNAME_CHAIN):
            found = self._lookup(current, qtype or RecordType.A)
            if qtype is not None and found:
                return dns.rcode.NOERROR, answers + list(found), self._owned(name)
            if qtype is not RecordType.CNAME:
                alias = self._lookup(current, RecordType.CNAME)
                if alias:
                    answers.extend(alias)
                    current = _clean(alias[0].values[0])
                    if not self._owned(current):  # the client's resolver follows it further
                        break
                    continue
            if found is not None:
                return dns.rcode.NOERROR, answers, self._owned(name)
            if answers:  # RFC 6604: the rcode speaks of the last name of the chain
                return dns.rcode.NXDOMAIN, answers, True
            if self._owned(current):
                return dns.rcode.NXDOMAIN, answers, True
            if self.refuse_foreign:
                return dns.rcode.REFUSED, answers, False
            return dns.rcode.NXDOMAIN, answers, False
        return dns.rcode.NOERROR, answers, self._owned(name)

    def reply(self, wire: bytes, udp: bool) -> bytes | None:
        """The reply's wire form, or ``None`` when nothing should be sent back."""
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return _formerr(wire)
        if query.flags & dns.flags.QR:
            return None  # a response, not a query: never answer it (no reflection loops)
        response = dns.message.make_response(query)
        response.flags &= ~dns.flags.RA
        if query.opcode() != dns.opcode.QUERY:
            response.set_rcode(dns.rcode.NOTIMP)
        elif len(query.question) != 1:
            response.set_rcode(dns.rcode.FORMERR)
        elif query.question[0].rdclass != dns.rdataclass.IN:
            response.set_rcode(dns.rcode.REFUSED)
        else:
            self._answer(response, query.question[0])
        limit = max(UDP_LIMIT, query.payload if query.edns >= 0 else 0) if udp else 65535
        try:
            return response.to_wire(max_size=limit)
        except dns.exception.TooBig:
            truncated = dns.message.make_response(query)
            truncated.flags &= ~dns.flags.RA
            truncated.flags |= dns.flags.TC | (response.flags & dns.flags.AA)
            truncated.set_rcode(response.rcode())
            return truncated.to_wire(max_size=limit)

    def _answer(self, response: dns.message.Message, question: dns.rrset.RRset) -> None:
        name = question.name.to_text(omit_final_dot=True).lower()
        try:
            qtype: RecordType | None = RecordType(dns.rdatatype.to_text(question.rdtype))
        except ValueError:
            qtype = None
        try:
            rcode, records, authoritative = self.resolve(name, qtype)
        except Exception:  # a source's bug must not leave the client waiting for a timeout
            log.exception("loopback DNS: cannot answer %s %s", name, qtype)
            response.set_rcode(dns.rcode.SERVFAIL)
            return
        response.set_rcode(rcode)
        if authoritative:
            response.flags |= dns.flags.AA
        for record in records:
            response.answer.append(_rrset(record))


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, answering: _Answering) -> None:
        self._answering = answering
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        reply = self._answering.reply(data, udp=True)
        if reply is not None and self._transport is not None:
            self._transport.sendto(reply, addr)


class LoopbackDnsServer:
    """The authoritative server, run by an asyncio loop in a daemon thread.

    ``port`` 0 picks a port free for both UDP and TCP. Names no source owns get NXDOMAIN
    (this server is the whole DNS of the loopback world), or REFUSED with ``refuse_foreign``.
    """

    def __init__(
        self,
        sources: Sequence[ZoneSource],
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        refuse_foreign: bool = False,
    ) -> None:
        self.host = host
        self._requested_port = port
        self._answering = _Answering(sources, refuse_foreign)
        self._port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._connections: set[asyncio.StreamWriter] = set()

    @property
    def port(self) -> int:
        """The bound port, the same for UDP and TCP."""
        if not self._port:
            raise RuntimeError("the DNS server is not started")
        return self._port

    def start(self) -> None:
        """Bind UDP and TCP and start answering; return once both listen."""
        if self._thread is not None:
            return
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="loopback-dns", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread
        try:
            asyncio.run_coroutine_threadsafe(self._bind(), loop).result(timeout=10)
        except BaseException:
            self._halt()
            raise

    async def _bind(self) -> None:
        loop = asyncio.get_running_loop()
        attempts = 1 if self._requested_port else 50
        for attempt in range(attempts):
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Udp(self._answering), local_addr=(self.host, self._requested_port)
            )
            port = int(transport.get_extra_info("sockname")[1])
            try:
                self._tcp = await asyncio.start_server(
                    self._serve_tcp, self.host, port, reuse_address=True
                )
            except OSError:
                transport.close()
                if attempt == attempts - 1:
                    raise
                continue  # the UDP port's number is taken for TCP: try another
            self._udp, self._port = transport, port
            return

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)
        try:
            while True:
                prefix = await asyncio.wait_for(reader.readexactly(2), TCP_IDLE_SECONDS)
                (length,) = struct.unpack("!H", prefix)
                wire = await asyncio.wait_for(reader.readexactly(length), TCP_IDLE_SECONDS)
                reply = self._answering.reply(wire, udp=False)
                if reply is not None:
                    writer.write(struct.pack("!H", len(reply)) + reply)
                    await writer.drain()
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            pass  # the client closed, went idle or reset: the connection simply ends
        finally:
            self._connections.discard(writer)
            writer.close()

    async def _close(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
        for writer in list(self._connections):
            writer.close()
        if self._tcp is not None:
            await self._tcp.wait_closed()

    def _halt(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
        self._loop = self._thread = None
        self._udp = self._tcp = None
        self._port = 0

    def stop(self) -> None:
        """Stop answering and release the ports."""
        if self._loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=10)
        finally:
            self._halt()

    def __enter__(self) -> LoopbackDnsServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
