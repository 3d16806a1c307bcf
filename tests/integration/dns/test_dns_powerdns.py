"""Plan, apply and read back against a real PowerDNS Authoritative server."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from dns_support.fleets import make_fleet
from dns_support.pdns import PowerDnsServer
from mailfleet.adapters.dns.powerdns import PowerDnsProvider
from mailfleet.adapters.dns.resolver import DnsPythonResolver
from mailfleet.adapters.vault import InMemoryVault
from mailfleet.core.dns.dkim import KeyAlgorithm
from mailfleet.core.dns.errors import DnsProviderUnavailable, DnsRequestRejected
from mailfleet.core.dns.plan import Change, ChangeKind
from mailfleet.core.dns.ports import AnswerStatus
from mailfleet.core.dns.records import Record, RecordType
from mailfleet.core.secrets import Secret
from mailfleet.policy.dns import load_dns_template
from mailfleet.services.dns import ZoneOutcome, apply_dns, plan_dns

TEMPLATE = load_dns_template()


def _suffix() -> str:
    return f"t{uuid.uuid4().hex[:8]}.test"


def test_apply_publishes_what_the_resolver_then_sees(
    pdns_provider: PowerDnsProvider, pdns_resolver: DnsPythonResolver
) -> None:
    """Zones are created, records written, and dnspython reads back equal values."""
    fleet = make_fleet(
        2,
        relay={"spf_include": "_spf.relay.test", "return_path_host": "rp.relay.test"},
        suffix=_suffix(),
    )
    vault = InMemoryVault()
    report = apply_dns(fleet, TEMPLATE, vault, lambda _: pdns_provider)
    assert report.ok, report.as_dict()
    for domain in report.plan.domains:
        assert domain.desired is not None
        for record in domain.desired.records:
            answer = pdns_resolver.query(record.name, record.type)
            assert answer.status is AnswerStatus.OK, record.label()
            assert answer.values == record.values, record.label()


def test_second_apply_is_empty_and_long_dkim_survives(pdns_provider: PowerDnsProvider) -> None:
    """The 2048-bit key (over 255 bytes, split on the wire) reads back equal: no re-write."""
    fleet, vault = make_fleet(1, suffix=_suffix()), InMemoryVault()
    assert apply_dns(fleet, TEMPLATE, vault, lambda _: pdns_provider).ok
    again = plan_dns(fleet, TEMPLATE, vault, lambda _: pdns_provider)
    assert again.is_empty, again.as_dict()


def test_foreign_records_in_powerdns_are_kept(pdns_provider: PowerDnsProvider) -> None:
    """A verification TXT and an A record written by someone else stay after apply."""
    suffix = _suffix()
    fleet, vault = make_fleet(1, suffix=suffix), InMemoryVault()
    zone = fleet.domains[0].name
    pdns_provider.ensure_zone(zone)
    foreign = [
        Record.of(zone, RecordType.TXT, 60, ["verify=xyz"]),
        Record.of(f"www.{zone}", RecordType.A, 60, ["192.0.2.80"]),
    ]
    pdns_provider.apply(zone, [Change(ChangeKind.CREATE, None, r) for r in foreign])
    fast = replace(TEMPLATE, key_algorithm=KeyAlgorithm.ED25519)
    assert apply_dns(fleet, fast, vault, lambda _: pdns_provider).ok
    current = {r.key: r for r in pdns_provider.list_records(zone) or ()}
    assert "verify=xyz" in current[(zone, RecordType.TXT)].values
    assert current[(f"www.{zone}", RecordType.A)].values == ("192.0.2.80",)


def test_bad_api_key_is_a_rejection_naming_the_zone(pdns: PowerDnsServer) -> None:
    """A 401 becomes DnsRequestRejected with the provider and zone in its message."""
    provider = PowerDnsProvider("pdns", pdns.api_url, Secret("wrong"))
    with pytest.raises(DnsRequestRejected, match=r"pdns: x\.test"):
        provider.list_records("x.test")


def test_unreachable_api_is_retryable() -> None:
    """A closed port becomes DnsProviderUnavailable, marked retryable."""
    provider = PowerDnsProvider("pdns", "http://127.0.0.1:9", Secret("k"), timeout=1)
    with pytest.raises(DnsProviderUnavailable) as caught:
        provider.ensure_zone("x.test")
    assert caught.value.retryable


def test_a_rejected_zone_fails_alone_and_the_rest_apply(pdns_provider: PowerDnsProvider) -> None:
    """A zone PowerDNS refuses is reported with its error; the other domains are applied."""
    fleet, vault = make_fleet(2, suffix=_suffix()), InMemoryVault()
    fast = replace(TEMPLATE, key_algorithm=KeyAlgorithm.ED25519)
    bad_zone = fleet.domains[0].name
    pdns_provider.ensure_zone(bad_zone)
    # a CNAME at the DMARC name makes PowerDNS refuse our TXT there (RFC 1034: CNAME alone)
    cname = Record.of(f"_dmarc.{bad_zone}", RecordType.CNAME, 60, ["elsewhere.test"])
    pdns_provider.apply(bad_zone, [Change(ChangeKind.CREATE, None, cname)])
    report = apply_dns(fleet, fast, vault, lambda _: pdns_provider)
    results = {r.domain: r for r in report.results}
    assert results[bad_zone].outcome is ZoneOutcome.FAILED
    assert bad_zone in results[bad_zone].error
    assert results[fleet.domains[1].name].outcome is ZoneOutcome.APPLIED
