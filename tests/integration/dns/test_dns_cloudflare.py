"""Cloudflare v4 API adapter, against a local fake that follows the documented shapes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from dns_support.cloudflare_fake import CloudflareState, running_cloudflare_fake
from dns_support.fleets import make_fleet
from mailfleet.adapters.dns.cloudflare import CloudflareProvider
from mailfleet.adapters.vault import InMemoryVault
from mailfleet.core.dns.dkim import KeyAlgorithm
from mailfleet.core.dns.errors import DnsRequestRejected
from mailfleet.core.dns.records import RecordType
from mailfleet.core.secrets import Secret
from mailfleet.policy.dns import load_dns_template
from mailfleet.services.dns import ZoneOutcome, apply_dns, plan_dns

TEMPLATE = load_dns_template()
FAST = replace(TEMPLATE, key_algorithm=KeyAlgorithm.ED25519)


@pytest.fixture
def cloudflare() -> Iterator[tuple[CloudflareProvider, CloudflareState]]:
    """The adapter pointed at a fresh fake, and the fake's state."""
    with running_cloudflare_fake() as (url, state):
        provider = CloudflareProvider("cf", Secret(state.token), account_id="acc", api_url=url)
        yield provider, state
        provider.close()


def test_apply_is_idempotent_and_records_read_back(
    cloudflare: tuple[CloudflareProvider, CloudflareState],
) -> None:
    """Zones and per-value records are created; a replan finds the RRsets equal."""
    provider, _ = cloudflare
    fleet, vault = make_fleet(2, mailbox_kind="microsoft365"), InMemoryVault()
    report = apply_dns(fleet, TEMPLATE, vault, lambda _: provider)
    assert report.ok, report.as_dict()
    current = {r.key: r for r in provider.list_records("d000.example") or ()}
    assert current[("d000.example", RecordType.MX)].values == (
        "0 d000-example.mail.protection.outlook.com.",
    )
    assert plan_dns(fleet, TEMPLATE, vault, lambda _: provider).is_empty


def test_relay_change_replaces_only_the_spf_value(
    cloudflare: tuple[CloudflareProvider, CloudflareState],
) -> None:
    """An SPF change deletes the old value's record and creates the new one, nothing else."""
    provider, state = cloudflare
    vault = InMemoryVault()
    apply_dns(make_fleet(1), FAST, vault, lambda _: provider)
    before = state.calls
    moved = make_fleet(1, relay={"spf_include": "spf.other.test"})
    assert apply_dns(moved, FAST, vault, lambda _: provider).ok
    zone_id = next(iter(state.zones))
    spf = [
        r["content"] for r in state.records[zone_id].values() if r["content"].startswith("v=spf1")
    ]
    assert spf == ["v=spf1 ip4:192.0.2.1 ip6:2001:db8::1 include:spf.other.test -all"]
    assert state.calls - before < 10  # a handful of calls, not a rewrite of the zone


def test_server_error_mid_apply_is_reported_and_resumed(
    cloudflare: tuple[CloudflareProvider, CloudflareState],
) -> None:
    """A 500 on one record fails that zone naming it; the next apply completes the zone."""
    provider, state = cloudflare
    fleet, vault = make_fleet(1), InMemoryVault()
    state.fail_names.add("_dmarc.d000.example")
    first = apply_dns(fleet, FAST, vault, lambda _: provider)
    assert first.results[0].outcome is ZoneOutcome.FAILED
    assert "_dmarc.d000.example TXT" in first.results[0].error
    state.fail_names.clear()
    second = apply_dns(fleet, FAST, vault, lambda _: provider)
    assert second.ok
    assert plan_dns(fleet, FAST, vault, lambda _: provider).is_empty


def test_bad_token_is_a_rejection() -> None:
    """Cloudflare's 403 for an invalid token becomes DnsRequestRejected with its message."""
    with running_cloudflare_fake() as (url, _):
        provider = CloudflareProvider("cf", Secret("wrong"), api_url=url)
        with pytest.raises(DnsRequestRejected, match="Invalid access token"):
            provider.list_records("d000.example")
