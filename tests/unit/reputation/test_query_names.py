"""RFC 5782 query names."""

from __future__ import annotations

import pytest

from mailfleet.core.reputation.query import query_name, target_kind
from mailfleet.core.reputation.zones import TargetKind


def test_ipv4_octets_are_reversed() -> None:
    """RFC 5782 s. 2.1: 192.0.2.99 is asked as 99.2.0.192.<zone>."""
    assert query_name("192.0.2.99", "bl.example.org") == "99.2.0.192.bl.example.org"


def test_ipv6_is_32_reversed_nibbles() -> None:
    """RFC 5782 s. 2.4: an IPv6 address is 32 nibbles, least significant first."""
    name = query_name("2001:db8:1:2:3:4:567:89ab", "bl.example.org")
    assert name == (
        "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bl.example.org"
    )
    assert len(name.removesuffix(".bl.example.org").split(".")) == 32


def test_compressed_ipv6_is_expanded() -> None:
    """A compressed IPv6 address (::) is expanded to its full 32 nibbles first."""
    name = query_name("2001:db8::1", "zen.example")
    assert name.startswith("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0")


def test_domain_is_asked_as_is() -> None:
    """RFC 5782 s. 3.1: a domain is prepended to the zone unchanged (lower-cased)."""
    assert query_name("Pool-A.Example.", "dbl.example.org.") == "pool-a.example.dbl.example.org"


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("192.0.2.1", TargetKind.IP4),
        ("2001:db8::1", TargetKind.IP6),
        ("a.example", TargetKind.DOMAIN),
    ],
)
def test_target_kind(target: str, kind: TargetKind) -> None:
    """Targets are classified as IPv4, IPv6 or domain."""
    assert target_kind(target) == kind
