"""Verification over the in-memory world: checks pass after apply, and catch what is wrong."""

from __future__ import annotations

from dataclasses import replace

from dns_support.fleets import make_fleet
from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.dns.memory import (
    InMemoryDnsCheckStore,
    InMemoryDnsProvider,
    InMemoryResolver,
)
from mailfleet.adapters.dns.spf_oracle import PySpfOracle
from mailfleet.adapters.vault import InMemoryVault
from mailfleet.core.dns.dkim import KeyAlgorithm
from mailfleet.core.dns.records import Record, RecordType
from mailfleet.core.secrets import Secret
from mailfleet.policy.dns import load_dns_template
from mailfleet.services.dkim_keys import generate_private_pem
from mailfleet.services.dns import apply_dns
from mailfleet.services.dns_verify import dns_coverage, verify_dns

FAST = replace(load_dns_template(), key_algorithm=KeyAlgorithm.ED25519)


def _world(count: int = 2):  # type: ignore[no-untyped-def]
    provider = InMemoryDnsProvider("dns")
    # the relay's own SPF, so that include: resolves like it would in the world
    provider.put(
        Record.of("_spf.relay.test", RecordType.TXT, 300, ["v=spf1 ip4:198.51.100.0/24 -all"])
    )
    fleet, vault = make_fleet(count), InMemoryVault()
    assert apply_dns(fleet, FAST, vault, lambda _: provider).ok
    return fleet, vault, provider, InMemoryResolver(provider)


def _verify(fleet, vault, resolver, store):  # type: ignore[no-untyped-def]
    return verify_dns(fleet, FAST, vault, resolver, PySpfOracle, store, FakeClock())


def test_applied_fleet_verifies_at_full_coverage() -> None:
    """After apply every check passes, including pyspf pass/fail, and coverage is 100 %."""
    fleet, vault, _, resolver = _world()
    store = InMemoryDnsCheckStore()
    report = _verify(fleet, vault, resolver, store)
    failures = [c for d in report.domains for c in d.failures()]
    assert failures == []
    assert report.coverage == 100.0
    names = {c.name for c in report.domains[0].checks}
    assert {"spf:pass:192.0.2.1", "spf:pass:2001:db8::1", "spf:reject:203.0.113.254"} <= names
    assert {"dkim:mf1", "dkim:mf2", "dmarc:rfc9989", "spf:budget"} <= names
    assert dns_coverage(fleet, store) == 100.0


def test_drifted_spf_and_swapped_dkim_key_are_caught() -> None:
    """A hand-edited SPF and a vault key that no longer matches fail their checks."""
    fleet, vault, provider, resolver = _world()
    zone = provider.zones["d000.example"]
    zone[("d000.example", RecordType.TXT)] = Record.of(
        "d000.example", RecordType.TXT, 300, ["v=spf1 +all"]
    )
    vault.put("dkim/d001.example/mf1", Secret(generate_private_pem(KeyAlgorithm.ED25519)))
    report = _verify(fleet, vault, resolver, InMemoryDnsCheckStore())
    by_domain = {d.domain: {c.name for c in d.failures()} for d in report.domains}
    assert "record:d000.example TXT" in by_domain["d000.example"]
    assert "spf:reject:203.0.113.254" in by_domain["d000.example"]
    # the desired record follows the vault, so the published one no longer matches either
    assert by_domain["d001.example"] == {"dkim:mf1", "record:mf1._domainkey.d001.example TXT"}
    assert report.coverage == 0.0


def test_missing_records_fail_and_verify_makes_no_keys() -> None:
    """An unapplied domain fails verification without new keys appearing in the vault."""
    fleet, vault = make_fleet(1), InMemoryVault()
    report = _verify(fleet, vault, InMemoryResolver(InMemoryDnsProvider()), InMemoryDnsCheckStore())
    assert not report.domains[0].ok
    assert list(vault.names("dkim/")) == []


def test_outsider_is_picked_outside_the_relays_ranges() -> None:
    """When the relay authorises 203.0.113.0/24, the reject check uses another outsider."""
    provider = InMemoryDnsProvider("dns")
    provider.put(
        Record.of("_spf.relay.test", RecordType.TXT, 300, ["v=spf1 ip4:203.0.113.0/24 -all"])
    )
    fleet, vault = make_fleet(1), InMemoryVault()
    assert apply_dns(fleet, FAST, vault, lambda _: provider).ok
    report = _verify(fleet, vault, InMemoryResolver(provider), InMemoryDnsCheckStore())
    rejects = [c for c in report.domains[0].checks if c.name.startswith("spf:reject:")]
    assert [c.name for c in rejects] == ["spf:reject:198.51.100.254"]
    assert report.domains[0].ok
