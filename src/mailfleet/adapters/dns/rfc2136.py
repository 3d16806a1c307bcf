"""RFC 2136 dynamic update with TSIG (RFC 8945), through dnspython: BIND, Knot, PowerDNS.

A zone is read by AXFR (RFC 5936) and changed by one signed UPDATE message per zone, which the
server applies atomically (RFC 2136 3.4). Dynamic update cannot create zones: they must exist.
"""

from __future__ import annotations

from collections.abc import Sequence

import dns.exception
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.tsig
import dns.tsigkeyring
import dns.update
import dns.xfr
import dns.zone

from mailfleet.adapters.dns.wire import SUPPORTED, dotted, from_rrset, to_content
from mailfleet.core.dns.errors import DnsProviderUnavailable, DnsRequestRejected
from mailfleet.core.dns.plan import Change, ChangeKind
from mailfleet.core.dns.records import Record
from mailfleet.core.secrets import Secret

_RETRYABLE_RCODES = {dns.rcode.SERVFAIL}
_TSIG_FAILURES = (
    dns.tsig.PeerError,
    dns.tsig.BadSignature,
    dns.tsig.BadKey,
    dns.tsig.BadTime,
    dns.tsig.BadAlgorithm,
    dns.message.UnknownTSIGKey,
    dns.exception.FormError,
)


class Rfc2136Provider:
    """Zones on an authoritative server that accepts TSIG-signed updates and transfers."""

    supported_types = SUPPORTED

    def __init__(
        self,
        name: str,
        server: str,
        key_name: str,
        key_secret: Secret,
        *,
        port: int = 53,
        algorithm: str = "hmac-sha256",
        timeout: float = 10.0,
    ) -> None:
        self.name = name
        self._server = server
        self._port = port
        self._timeout = timeout
        self._key_name = dns.name.from_text(dotted(key_name))
        self._keyring = dns.tsigkeyring.from_text({dotted(key_name): key_secret.reveal()})
        self._algorithm = dns.name.from_text(dotted(algorithm))

    def _exchange(
        self, message: dns.message.Message, zone: str, record: str
    ) -> dns.message.Message:
        try:
            return dns.query.tcp(message, self._server, port=self._port, timeout=self._timeout)
        except dns.exception.Timeout:
            raise DnsProviderUnavailable(self.name, zone, record, "timed out") from None
        except _TSIG_FAILURES as exc:
            # a server that cannot validate our TSIG answers unsigned, which dnspython reports
            # as a FormError: either way the key name or secret is wrong, retrying won't help
            raise DnsRequestRejected(self.name, zone, record, f"TSIG: {exc}") from None
        except dns.exception.DNSException as exc:
            raise DnsProviderUnavailable(self.name, zone, record, str(exc)) from None
        except OSError as exc:
            raise DnsProviderUnavailable(self.name, zone, record, f"unreachable: {exc}") from None

    def list_records(self, zone: str) -> tuple[Record, ...] | None:
        """Every managed-type RRset by AXFR; ``None`` when the server is not authoritative."""
        query = dns.message.make_query(dotted(zone), dns.rdatatype.SOA)
        query.use_tsig(self._keyring, keyname=self._key_name, algorithm=self._algorithm)
        response = self._exchange(query, zone, "")
        if response.rcode() != dns.rcode.NOERROR or not response.answer:
            return None
        try:
            transferred = dns.zone.from_xfr(
                dns.query.xfr(
                    self._server,
                    dotted(zone),
                    port=self._port,
                    timeout=self._timeout,
                    keyring=self._keyring,
                    keyname=self._key_name,
                    keyalgorithm=self._algorithm,
                )
            )
        except dns.xfr.TransferError as exc:
            raise DnsRequestRejected(self.name, zone, "AXFR", str(exc)) from None
        except dns.exception.DNSException as exc:
            raise DnsProviderUnavailable(self.name, zone, "AXFR", str(exc)) from None
        origin = transferred.origin or dns.name.from_text(dotted(zone))
        records = []
        for name, rdataset in transferred.iterate_rdatasets():
            absolute = name.derelativize(origin).to_text()
            contents = [rdata.to_text() for rdata in rdataset]
            rtype = dns.rdatatype.to_text(rdataset.rdtype)
            record = from_rrset(absolute, rtype, rdataset.ttl, contents)
            if record is not None:
                records.append(record)
        return tuple(records)

    def ensure_zone(self, zone: str) -> None:
        """Dynamic update cannot create zones: fail clearly when the zone is missing."""
        if self.list_records(zone) is None:
            raise DnsRequestRejected(
                self.name, zone, "", "the zone does not exist; create it on the server first"
            )

    def apply(self, zone: str, changes: Sequence[Change]) -> None:
        """One signed UPDATE with every change; the server applies it atomically."""
        update = dns.update.UpdateMessage(
            dotted(zone),
            keyring=self._keyring,
            keyname=self._key_name,
            keyalgorithm=self._algorithm,
        )
        for change in changes:
            record = change.record
            owner = dns.name.from_text(dotted(record.name))
            if change.kind is ChangeKind.DELETE:
                update.delete(owner, record.type.value)
            else:
                texts = [to_content(record.type, v) for v in record.values]
                update.replace(owner, record.ttl, record.type.value, *texts)
        labels = ", ".join(c.record.label() for c in changes[:3]) + (
            "..." if len(changes) > 3 else ""
        )
        response = self._exchange(update, zone, labels)
        rcode = response.rcode()
        if rcode == dns.rcode.NOERROR:
            return
        reason = f"UPDATE answered {dns.rcode.to_text(rcode)}"
        if rcode in _RETRYABLE_RCODES:
            raise DnsProviderUnavailable(self.name, zone, labels, reason)
        raise DnsRequestRejected(self.name, zone, labels, reason)
