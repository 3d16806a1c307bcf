"""SPF evaluation by pyspf (which passes the RFC 7208 test suite), over our resolver port.

pyspf looks names up through its module-level ``DNSLookup``; the oracle swaps in a function
backed by the given ``DnsResolver`` for the duration of one check (under a lock, since the
hook is global), so evaluation works offline against any server, e.g. a test PowerDNS.
"""

from __future__ import annotations

import threading
from typing import Any

import spf

from mailfleet.core.dns.ports import AnswerStatus, DnsResolver
from mailfleet.core.dns.records import RecordType

_HOOK_LOCK = threading.Lock()


class PySpfOracle:
    """``check(ip, domain)`` -> ``pass``/``fail``/``softfail``/``neutral``/``none``/errors."""

    def __init__(self, resolver: DnsResolver) -> None:
        self._resolver = resolver

    def _lookup(self, name: str, qtype: str, *_args: Any, **_kwargs: Any) -> list[Any]:
        try:
            rtype = RecordType(qtype)
        except ValueError:
            return []  # PTR and type-99 SPF: not served by our records
        answer = self._resolver.query(name, rtype)
        if answer.status is AnswerStatus.ERROR:
            raise spf.TempError(f"DNS {answer.detail}")
        key = (name, qtype)
        if rtype is RecordType.TXT:
            return [(key, [v.encode("utf-8")]) for v in answer.values]
        if rtype is RecordType.MX:
            pairs = (v.split(" ", 1) for v in answer.values)
            return [(key, (int(p), host.rstrip("."))) for p, host in pairs]
        return [(key, v) for v in answer.values]

    def check(self, ip: str, sender_domain: str) -> str:
        """The SPF result for mail from ``ip`` with MAIL FROM ``postmaster@sender_domain``."""
        with _HOOK_LOCK:
            saved = spf.DNSLookup
            spf.DNSLookup = self._lookup
            try:
                query = spf.query(i=ip, s=f"postmaster@{sender_domain}", h=sender_domain)
                result, _code, _explanation = query.check()
            finally:
                spf.DNSLookup = saved
        return str(result)
