"""IP pools: a weighted choice among relays (or source IPs), per segment.

A pool is a list of (name, weight). The choice is proportional to weight among the members
that are available (their circuit breaker lets traffic through), so a relay that goes down
sheds its share onto the others until it recovers. ``segment_pools`` derives each segment's
pool from the fleet spec: the relay providers and sending IPs its domains declare.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mailfleet.core.fleet import Fleet


def weighted_choice(
    members: Sequence[tuple[str, int]], unit_random: float, available: Sequence[str] | None = None
) -> str | None:
    """The member that ``unit_random`` (in [0, 1)) lands on, or ``None`` when none is usable."""
    usable = [
        (name, weight)
        for name, weight in members
        if weight > 0 and (available is None or name in available)
    ]
    total = sum(weight for _, weight in usable)
    if total == 0:
        return None
    point = unit_random * total
    for name, weight in usable:
        if point < weight:
            return name
        point -= weight
    return usable[-1][0]


@dataclass(frozen=True, slots=True)
class PoolMember:
    """One way out: a relay provider of the spec, bound to one of the fleet's sending IPs."""

    name: str
    relay: str
    source_ip: str = ""  # "" when the domain lists no sending IP: the relay's own address


@dataclass(frozen=True)
class SegmentPools:
    """Each segment's weighted pool of members, built from the fleet spec.

    A message may only leave through a member whose IP its own domain lists (``domains``):
    the domain's SPF record authorises exactly those IPs. Within that, members are chosen in
    proportion to their weight in the segment's pool.
    """

    members: Mapping[str, PoolMember]
    segments: Mapping[str, tuple[tuple[str, int], ...]]
    domains: Mapping[str, frozenset[str]]
    domain_segments: Mapping[str, str]


def member_name(relay: str, ip: str) -> str:
    """``relay@ip`` (or just ``relay`` without an IP)."""
    return f"{relay}@{ip}" if ip else relay


def segment_pools(fleet: Fleet) -> SegmentPools:
    """The pools the spec implies: every (relay, sending IP) of a segment's domains is a member,
    weighted by how many of the segment's domains send through it."""
    members: dict[str, PoolMember] = {}
    weights: dict[str, dict[str, int]] = {}
    domains: dict[str, frozenset[str]] = {}
    for domain in fleet.domains:
        ips = [str(ip) for ip in domain.sending_ips] or [""]
        names = []
        for ip in ips:
            name = member_name(domain.relay, ip)
            members.setdefault(name, PoolMember(name, domain.relay, ip))
            pool = weights.setdefault(domain.segment, {})
            pool[name] = pool.get(name, 0) + 1
            names.append(name)
        domains[domain.name] = frozenset(names)
    return SegmentPools(
        members=members,
        segments={s: tuple(sorted(p.items())) for s, p in weights.items()},
        domains=domains,
        domain_segments={d.name: d.segment for d in fleet.domains},
    )
