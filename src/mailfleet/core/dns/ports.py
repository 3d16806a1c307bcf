"""Ports of the DNS capability: a provider that holds zones, and a resolver that reads them.

Each has an in-memory twin in ``mailfleet.adapters.dns.memory``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from mailfleet.core.dns.checks import DomainCheck, JournalEntry
from mailfleet.core.dns.plan import Change
from mailfleet.core.dns.records import Record, RecordType
from mailfleet.core.dns.rotation import RotationState


class DnsProvider(Protocol):
    """Where a domain's zone is hosted (PowerDNS, RFC 2136 server, Route53, Cloudflare...)."""

    name: str
    supported_types: frozenset[RecordType]  # declared as data, checked before any apply

    def list_records(self, zone: str) -> tuple[Record, ...] | None:
        """Every RRset of ``zone`` (TXT joined, canonical values); ``None`` if no such zone."""
        ...

    def ensure_zone(self, zone: str) -> None:
        """Create ``zone`` when the provider does not host it yet."""
        ...

    def apply(self, zone: str, changes: Sequence[Change]) -> None:
        """Make ``changes`` in ``zone``; raise ``DnsProviderError`` naming the record on failure."""
        ...


class AnswerStatus(StrEnum):
    """How a query ended."""

    OK = "ok"
    NXDOMAIN = "nxdomain"
    NODATA = "nodata"
    ERROR = "error"  # timeout, SERVFAIL, REFUSED: the answer is unknown


@dataclass(frozen=True, slots=True)
class Answer:
    """A resolver's answer, values in the canonical form of ``mailfleet.core.dns.records``."""

    status: AnswerStatus
    values: tuple[str, ...] = ()
    ttl: int | None = None
    detail: str = ""


class DnsResolver(Protocol):
    """Reads what the world sees (a recursive resolver, or the authoritative servers)."""

    def query(self, name: str, rtype: RecordType) -> Answer:
        """Look up ``name`` for ``rtype``; never raises for DNS outcomes, only reports them."""
        ...


class SpfOracle(Protocol):
    """Evaluates SPF as a receiver would (RFC 7208 4), over a given resolver."""

    def check(self, ip: str, sender_domain: str) -> str:
        """The SPF result (``pass``, ``fail``, ...) for mail from ``ip`` claiming the domain."""
        ...


class DnsCheckStore(Protocol):
    """Where verification results are kept, one row per domain per run."""

    def record(self, checks: Sequence[DomainCheck]) -> None:
        """Store a run's results."""
        ...

    def latest(self) -> dict[str, DomainCheck]:
        """The most recent result of every domain ever checked."""
        ...


class RotationStore(Protocol):
    """Where each domain's DKIM rotation state lives."""

    def get(self, domain: str) -> RotationState | None:
        """The stored state, or ``None`` when the domain never rotated."""
        ...

    def save(self, state: RotationState) -> None:
        """Store ``state``, replacing the domain's previous one."""
        ...


class DnsJournal(Protocol):
    """The record of every apply, zone by zone, written as each zone finishes."""

    def record(self, entry: JournalEntry) -> None:
        """Append one zone's entry."""
        ...

    def entries(self, domain: str | None = None) -> list[JournalEntry]:
        """Entries, oldest first, for one domain or all."""
        ...
