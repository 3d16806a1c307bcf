"""RFC 2136 dynamic updates signed with TSIG, against the real PowerDNS (dnsupdate=yes)."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from dns_support.fleets import make_fleet
from dns_support.pdns import PowerDnsServer
from mailfleet.adapters.dns.powerdns import PowerDnsProvider
from mailfleet.adapters.dns.resolver import DnsPythonResolver
from mailfleet.adapters.dns.rfc2136 import Rfc2136Provider
from mailfleet.adapters.vault import InMemoryVault
from mailfleet.core.dns.dkim import KeyAlgorithm
from mailfleet.core.dns.errors import DnsRequestRejected
from mailfleet.core.dns.plan import Change, ChangeKind
from mailfleet.core.dns.ports import AnswerStatus
from mailfleet.core.dns.records import Record, RecordType
from mailfleet.core.secrets import Secret
from mailfleet.policy.dns import load_dns_template
from mailfleet.services.dns import ZoneOutcome, apply_dns, plan_dns

TEMPLATE = load_dns_template()


@pytest.fixture(scope="module")
def tsig(pdns: PowerDnsServer) -> tuple[str, str]:
    """A TSIG key made through the PowerDNS API: (name, base64 secret)."""
    name = f"mf-{uuid.uuid4().hex[:8]}"
    with pdns.api() as api:
        response = api.post("/tsigkeys", json={"name": name, "algorithm": "hmac-sha256"})
        response.raise_for_status()
        return name, str(response.json()["key"])


def _zone_for_updates(
    pdns: PowerDnsServer, provider: PowerDnsProvider, zone: str, key: str
) -> None:
    provider.ensure_zone(zone)
    with pdns.api() as api:
        # the key may update the zone (RFC 2136) and transfer it (AXFR, to read it back);
        # the API sets TSIG-ALLOW-AXFR through the zone's master_tsig_key_ids
        meta = {"kind": "TSIG-ALLOW-DNSUPDATE", "metadata": [key]}
        api.post(f"/zones/{zone}./metadata", json=meta).raise_for_status()
        api.put(f"/zones/{zone}.", json={"master_tsig_key_ids": [f"{key}."]}).raise_for_status()


def test_signed_updates_publish_the_fleet_and_resume_empty(
    pdns: PowerDnsServer,
    pdns_provider: PowerDnsProvider,
    pdns_resolver: DnsPythonResolver,
    tsig: tuple[str, str],
) -> None:
    """Apply through RFC 2136 writes every record (2048-bit DKIM included); replan is empty."""
    fleet, vault = make_fleet(2, suffix=f"u{uuid.uuid4().hex[:8]}.test"), InMemoryVault()
    for domain in fleet.domains:
        _zone_for_updates(pdns, pdns_provider, domain.name, tsig[0])
    provider = Rfc2136Provider("ddns", "127.0.0.1", tsig[0], Secret(tsig[1]), port=pdns.dns_port)
    report = apply_dns(fleet, TEMPLATE, vault, lambda _: provider)
    assert report.ok, report.as_dict()
    assert {r.outcome for r in report.results} == {ZoneOutcome.APPLIED}
    for domain in report.plan.domains:
        assert domain.desired is not None
        for record in domain.desired.records:
            answer = pdns_resolver.query(record.name, record.type)
            assert answer.status is AnswerStatus.OK
            assert answer.values == record.values
    assert plan_dns(fleet, TEMPLATE, vault, lambda _: provider).is_empty


def test_update_with_a_wrong_secret_is_rejected(
    pdns: PowerDnsServer, pdns_provider: PowerDnsProvider, tsig: tuple[str, str]
) -> None:
    """A bad TSIG secret is a rejection naming the zone and record; nothing is written."""
    zone = f"w{uuid.uuid4().hex[:8]}.test"
    _zone_for_updates(pdns, pdns_provider, zone, tsig[0])
    wrong = Rfc2136Provider(
        "ddns",
        "127.0.0.1",
        tsig[0],
        Secret("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
        port=pdns.dns_port,
    )
    record = Record.of(f"x.{zone}", RecordType.TXT, 60, ["hello"])
    with pytest.raises(DnsRequestRejected, match=rf"{zone}: x\.{zone} TXT"):
        wrong.apply(zone, [Change(ChangeKind.CREATE, None, record)])
    assert all(r.key != record.key for r in pdns_provider.list_records(zone) or ())


def test_missing_zone_cannot_be_created_by_update(
    pdns: PowerDnsServer, tsig: tuple[str, str]
) -> None:
    """ensure_zone on a zone the server lacks fails with a message saying what to do."""
    provider = Rfc2136Provider("ddns", "127.0.0.1", tsig[0], Secret(tsig[1]), port=pdns.dns_port)
    fleet = make_fleet(1, suffix=f"n{uuid.uuid4().hex[:8]}.test")
    fast = replace(TEMPLATE, key_algorithm=KeyAlgorithm.ED25519)
    report = apply_dns(fleet, fast, InMemoryVault(), lambda _: provider)
    assert report.results[0].outcome is ZoneOutcome.FAILED
    assert "create it on the server first" in report.results[0].error
