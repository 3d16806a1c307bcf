"""Templates and plans: desired records per domain, ownership, idempotence, safety, resume."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dns_support.fleets import make_fleet
from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.dns.memory import InMemoryDnsJournal, InMemoryDnsProvider, InMemoryResolver
from mailfleet.adapters.vault import InMemoryVault
from mailfleet.core.dns.dkim import KeyAlgorithm
from mailfleet.core.dns.plan import ChangeKind
from mailfleet.core.dns.records import Record, RecordType
from mailfleet.core.dns.templates import DnsTemplate, SafetyLimits
from mailfleet.policy.dns import load_dns_template
from mailfleet.services.dns import ZoneOutcome, apply_dns, plan_dns

FAST = replace(load_dns_template(), key_algorithm=KeyAlgorithm.ED25519)


@pytest.fixture
def provider() -> InMemoryDnsProvider:
    """An empty in-memory DNS provider."""
    return InMemoryDnsProvider("dns")


def _records(provider: InMemoryDnsProvider, zone: str) -> dict[tuple[str, RecordType], Record]:
    return provider.zones[zone]


def test_first_plan_creates_the_full_stack(provider: InMemoryDnsProvider) -> None:
    """MX, SPF, two DKIM selectors, DMARC and the return path are planned for a new domain."""
    fleet = make_fleet(
        1, relay={"spf_include": "_spf.relay.test", "return_path_host": "rp.relay.test"}
    )
    plan = plan_dns(fleet, FAST, InMemoryVault(), lambda _: provider)
    changes = plan.domains[0].plan.changes  # type: ignore[union-attr]
    assert {(c.record.name, c.record.type) for c in changes} == {
        ("d000.example", RecordType.MX),
        ("d000.example", RecordType.TXT),
        ("mf1._domainkey.d000.example", RecordType.TXT),
        ("mf2._domainkey.d000.example", RecordType.TXT),
        ("_dmarc.d000.example", RecordType.TXT),
        ("bounce.d000.example", RecordType.CNAME),
    }
    assert all(c.kind is ChangeKind.CREATE for c in changes)
    spf = next(c.record for c in changes if c.record.key == ("d000.example", RecordType.TXT))
    assert spf.values == ("v=spf1 ip4:192.0.2.1 ip6:2001:db8::1 include:_spf.relay.test -all",)
    mx = next(c.record for c in changes if c.record.type is RecordType.MX)
    assert mx.values == ("1 smtp.google.com.",)


def test_apply_then_apply_again_is_empty(provider: InMemoryDnsProvider) -> None:
    """A second apply finds nothing to change and writes nothing."""
    fleet, vault = make_fleet(3), InMemoryVault()
    first = apply_dns(fleet, FAST, vault, lambda _: provider)
    assert first.ok
    assert {r.outcome for r in first.results} == {ZoneOutcome.APPLIED}
    calls = provider.calls
    second = apply_dns(fleet, FAST, vault, lambda _: provider)
    assert {r.outcome for r in second.results} == {ZoneOutcome.UNCHANGED}
    assert second.plan.is_empty
    assert provider.calls == calls


def test_dkim_private_keys_live_only_in_the_vault(provider: InMemoryDnsProvider) -> None:
    """Planning stores one key per selector in the vault and reuses it on the next plan."""
    fleet, vault = make_fleet(1), InMemoryVault()
    template = replace(FAST, key_algorithm=KeyAlgorithm.RSA)
    plan_dns(fleet, template, vault, lambda _: provider)
    assert list(vault.names("dkim/")) == ["dkim/d000.example/mf1", "dkim/d000.example/mf2"]
    stored = vault.get("dkim/d000.example/mf1")
    plan_dns(fleet, template, vault, lambda _: provider)
    assert vault.get("dkim/d000.example/mf1") == stored


def test_foreign_records_are_never_touched(provider: InMemoryDnsProvider) -> None:
    """A site-verification TXT at the apex and an unrelated A record survive apply."""
    fleet, vault = make_fleet(1), InMemoryVault()
    provider.ensure_zone("d000.example")
    provider.put(Record.of("d000.example", RecordType.TXT, 300, ["google-site-verification=abc"]))
    provider.put(Record.of("www.d000.example", RecordType.A, 300, ["192.0.2.99"]))
    provider.put(Record.of("old._domainkey.d000.example", RecordType.TXT, 300, ["v=DKIM1; p="]))
    assert apply_dns(fleet, FAST, vault, lambda _: provider).ok
    zone = _records(provider, "d000.example")
    apex = zone[("d000.example", RecordType.TXT)]
    assert "google-site-verification=abc" in apex.values
    assert any(v.startswith("v=spf1") for v in apex.values)
    assert zone[("www.d000.example", RecordType.A)].values == ("192.0.2.99",)
    assert ("old._domainkey.d000.example", RecordType.TXT) in zone
    assert plan_dns(fleet, FAST, vault, lambda _: provider).is_empty


def test_changed_relay_updates_only_the_spf_value(provider: InMemoryDnsProvider) -> None:
    """A new relay include becomes one update of the apex TXT, foreign values kept."""
    vault = InMemoryVault()
    provider.ensure_zone("d000.example")
    provider.put(Record.of("d000.example", RecordType.TXT, 300, ["verify=1"]))
    apply_dns(make_fleet(1), FAST, vault, lambda _: provider)
    moved = make_fleet(1, relay={"spf_include": "spf.other.test"})
    plan = plan_dns(moved, FAST, vault, lambda _: provider)
    changes = plan.domains[0].plan.changes  # type: ignore[union-attr]
    assert [c.kind for c in changes] == [ChangeKind.UPDATE]
    assert changes[0].after is not None
    assert "verify=1" in changes[0].after.values
    assert any("include:spf.other.test" in v for v in changes[0].after.values)


def test_managed_dkim_becomes_cnames_and_the_old_txt_is_deleted(
    provider: InMemoryDnsProvider,
) -> None:
    """Switching to relay-managed keys deletes the selector TXTs and creates CNAMEs."""
    vault = InMemoryVault()
    apply_dns(make_fleet(1), FAST, vault, lambda _: provider)
    managed = make_fleet(
        1,
        relay={
            "spf_include": "_spf.relay.test",
            "dkim_cname": "{selector}.{domain}.dkim.relay.test",
        },
    )
    plan = plan_dns(managed, FAST, vault, lambda _: provider)
    kinds = [(c.kind, c.record.type) for c in plan.domains[0].plan.changes]  # type: ignore[union-attr]
    assert kinds.count((ChangeKind.DELETE, RecordType.TXT)) == 2
    assert kinds.count((ChangeKind.CREATE, RecordType.CNAME)) == 2
    assert kinds.index((ChangeKind.DELETE, RecordType.TXT)) < kinds.index(
        (ChangeKind.CREATE, RecordType.CNAME)
    )


def test_large_rewrite_refuses_without_force(provider: InMemoryDnsProvider) -> None:
    """Changing every domain's SPF (over 30 % of owned records) is refused unless forced."""
    vault = InMemoryVault()
    apply_dns(make_fleet(5), FAST, vault, lambda _: provider)
    template = replace(FAST, safety=SafetyLimits(max_change_fraction=0.1, min_existing=10))
    moved = make_fleet(5, relay={"spf_include": "spf.other.test"})
    refused = apply_dns(moved, template, vault, lambda _: provider)
    assert refused.refused
    assert not refused.results
    assert "existing records" in refused.plan.safety.reasons[0]
    forced = apply_dns(moved, template, vault, lambda _: provider, force=True)
    assert forced.ok


