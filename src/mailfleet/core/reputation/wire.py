"""The few DNS wire-format pieces a DNSBL lookup needs (RFC 1035 section 4.1).

A DNSBL check is thousands of identical A queries whose replies hold a handful of A records.
Building and parsing them with a general DNS library costs more CPU than the network; these
functions do only what the lookup needs: build one A query, and read a reply's ID, flags,
rcode, question and A records (following name compression, RFC 1035 section 4.1.4).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from ipaddress import IPv4Address

TYPE_A = 1
CLASS_IN = 1
FLAG_QR = 0x8000
FLAG_TC = 0x0200
FLAG_RD = 0x0100
_HEADER = struct.Struct("!HHHHHH")
_RR_FIXED = struct.Struct("!HHIH")


class WireError(ValueError):
    """A reply that is not well-formed DNS."""


def encode_name(name: str) -> bytes:
    """A domain name as length-prefixed labels ending in the root (RFC 1035 section 3.1)."""
    out = bytearray()
    for label in name.rstrip(".").split("."):
        raw = label.encode("ascii")
        if not 0 < len(raw) < 64:
            raise ValueError(f"bad label in {name!r}")
        out.append(len(raw))
        out += raw
    out.append(0)
    if len(out) > 255:
        raise ValueError(f"name too long: {name!r}")
    return bytes(out)


def question(name: str) -> bytes:
    """The question section for an A query of ``name``, class IN."""
    return encode_name(name) + struct.pack("!HH", TYPE_A, CLASS_IN)


def build_query(query_id: int, asked: bytes) -> bytes:
    """A recursive (RD) query with message ID ``query_id`` and one question (``question()``)."""
    return _HEADER.pack(query_id, FLAG_RD, 1, 0, 0, 0) + asked


@dataclass(frozen=True, slots=True)
class Reply:
    """What a DNSBL lookup reads from a reply."""

    id: int
    rcode: int
    truncated: bool
    question: bytes  # the raw question section, lower-cased, to match against the query
    addresses: tuple[IPv4Address, ...]


def _skip_name(data: bytes, offset: int) -> int:
    """The offset after the name at ``offset`` (a compression pointer ends a name)."""
    while True:
        if offset >= len(data):
            raise WireError("name runs past the end")
        length = data[offset]
        if length == 0:
            return offset + 1
        if length & 0xC0 == 0xC0:
            return offset + 2
        if length & 0xC0:
            raise WireError("unknown label type")
        offset += 1 + length


def parse_reply(data: bytes) -> Reply:
    """Read a reply; raise ``WireError`` when it is not well-formed."""
    if len(data) < _HEADER.size:
        raise WireError("shorter than a header")
    query_id, flags, qdcount, ancount, _, _ = _HEADER.unpack_from(data)
    if not flags & FLAG_QR:
        raise WireError("not a response")
    offset = _HEADER.size
    start = offset
    for _ in range(qdcount):
        offset = _skip_name(data, offset) + 4
    asked = data[start:offset].lower()
    addresses = []
    for _ in range(ancount):
        offset = _skip_name(data, offset)
        if offset + _RR_FIXED.size > len(data):
            raise WireError("record runs past the end")
        rtype, rclass, _, length = _RR_FIXED.unpack_from(data, offset)
        offset += _RR_FIXED.size
        if offset + length > len(data):
            raise WireError("record data runs past the end")
        if rtype == TYPE_A and rclass == CLASS_IN and length == 4:
            addresses.append(IPv4Address(data[offset : offset + 4]))
        offset += length
    return Reply(query_id, flags & 0x000F, bool(flags & FLAG_TC), asked, tuple(addresses))
