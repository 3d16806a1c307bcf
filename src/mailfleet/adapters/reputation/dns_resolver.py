"""DNSBL lookups through dnspython's async resolver, pointed at one configurable nameserver.

DNSBLs must be asked through a resolver that the lists accept: a local caching resolver or a
mirror, never a public one (Spamhaus answers 127.255.255.254 to those). Concurrency is bounded
so that a fleet-wide check does not flood that resolver; every DNS failure becomes an answer
value (timeout, SERVFAIL, REFUSED), which the core turns into "unknown".
"""

from __future__ import annotations

import asyncio
from ipaddress import IPv4Address

import dns.asyncresolver
import dns.exception
import dns.rdatatype
import dns.resolver

from mailfleet.core.reputation.verdict import AnswerKind, DnsAnswer

_RCODE_KINDS = {"SERVFAIL": AnswerKind.SERVFAIL, "REFUSED": AnswerKind.REFUSED}


class DnspythonDnsblResolver:
    """Implements ``DnsblResolver`` with ``dns.asyncresolver`` over UDP.

    ``timeout`` bounds each lookup (retries included); at most ``concurrency`` lookups are in
    flight at once.
    """

    def __init__(
        self,
        nameserver: str = "127.0.0.1",
        port: int = 53,
        *,
        timeout: float = 3.0,
        concurrency: int = 64,
    ) -> None:
        self._resolver = dns.asyncresolver.Resolver(configure=False)
        self._resolver.nameservers = [nameserver]
        self._resolver.port = port
        self._resolver.lifetime = timeout
        self._resolver.timeout = max(timeout / 2, 0.1)  # one retry inside the lifetime
        self._resolver.cache = None  # every check must see the list as it is now
        self._concurrency = concurrency
        self._gate: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.nameserver = f"{nameserver}:{port}"

    def _semaphore(self) -> asyncio.Semaphore:
        # created inside the running loop, again for each new loop
        loop = asyncio.get_running_loop()
        if self._gate is None or self._loop is not loop:
            self._gate, self._loop = asyncio.Semaphore(self._concurrency), loop
        return self._gate

    async def lookup(self, name: str) -> DnsAnswer:
        """Ask for the A records of ``name``; map every DNS outcome to a ``DnsAnswer``."""
        async with self._semaphore():
            try:
                answer = await self._resolver.resolve(
                    name, dns.rdatatype.A, tcp=False, raise_on_no_answer=False, search=False
                )
            except dns.resolver.NXDOMAIN:
                return DnsAnswer(AnswerKind.NXDOMAIN)
            except dns.resolver.LifetimeTimeout:
                return DnsAnswer(AnswerKind.TIMEOUT, detail=f"no reply from {self.nameserver}")
            except dns.resolver.NoNameservers as exc:
                return _failure(exc)
            except dns.exception.DNSException as exc:
                return DnsAnswer(AnswerKind.ERROR, detail=type(exc).__name__)
            except OSError as exc:
                return DnsAnswer(AnswerKind.ERROR, detail=exc.strerror or type(exc).__name__)
        addresses = tuple(IPv4Address(r.address) for r in answer)
        if not addresses:
            return DnsAnswer(AnswerKind.NODATA)
        return DnsAnswer(AnswerKind.ADDRESSES, addresses)


def _failure(exc: dns.resolver.NoNameservers) -> DnsAnswer:
    """SERVFAIL or REFUSED from the server, read from dnspython's error list."""
    errors = exc.kwargs.get("errors", []) if hasattr(exc, "kwargs") else []
    for error in errors:
        text = str(error[3]) if len(error) > 3 else str(error)
        for rcode, kind in _RCODE_KINDS.items():
            if rcode in text:
                return DnsAnswer(kind, detail=f"{rcode} from {error[0]}")
    return DnsAnswer(AnswerKind.ERROR, detail="the nameserver gave no usable answer")
