"""Verify against the real PowerDNS: full coverage, and mail signed with the stored key
verifies with dkimpy against the published record."""

from __future__ import annotations

import uuid

import dkim

from dns_support.fleets import make_fleet
from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.dns.memory import InMemoryDnsCheckStore
from mailfleet.adapters.dns.powerdns import PowerDnsProvider
from mailfleet.adapters.dns.resolver import DnsPythonResolver
from mailfleet.adapters.dns.spf_oracle import PySpfOracle
from mailfleet.adapters.vault import InMemoryVault
from mailfleet.core.dns.plan import Change, ChangeKind
from mailfleet.core.dns.records import Record, RecordType
from mailfleet.policy.dns import load_dns_template
from mailfleet.services.dns import apply_dns
from mailfleet.services.dns_verify import verify_dns

TEMPLATE = load_dns_template()


def test_applied_domains_verify_and_dkimpy_accepts_signed_mail(
    pdns_provider: PowerDnsProvider, pdns_resolver: DnsPythonResolver
) -> None:
    """Coverage is 100 %; a message signed with the vault's mf1 key verifies through DNS."""
    suffix = f"v{uuid.uuid4().hex[:8]}.test"
    relay = {"spf_include": f"_spf.relay.{suffix}", "return_path_host": "rp.relay.test"}
    fleet, vault = make_fleet(2, relay=relay, suffix=suffix), InMemoryVault()
    relay_spf = Record.of(
        f"_spf.relay.{suffix}", RecordType.TXT, 60, ["v=spf1 ip4:198.51.100.0/24 -all"]
    )
    pdns_provider.ensure_zone(f"relay.{suffix}")
    pdns_provider.apply(f"relay.{suffix}", [Change(ChangeKind.CREATE, None, relay_spf)])
    assert apply_dns(fleet, TEMPLATE, vault, lambda _: pdns_provider).ok
    report = verify_dns(
        fleet, TEMPLATE, vault, pdns_resolver, PySpfOracle, InMemoryDnsCheckStore(), FakeClock()
    )
    failures = [(d.domain, c) for d in report.domains for c in d.failures()]
    assert failures == [], failures
    assert report.coverage == 100.0

    domain = fleet.domains[0].name
    message = (
        f"From: hello@{domain}\r\nTo: someone@example.org\r\nSubject: hi\r\n\r\nHello.\r\n"
    ).encode()
    private = vault.get(f"dkim/{domain}/mf1").reveal().encode()
    signature = dkim.sign(
        message, b"mf1", domain.encode(), private, include_headers=[b"from", b"to", b"subject"]
    )

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes:
        answer = pdns_resolver.query(name.decode().rstrip("."), RecordType.TXT)
        return answer.values[0].encode() if answer.values else b""

    assert dkim.verify(signature + message, dnsfunc=dnsfunc)


def test_managed_dkim_cnames_are_followed_to_the_relays_key(
    pdns_provider: PowerDnsProvider, pdns_resolver: DnsPythonResolver
) -> None:
    """Selector CNAMEs verify when they lead to a key record, and fail while they dangle."""
    suffix = f"m{uuid.uuid4().hex[:8]}.test"
    relay = {"dkim_cname": f"{{selector}}.dkim.relay.{suffix}"}
    fleet, vault = make_fleet(1, relay=relay, suffix=suffix), InMemoryVault()
    assert apply_dns(fleet, TEMPLATE, vault, lambda _: pdns_provider).ok

    def run() -> set[str]:
        report = verify_dns(
            fleet, TEMPLATE, vault, pdns_resolver, PySpfOracle, InMemoryDnsCheckStore(), FakeClock()
        )
        return {c.name for c in report.domains[0].failures()}

    assert run() == {"dkim:mf1", "dkim:mf2"}  # the relay has not published its keys yet
    zone = f"dkim.relay.{suffix}"
    pdns_provider.ensure_zone(zone)
    keys = [
        Record.of(f"{s}.{zone}", RecordType.TXT, 60, ["v=DKIM1; k=ed25519; p=" + "A" * 43 + "="])
        for s in ("mf1", "mf2")
    ]
    pdns_provider.apply(zone, [Change(ChangeKind.CREATE, None, k) for k in keys])
    assert run() == set()
    assert list(vault.names("dkim/")) == []  # no keys of our own for a managed domain
