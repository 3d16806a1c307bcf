"""One contract, every DNS provider: the in-memory twin, PowerDNS, RFC 2136, Route53 (moto)
and Cloudflare (local fake) must behave the same through the ``DnsProvider`` port."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from dns_support.cloudflare_fake import running_cloudflare_fake
from dns_support.pdns import PowerDnsServer
from mailfleet.adapters.dns.cloudflare import CloudflareProvider
from mailfleet.adapters.dns.memory import InMemoryDnsProvider
from mailfleet.adapters.dns.powerdns import PowerDnsProvider
from mailfleet.adapters.dns.rfc2136 import Rfc2136Provider
from mailfleet.adapters.dns.route53 import Route53Provider
from mailfleet.core.dns.plan import Change, ChangeKind
from mailfleet.core.dns.ports import DnsProvider
from mailfleet.core.dns.records import Record, RecordType
from mailfleet.core.secrets import Secret

KINDS = ["memory", "powerdns", "rfc2136", "route53", "cloudflare"]


def _rfc2136(pdns: PowerDnsServer, zone: str) -> Rfc2136Provider:
    """A TSIG key and a zone prepared for updates and transfers through the API."""
    name = f"c-{uuid.uuid4().hex[:8]}"
    with pdns.api() as api:
        key = api.post("/tsigkeys", json={"name": name, "algorithm": "hmac-sha256"}).json()["key"]
        body = {"name": f"{zone}.", "kind": "Native", "nameservers": [f"ns1.{zone}."]}
        api.post("/zones", json=body).raise_for_status()
        meta = {"kind": "TSIG-ALLOW-DNSUPDATE", "metadata": [name]}
        api.post(f"/zones/{zone}./metadata", json=meta).raise_for_status()
        api.put(f"/zones/{zone}.", json={"master_tsig_key_ids": [f"{name}."]}).raise_for_status()
    return Rfc2136Provider("ddns", "127.0.0.1", name, Secret(key), port=pdns.dns_port)


@pytest.fixture(params=KINDS)
def contract(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[DnsProvider, str]]:
    """Each provider with a zone name it does not host yet (RFC 2136: hosted, but empty)."""
    zone = f"k{uuid.uuid4().hex[:8]}.test"
    kind = request.param
    if kind == "memory":
        yield InMemoryDnsProvider(), zone
    elif kind == "powerdns":
        pdns: PowerDnsServer = request.getfixturevalue("pdns")
        provider = PowerDnsProvider("pdns", pdns.api_url, Secret(pdns.api_key))
        yield provider, zone
        provider.close()
    elif kind == "rfc2136":
        yield _rfc2136(request.getfixturevalue("pdns"), zone), zone
    elif kind == "route53":
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        with mock_aws():
            yield Route53Provider("r53", boto3.client("route53", region_name="us-east-1")), zone
    else:
        with running_cloudflare_fake() as (url, state):
            cloudflare = CloudflareProvider("cf", Secret(state.token), api_url=url)
            yield cloudflare, zone
            cloudflare.close()


def _owned(provider: DnsProvider, zone: str) -> dict[tuple[str, RecordType], Record]:
    """The zone's RRsets of the types mailfleet manages (SOA and NS are never listed)."""
    return {r.key: r for r in provider.list_records(zone) or ()}


def test_create_update_delete_round_trip(contract: tuple[DnsProvider, str]) -> None:
    """Records written through the port read back equal, through updates and a delete."""
    provider, zone = contract
    provider.ensure_zone(zone)
    provider.ensure_zone(zone)  # idempotent
    long_txt = "v=DKIM1; k=rsa; p=" + "Q" * 392  # over 255 bytes: split on the wire
    created = [
        Record.of(zone, RecordType.MX, 300, ["10 mx1.example.net", "20 mx2.example.net"]),
        Record.of(zone, RecordType.TXT, 300, ["v=spf1 ip4:192.0.2.1 -all", "other=1"]),
        Record.of(f"mf1._domainkey.{zone}", RecordType.TXT, 300, [long_txt]),
        Record.of(f"bounce.{zone}", RecordType.CNAME, 300, ["rp.relay.example"]),
        Record.of(f"_dmarc.{zone}", RecordType.TXT, 300, ["v=DMARC1; p=none"]),
    ]
    provider.apply(zone, [Change(ChangeKind.CREATE, None, r) for r in created])
    current = _owned(provider, zone)
    for record in created:
        assert current[record.key] == record, record.label()

    old_spf = current[(zone, RecordType.TXT)]
    new_spf = Record.of(zone, RecordType.TXT, 600, ["v=spf1 ip4:192.0.2.2 -all", "other=1"])
    dmarc = current[(f"_dmarc.{zone}", RecordType.TXT)]
    provider.apply(
        zone,
        [Change(ChangeKind.DELETE, dmarc, None), Change(ChangeKind.UPDATE, old_spf, new_spf)],
    )
    current = _owned(provider, zone)
    assert current[(zone, RecordType.TXT)] == new_spf
    assert (f"_dmarc.{zone}", RecordType.TXT) not in current
    assert current[(f"bounce.{zone}", RecordType.CNAME)].values == ("rp.relay.example.",)


def test_providers_declare_what_they_support(contract: tuple[DnsProvider, str]) -> None:
    """Every provider declares the types mailfleet writes as data."""
    provider, _ = contract
    assert {RecordType.MX, RecordType.TXT, RecordType.CNAME} <= provider.supported_types
