"""Cloudflare DNS through its v4 REST API (``/client/v4``), with httpx and a bearer token.

Cloudflare stores one DNS record per value, so an RRset change becomes per-value calls:
deletes of values that went away, creates of new ones, edits where only the TTL moved.
Every answer carries ``success`` and ``errors``; failures name the zone and the record.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from mailfleet.adapters.dns.wire import dotted
from mailfleet.core.dns.errors import DnsProviderUnavailable, DnsRequestRejected
from mailfleet.core.dns.plan import Change
from mailfleet.core.dns.records import InvalidRecord, Record, RecordType, unquote_txt
from mailfleet.core.secrets import Secret

API_URL = "https://api.cloudflare.com/client/v4"


class CloudflareProvider:
    """Zones in one Cloudflare account (``account_id`` is needed only to create zones)."""

    supported_types = frozenset(RecordType)

    def __init__(
        self,
        name: str,
        api_token: Secret,
        *,
        account_id: str = "",
        api_url: str = API_URL,
        timeout: float = 10.0,
    ) -> None:
        self.name = name
        self._account_id = account_id
        self._client = httpx.Client(
            base_url=api_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_token.reveal()}"},
            timeout=timeout,
        )
        self._zone_ids: dict[str, str] = {}

    def close(self) -> None:
        """Close the keep-alive connection."""
        self._client.close()

    def _call(
        self, method: str, path: str, zone: str, record: str, **kwargs: Any
    ) -> dict[str, Any]:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise DnsProviderUnavailable(self.name, zone, record, "timed out") from None
        except httpx.TransportError as exc:
            raise DnsProviderUnavailable(self.name, zone, record, f"unreachable: {exc}") from None
        try:
            body: dict[str, Any] = response.json()
        except ValueError:
            body = {"success": False, "errors": [{"message": response.text[:200]}]}
        if response.status_code >= 500 or response.status_code == 429:
            raise DnsProviderUnavailable(self.name, zone, record, _errors(response, body))
        if response.status_code >= 400 or not body.get("success", False):
            raise DnsRequestRejected(self.name, zone, record, _errors(response, body))
        return body

    def _zone_id(self, zone: str) -> str | None:
        if zone not in self._zone_ids:
            body = self._call("GET", "/zones", zone, "", params={"name": zone})
            for found in body.get("result", []):
                if found.get("name") == zone:
                    self._zone_ids[zone] = str(found["id"])
        return self._zone_ids.get(zone)

    def _raw_records(self, zone: str, zone_id: str) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            body = self._call(
                "GET",
                f"/zones/{zone_id}/dns_records",
                zone,
                "",
                params={"page": page, "per_page": 100},
            )
            yield from body.get("result", [])
            info = body.get("result_info") or {}
            if page >= int(info.get("total_pages", 1)):
                return
            page += 1

    def list_records(self, zone: str) -> tuple[Record, ...] | None:
        """Every managed-type RRset, grouped from Cloudflare's per-value records."""
        zone_id = self._zone_id(zone)
        if zone_id is None:
            return None
        grouped: dict[tuple[str, str], tuple[int, list[str]]] = {}
        for raw in self._raw_records(zone, zone_id):
            key = (str(raw["name"]), str(raw["type"]))
            ttl, values = grouped.setdefault(key, (int(raw.get("ttl", 1)), []))
            values.append(_value_from(raw))
        records = []
        for (name, rtype), (ttl, values) in grouped.items():
            if rtype not in RecordType.__members__:
                continue
            try:
                records.append(Record.of(name, RecordType(rtype), ttl, values))
            except InvalidRecord:
                continue  # foreign values we could not have written
        return tuple(records)

    def ensure_zone(self, zone: str) -> None:
        """Create the zone (type ``full``) in the account unless it exists."""
        if self._zone_id(zone) is not None:
            return
        body = {"name": zone, "type": "full", "account": {"id": self._account_id}}
        created = self._call("POST", "/zones", zone, "", json=body)
        self._zone_ids[zone] = str(created["result"]["id"])

    def apply(self, zone: str, changes: Sequence[Change]) -> None:
        """Per-value calls for each RRset change, in the plan's order (deletes first)."""
        zone_id = self._zone_id(zone)
        if zone_id is None:
            raise DnsRequestRejected(self.name, zone, "", "no such zone")
        existing: dict[tuple[str, str, str], str] = {}
        for raw in self._raw_records(zone, zone_id):
            existing[(str(raw["name"]), str(raw["type"]), _value_from(raw))] = str(raw["id"])
        for change in changes:
            self._apply_one(zone, zone_id, change, existing)

    def _apply_one(
        self, zone: str, zone_id: str, change: Change, existing: dict[tuple[str, str, str], str]
    ) -> None:
        record = change.record
        label = record.label()
        old = set(change.before.values) if change.before else set()
        new = set(change.after.values) if change.after else set()
        base = f"/zones/{zone_id}/dns_records"
        for value in sorted(old - new):
            record_id = existing.get((record.name, str(record.type), value))
            if record_id:
                self._call("DELETE", f"{base}/{record_id}", zone, label)
        if change.after is None:
            return
        for value in sorted(new):
            payload = _payload(change.after, value)
            record_id = existing.get((record.name, str(record.type), value))
            if value not in old or record_id is None:
                self._call("POST", base, zone, label, json=payload)
            elif change.before is not None and change.before.ttl != change.after.ttl:
                self._call("PUT", f"{base}/{record_id}", zone, label, json=payload)


def _value_from(raw: dict[str, Any]) -> str:
    """Cloudflare's ``content`` (+ ``priority`` for MX) in our canonical value form."""
    content = str(raw.get("content", ""))
    rtype = raw.get("type")
    if rtype == "MX":
        return f"{int(raw.get('priority', 0))} {dotted(content)}"
    if rtype == "CNAME":
        return dotted(content)
    if rtype == "TXT":
        return unquote_txt(content)
    return content


def _payload(record: Record, value: str) -> dict[str, Any]:
    body: dict[str, Any] = {"type": str(record.type), "name": record.name, "ttl": record.ttl}
    if record.type is RecordType.MX:
        priority, _, exchange = value.partition(" ")
        body |= {"content": exchange.rstrip("."), "priority": int(priority)}
    elif record.type is RecordType.CNAME:
        body |= {"content": value.rstrip("."), "proxied": False}
    else:
        body["content"] = value
    return body


def _errors(response: httpx.Response, body: dict[str, Any]) -> str:
    messages = [
        f"{e.get('code', '')} {e.get('message', '')}".strip() for e in body.get("errors", [])
    ]
    return f"HTTP {response.status_code}: " + ("; ".join(messages) or "no detail")
