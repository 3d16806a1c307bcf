"""The reputation capability's ports. Each has an in-memory twin in ``mailfleet.adapters``."""

from __future__ import annotations

from typing import Protocol

from mailfleet.core.reputation.verdict import DnsAnswer


class DnsblResolver(Protocol):
    """Asks a DNS resolver for the A records of one DNSBL query name."""

    async def lookup(self, name: str) -> DnsAnswer:
        """The outcome for ``name``: addresses, NXDOMAIN, or why there is no answer.

        Never raises for DNS trouble: a timeout or SERVFAIL is an outcome like any other.
        """
        ...
