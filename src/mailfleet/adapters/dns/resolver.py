"""A resolver adapter over dnspython, pointed at chosen servers (and port) or the system's."""

from __future__ import annotations

from collections.abc import Sequence

import dns.exception
import dns.rdatatype
import dns.resolver

from mailfleet.core.dns.ports import Answer, AnswerStatus
from mailfleet.core.dns.records import InvalidRecord, Record, RecordType


class DnsPythonResolver:
    """Queries ``nameservers`` on ``port`` (or ``/etc/resolv.conf`` when none are given)."""

    def __init__(
        self, nameservers: Sequence[str] = (), *, port: int = 53, timeout: float = 3.0
    ) -> None:
        self._resolver = dns.resolver.Resolver(configure=not nameservers)
        if nameservers:
            self._resolver.nameservers = list(nameservers)
            self._resolver.port = port
        self._resolver.lifetime = timeout
        self._resolver.cache = None

    def query(self, name: str, rtype: RecordType) -> Answer:
        """The answer in canonical values; NXDOMAIN, NODATA and failures are statuses."""
        try:
            answer = self._resolver.resolve(
                name.rstrip(".") + ".", rtype.value, raise_on_no_answer=False
            )
        except dns.resolver.NXDOMAIN:
            return Answer(AnswerStatus.NXDOMAIN)
        except (dns.exception.DNSException, OSError) as exc:
            return Answer(AnswerStatus.ERROR, detail=str(exc) or type(exc).__name__)
        if answer.rrset is None:
            return Answer(AnswerStatus.NODATA)
        values = [_text(rtype, rdata) for rdata in answer.rrset]
        try:
            record = Record.of(name, rtype, answer.rrset.ttl or 1, values)
        except InvalidRecord as exc:
            return Answer(AnswerStatus.ERROR, detail=str(exc))
        return Answer(AnswerStatus.OK, record.values, answer.rrset.ttl)


def _text(rtype: RecordType, rdata: object) -> str:
    if rtype is RecordType.TXT:
        strings = getattr(rdata, "strings", ())
        return b"".join(strings).decode("utf-8", "replace")
    if rtype is RecordType.MX:
        return f"{getattr(rdata, 'preference', 0)} {getattr(rdata, 'exchange', '')}"
    if rtype is RecordType.CNAME:
        return str(getattr(rdata, "target", ""))
    return str(getattr(rdata, "address", rdata))
