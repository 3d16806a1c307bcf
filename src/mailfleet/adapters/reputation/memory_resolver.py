"""An in-memory DNSBL resolver: answers set by the test, NXDOMAIN for everything else."""

from __future__ import annotations

from ipaddress import IPv4Address

from mailfleet.core.reputation.query import query_name
from mailfleet.core.reputation.verdict import AnswerKind, DnsAnswer


class InMemoryDnsblResolver:
    """Implements ``DnsblResolver`` from a table of query names; records every lookup."""

    def __init__(self) -> None:
        self._answers: dict[str, DnsAnswer] = {}
        self.lookups: list[str] = []

    def answer(self, target: str, zone: str, answer: DnsAnswer) -> None:
        """Make ``target`` in ``zone`` answer ``answer``."""
        self._answers[query_name(target, zone)] = answer

    def list(self, target: str, zone: str, *codes: str) -> None:
        """List ``target`` in ``zone`` with ``codes`` (127.0.0.2 by default)."""
        addresses = tuple(IPv4Address(c) for c in codes or ("127.0.0.2",))
        self.answer(target, zone, DnsAnswer(AnswerKind.ADDRESSES, addresses))

    def clear(self, target: str, zone: str) -> None:
        """Forget any answer for ``target`` in ``zone``: it is NXDOMAIN again."""
        self._answers.pop(query_name(target, zone), None)

    async def lookup(self, name: str) -> DnsAnswer:
        """The answer set for ``name``, else NXDOMAIN."""
        self.lookups.append(name)
        return self._answers.get(name.rstrip(".").lower(), DnsAnswer(AnswerKind.NXDOMAIN))
