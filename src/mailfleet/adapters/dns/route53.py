"""Amazon Route 53 through boto3: zones by name, one ChangeResourceRecordSets batch per zone.

Route 53 applies a change batch atomically. Values use zone-file text (TXT quoted, split into
255-byte strings), which is what the API expects and returns. botocore errors become
``DnsProviderError``s: throttling and 5xx are retryable, the rest are rejections.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from mailfleet.adapters.dns.wire import SUPPORTED, dotted, from_rrset, to_content
from mailfleet.core.dns.errors import DnsProviderUnavailable, DnsRequestRejected
from mailfleet.core.dns.plan import Change, ChangeKind
from mailfleet.core.dns.records import Record

if TYPE_CHECKING:
    from mypy_boto3_route53 import Route53Client

_RETRYABLE = {"Throttling", "ThrottlingException", "PriorRequestNotComplete", "ServiceUnavailable"}


class Route53Provider:
    """Public hosted zones in one AWS account."""

    supported_types = SUPPORTED

    def __init__(
        self,
        name: str,
        client: Route53Client | None = None,
        *,
        session: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self._client: Route53Client = client or boto3.client("route53", **(session or {}))  # type: ignore[call-overload]
        self._zone_ids: dict[str, str] = {}

    def _fail(self, exc: Exception, zone: str, record: str) -> Exception:
        if isinstance(exc, ClientError):
            code = str(exc.response.get("Error", {}).get("Code", ""))
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
            message = f"{code}: {exc.response.get('Error', {}).get('Message', '')}"
            if code in _RETRYABLE or status >= 500:
                return DnsProviderUnavailable(self.name, zone, record, message)
            return DnsRequestRejected(self.name, zone, record, message)
        return DnsProviderUnavailable(self.name, zone, record, str(exc))

    def _zone_id(self, zone: str) -> str | None:
        if zone not in self._zone_ids:
            try:
                found = self._client.list_hosted_zones_by_name(DNSName=dotted(zone), MaxItems="1")
            except (ClientError, BotoCoreError) as exc:
                raise self._fail(exc, zone, "") from None
            for hosted in found["HostedZones"]:
                if hosted["Name"] == dotted(zone):
                    self._zone_ids[zone] = hosted["Id"]
        return self._zone_ids.get(zone)

    def list_records(self, zone: str) -> tuple[Record, ...] | None:
        """Every managed-type RRset of the hosted zone; ``None`` when there is none."""
        zone_id = self._zone_id(zone)
        if zone_id is None:
            return None
        records = []
        try:
            pages = self._client.get_paginator("list_resource_record_sets").paginate(
                HostedZoneId=zone_id
            )
            for page in pages:
                for rrset in page["ResourceRecordSets"]:
                    values = [r["Value"] for r in rrset.get("ResourceRecords", [])]
                    record = from_rrset(
                        rrset["Name"].replace("\\052", "*"),
                        rrset["Type"],
                        int(rrset.get("TTL", 0)),
                        values,
                    )
                    if record is not None and values:
                        records.append(record)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(exc, zone, "") from None
        return tuple(records)

    def ensure_zone(self, zone: str) -> None:
        """Create a public hosted zone unless one exists."""
        if self._zone_id(zone) is not None:
            return
        try:
            created = self._client.create_hosted_zone(
                Name=dotted(zone), CallerReference=f"mailfleet-{uuid.uuid4()}"
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(exc, zone, "") from None
        self._zone_ids[zone] = created["HostedZone"]["Id"]

    def apply(self, zone: str, changes: Sequence[Change]) -> None:
        """One atomic change batch: DELETE with the old values, UPSERT for the rest."""
        zone_id = self._zone_id(zone)
        labels = ", ".join(c.record.label() for c in changes[:3]) + (
            "..." if len(changes) > 3 else ""
        )
        if zone_id is None:
            raise DnsRequestRejected(self.name, zone, labels, "no such hosted zone")
        batch: list[Any] = [_change(c) for c in changes]
        try:
            self._client.change_resource_record_sets(
                HostedZoneId=zone_id, ChangeBatch={"Comment": "mailfleet", "Changes": batch}
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(exc, zone, labels) from None


def _change(change: Change) -> dict[str, Any]:
    # Route 53 deletes only an exact match of the current RRset, so send the old one
    record = change.before if change.kind is ChangeKind.DELETE else change.after
    assert record is not None
    return {
        "Action": "DELETE" if change.kind is ChangeKind.DELETE else "UPSERT",
        "ResourceRecordSet": {
            "Name": dotted(record.name),
            "Type": str(record.type),
            "TTL": record.ttl,
            "ResourceRecords": [{"Value": to_content(record.type, v)} for v in record.values],
        },
    }
