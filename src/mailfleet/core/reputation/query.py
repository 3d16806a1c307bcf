"""RFC 5782 query names: how an IP address or a domain is asked about in a DNSBL zone."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address

from mailfleet.core.reputation.zones import TargetKind


def target_kind(target: str) -> TargetKind:
    """Whether ``target`` is an IPv4 address, an IPv6 address or a domain name."""
    try:
        address = ip_address(target)
    except ValueError:
        return TargetKind.DOMAIN
    return TargetKind.IP4 if isinstance(address, IPv4Address) else TargetKind.IP6


def reversed_name(target: str) -> str:
    """The part of the query name before the zone (RFC 5782 sections 2.1, 2.4 and 3.1).

    IPv4: the four octets in reverse order (192.0.2.99 -> 99.2.0.192). IPv6: the 32 nibbles
    of the full address, least significant first, dot-separated. A domain is used as it is,
    lower-cased and without a trailing dot.
    """
    kind = target_kind(target)
    if kind == TargetKind.IP4:
        return ".".join(reversed(target.split(".")))  # target_kind checked it is an address
    if kind == TargetKind.IP6:
        nibbles = IPv6Address(target).exploded.replace(":", "")
        return ".".join(reversed(nibbles))
    return target.strip().rstrip(".").lower()


def query_name(target: str, zone: str) -> str:
    """The full DNS name to look up in ``zone`` for ``target`` (RFC 5782)."""
    return f"{reversed_name(target)}.{zone.rstrip('.').lower()}"
