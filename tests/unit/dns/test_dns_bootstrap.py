"""The composition root builds each DNS provider kind from spec settings and references."""

from __future__ import annotations

import pytest

from mailfleet.adapters.dns.cloudflare import CloudflareProvider
from mailfleet.adapters.dns.factory import build_dns_provider
from mailfleet.adapters.dns.powerdns import PowerDnsProvider
from mailfleet.adapters.dns.rfc2136 import Rfc2136Provider
from mailfleet.adapters.dns.route53 import Route53Provider
from mailfleet.core.errors import ConfigError
from mailfleet.core.fleet import Provider, ProviderRole

ENV = {"PDNS_KEY": "k", "TSIG": "c2VjcmV0", "CF": "t", "AWS_SECRET": "s"}


@pytest.mark.parametrize(
    ("kind", "settings", "expected"),
    [
        (
            "powerdns",
            {"api_url": "http://127.0.0.1:1", "api_key": "env:PDNS_KEY"},
            PowerDnsProvider,
        ),
        (
            "rfc2136",
            {"server": "127.0.0.1", "tsig_key_name": "k", "tsig_secret": "env:TSIG"},
            Rfc2136Provider,
        ),
        (
            "route53",
            {"access_key_id": "AKIA", "secret_access_key": "env:AWS_SECRET"},
            Route53Provider,
        ),
        ("cloudflare", {"api_token": "env:CF"}, CloudflareProvider),
    ],
)
def test_each_kind_is_built(kind: str, settings: dict[str, object], expected: type) -> None:
    """Settings with secret references become the matching adapter."""
    provider = build_dns_provider(Provider(ProviderRole.DNS, "p", kind, settings), ENV)
    assert isinstance(provider, expected)


def test_missing_setting_names_provider_and_key() -> None:
    """A PowerDNS provider without api_url is a ConfigError naming both."""
    with pytest.raises(ConfigError, match=r"p \(powerdns\): set api_url"):
        build_dns_provider(Provider(ProviderRole.DNS, "p", "powerdns", {}), ENV)
