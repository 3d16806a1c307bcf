"""DNSBL zones as values: what a list covers and what each of its answers means."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from ipaddress import IPv4Address


class TargetKind(StrEnum):
    """What a DNSBL lists: IPv4 addresses, IPv6 addresses or domain names (RFC 5782 s. 2-3)."""

    IP4 = "ip4"
    IP6 = "ip6"
    DOMAIN = "domain"


@dataclass(frozen=True, slots=True)
class DnsblZone:
    """One blocklist: its DNS zone, what it covers, and the documented meaning of its answers.

    ``listed`` maps exact answers to meanings; ``listed_bits`` maps bits of the last octet of a
    127.0.0.x answer to meanings, for bitmask lists (SURBL, URIBL); ``unknown`` holds refusal
    and error answers, which never count as a listing.
    """

    key: str
    zone: str
    kinds: frozenset[TargetKind]
    description: str
    delist_url: str
    listed: Mapping[IPv4Address, str] = field(default_factory=dict)
    listed_bits: Mapping[int, str] = field(default_factory=dict)
    unknown: Mapping[IPv4Address, str] = field(default_factory=dict)

    def covers(self, kind: TargetKind) -> bool:
        """True when this list answers queries about targets of ``kind``."""
        return kind in self.kinds
