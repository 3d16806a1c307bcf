"""Route 53 through boto3, against moto's implementation of the Route 53 API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import boto3
import pytest
from moto import mock_aws

from dns_support.fleets import make_fleet
from mailfleet.adapters.dns.route53 import Route53Provider
from mailfleet.adapters.vault import InMemoryVault
from mailfleet.core.dns.dkim import KeyAlgorithm
from mailfleet.core.dns.errors import DnsRequestRejected
from mailfleet.core.dns.plan import Change, ChangeKind
from mailfleet.core.dns.records import Record, RecordType
from mailfleet.policy.dns import load_dns_template
from mailfleet.services.dns import ZoneOutcome, apply_dns, plan_dns

TEMPLATE = load_dns_template()
FAST = replace(TEMPLATE, key_algorithm=KeyAlgorithm.ED25519)


@pytest.fixture
def route53(monkeypatch: pytest.MonkeyPatch) -> Iterator[Route53Provider]:
    """A Route53Provider over moto's in-process AWS, with dummy credentials."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield Route53Provider("r53", boto3.client("route53", region_name="us-east-1"))


def test_apply_creates_zones_and_records_then_nothing(route53: Route53Provider) -> None:
    """Hosted zones are created, every record lands (long DKIM split), and a replan is empty."""
    fleet, vault = make_fleet(2), InMemoryVault()
    report = apply_dns(fleet, TEMPLATE, vault, lambda _: route53)
    assert report.ok, report.as_dict()
    assert {r.outcome for r in report.results} == {ZoneOutcome.APPLIED}
    current = {r.key: r for r in route53.list_records("d000.example") or ()}
    desired = report.plan.domains[0].desired
    assert desired is not None
    for record in desired.records:
        assert current[record.key].values == record.values
    assert plan_dns(fleet, TEMPLATE, vault, lambda _: route53).is_empty


def test_delete_sends_the_current_rrset_and_foreign_records_stay(route53: Route53Provider) -> None:
    """Managed DKIM turns TXT selectors into CNAMEs; the foreign apex TXT value stays."""
    vault = InMemoryVault()
    route53.ensure_zone("d000.example")
    foreign = Record.of("d000.example", RecordType.TXT, 300, ["verify=abc"])
    route53.apply("d000.example", [Change(ChangeKind.CREATE, None, foreign)])
    apply_dns(make_fleet(1), FAST, vault, lambda _: route53)
    managed = make_fleet(
        1, relay={"spf_include": "_spf.relay.test", "dkim_cname": "{selector}.dkim.relay.test"}
    )
    assert apply_dns(managed, FAST, vault, lambda _: route53).ok
    current = {r.key: r for r in route53.list_records("d000.example") or ()}
    assert ("mf1._domainkey.d000.example", RecordType.TXT) not in current
    assert current[("mf1._domainkey.d000.example", RecordType.CNAME)].values == (
        "mf1.dkim.relay.test.",
    )
    assert "verify=abc" in current[("d000.example", RecordType.TXT)].values


def test_rejected_change_names_zone_and_record(route53: Route53Provider) -> None:
    """Deleting an RRset that is not there is Route 53's InvalidChangeBatch: a rejection."""
    route53.ensure_zone("d000.example")
    ghost = Record.of("ghost.d000.example", RecordType.TXT, 300, ["nothing"])
    with pytest.raises(DnsRequestRejected, match=r"d000\.example: ghost\.d000\.example TXT"):
        route53.apply("d000.example", [Change(ChangeKind.DELETE, ghost, None)])