def test_provider_failure_is_reported_and_next_apply_resumes(
    provider: InMemoryDnsProvider,
) -> None:
    """A failing zone names the record; the other zones apply; the next apply finishes it."""
    fleet, vault, journal = make_fleet(3), InMemoryVault(), InMemoryDnsJournal()
    provider.fail_on.add("_dmarc.d001.example")
    report = apply_dns(fleet, FAST, vault, lambda _: provider, journal=journal, clock=FakeClock())
    outcomes = {r.domain: r for r in report.results}
    assert not report.ok
    assert outcomes["d001.example"].outcome is ZoneOutcome.FAILED
    assert "_dmarc.d001.example TXT" in outcomes["d001.example"].error
    assert outcomes["d002.example"].outcome is ZoneOutcome.APPLIED
    recorded = {e.domain: e for e in journal.entries()}
    assert recorded["d001.example"].outcome == "failed"
    assert "_dmarc.d001.example TXT" in recorded["d001.example"].error
    assert len(recorded["d002.example"].changes) == 5  # MX, SPF, DMARC, two DKIM
    provider.fail_on.clear()
    resumed = apply_dns(fleet, FAST, vault, lambda _: provider)
    assert resumed.ok
    assert {r.domain for r in resumed.results if r.outcome is ZoneOutcome.APPLIED} == {
        "d001.example"
    }


