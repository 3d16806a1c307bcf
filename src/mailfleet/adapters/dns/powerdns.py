"""PowerDNS Authoritative through its HTTP API (``/api/v1``), with httpx.

One GET lists a zone; one PATCH applies a zone's whole change set (REPLACE/DELETE per RRset),
which PowerDNS applies atomically: a failed PATCH leaves the zone as it was. Zones are
created as ``Native`` with the configured name servers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from mailfleet.adapters.dns.wire import SUPPORTED, dotted, from_rrset, to_content
from mailfleet.core.dns.errors import DnsProviderUnavailable, DnsRequestRejected
from mailfleet.core.dns.plan import Change, ChangeKind
from mailfleet.core.dns.records import Record
from mailfleet.core.secrets import Secret


class PowerDnsProvider:
    """A PowerDNS server's zones. ``api_url`` is the webserver root, e.g. http://127.0.0.1:8081."""

    supported_types = SUPPORTED

    def __init__(
        self,
        name: str,
        api_url: str,
        api_key: Secret,
        *,
        server_id: str = "localhost",
        nameservers: Sequence[str] = (),
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.name = name
        self._nameservers = [dotted(n) for n in nameservers]
        self._client = httpx.Client(
            base_url=f"{api_url.rstrip('/')}/api/v1/servers/{server_id}",
            headers={"X-API-Key": api_key.reveal()},
            timeout=timeout,
            transport=transport,
        )

    def close(self) -> None:
        """Close the keep-alive connection."""
        self._client.close()

    def _send(
        self, method: str, path: str, zone: str, record: str, body: Any = None
    ) -> httpx.Response:
        try:
            response = self._client.request(method, path, json=body)
        except httpx.TimeoutException:
            raise DnsProviderUnavailable(self.name, zone, record, "timed out") from None
        except httpx.TransportError as exc:
            raise DnsProviderUnavailable(self.name, zone, record, f"unreachable: {exc}") from None
        if response.status_code >= 500:
            raise DnsProviderUnavailable(self.name, zone, record, _reason(response))
        return response

    def list_records(self, zone: str) -> tuple[Record, ...] | None:
        """Every managed-type RRset of ``zone``; ``None`` when PowerDNS does not host it."""
        response = self._send("GET", f"/zones/{dotted(zone)}", zone, "")
        if response.status_code in (404, 422):
            return None
        _raise_for_4xx(self.name, response, zone, "")
        records = []
        for rrset in response.json().get("rrsets", []):
            contents = [r["content"] for r in rrset.get("records", []) if not r.get("disabled")]
            record = from_rrset(rrset["name"], rrset["type"], int(rrset.get("ttl", 0)), contents)
            if record is not None and contents:
                records.append(record)
        return tuple(records)

    def ensure_zone(self, zone: str) -> None:
        """Create the zone (Native) unless it exists; a 409 means it does."""
        body = {
            "name": dotted(zone),
            "kind": "Native",
            "nameservers": self._nameservers or [dotted(f"ns1.{zone}")],
        }
        response = self._send("POST", "/zones", zone, "", body)
        if response.status_code != 409:
            _raise_for_4xx(self.name, response, zone, "")

    def apply(self, zone: str, changes: Sequence[Change]) -> None:
        """One PATCH with every RRset of the change set; atomic on the server."""
        rrsets = [_rrset(change) for change in changes]
        labels = ", ".join(c.record.label() for c in changes[:3]) + (
            "..." if len(changes) > 3 else ""
        )
        response = self._send("PATCH", f"/zones/{dotted(zone)}", zone, labels, {"rrsets": rrsets})
        _raise_for_4xx(self.name, response, zone, labels)


def _rrset(change: Change) -> dict[str, Any]:
    record = change.record
    if change.kind is ChangeKind.DELETE:
        return {"name": dotted(record.name), "type": str(record.type), "changetype": "DELETE"}
    return {
        "name": dotted(record.name),
        "type": str(record.type),
        "ttl": record.ttl,
        "changetype": "REPLACE",
        "records": [
            {"content": to_content(record.type, v), "disabled": False} for v in record.values
        ],
    }


def _reason(response: httpx.Response) -> str:
    try:
        detail = response.json().get("error", "")
    except ValueError:
        detail = response.text[:200]
    return f"HTTP {response.status_code}: {detail}".rstrip(": ")


def _raise_for_4xx(provider: str, response: httpx.Response, zone: str, record: str) -> None:
    if response.status_code >= 400:
        raise DnsRequestRejected(provider, zone, record, _reason(response))