def test_spf_over_budget_offers_flattening(provider: InMemoryDnsProvider) -> None:
    """A relay chain of eleven includes is flagged, and --flatten publishes the networks."""
    chain = InMemoryDnsProvider("world")
    includes = [f"i{n}.relay.test" for n in range(11)]
    chain.put(
        Record.of(
            "relay.test",
            RecordType.TXT,
            300,
            ["v=spf1 " + " ".join(f"include:{i}" for i in includes) + " -all"],
        )
    )
    for n, name in enumerate(includes):
        chain.put(Record.of(name, RecordType.TXT, 300, [f"v=spf1 ip4:10.{n}.0.0/16 -all"]))
    fleet = make_fleet(1, relay={"spf_include": "relay.test"})
    resolver = InMemoryResolver(chain)
    plan = plan_dns(fleet, FAST, InMemoryVault(), lambda _: provider, resolver=resolver)
    domain = plan.domains[0]
    assert domain.spf_budget is not None
    assert domain.spf_budget.dns_terms == 12
    assert domain.flattened_spf is not None
    assert "ip4:10.10.0.0/16" in domain.flattened_spf
    flat = plan_dns(
        fleet, FAST, InMemoryVault(), lambda _: provider, resolver=resolver, flatten=True
    )
    assert flat.domains[0].desired is not None
    assert flat.domains[0].desired.spf == domain.flattened_spf


def test_optional_mta_sts_and_tls_rpt_and_intake_return_path(
    provider: InMemoryDnsProvider,
) -> None:
    """With MTA-STS, TLS-RPT and an intake MX on, those records join the plan."""
    template: DnsTemplate = replace(
        FAST,
        mta_sts=True,
        tls_rpt_rua=("mailto:tls@{domain}",),
        intake_mx="intake.mailfleet.test",
    )
    fleet = make_fleet(1, relay={"spf_include": "_spf.relay.test"})
    plan = plan_dns(fleet, template, InMemoryVault(), lambda _: provider)
    desired = plan.domains[0].desired
    assert desired is not None
    assert desired.mta_sts_policy is not None
    keys = {r.key: r for r in desired.records}
    assert keys[("_mta-sts.d000.example", RecordType.TXT)].values[0].startswith("v=STSv1; id=")
    assert keys[("_smtp._tls.d000.example", RecordType.TXT)].values == (
        "v=TLSRPTv1; rua=mailto:tls@d000.example",
    )
    assert keys[("bounce.d000.example", RecordType.MX)].values == ("10 intake.mailfleet.test.",)
    assert keys[("bounce.d000.example", RecordType.TXT)].values[0].endswith("-all")


def test_invalid_template_input_is_a_problem_for_that_domain_only(
    provider: InMemoryDnsProvider,
) -> None:
    """A mailbox MX with a space in the host is reported for its domain; nothing crashes."""
    fleet = make_fleet(2, mailbox_kind="mailcow", mailbox={"mx": ["10 mail host.example"]})
    plan = plan_dns(fleet, FAST, InMemoryVault(), lambda _: provider)
    assert all(d.plan is None for d in plan.domains)
    assert "d000.example MX" in plan.domains[0].problems[0]
    assert "not letters, digits and hyphens" in plan.domains[0].problems[0]
    report = apply_dns(fleet, FAST, InMemoryVault(), lambda _: provider)
    assert {r.outcome for r in report.results} == {ZoneOutcome.SKIPPED}
    assert not report.ok
    assert provider.zones == {}
