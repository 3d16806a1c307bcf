"""What to check: every sending IP and domain of the fleet, in every zone that covers it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from mailfleet.core.fleet import Fleet
from mailfleet.core.reputation.query import query_name, target_kind
from mailfleet.core.reputation.verdict import CheckResult, Verdict
from mailfleet.core.reputation.zones import DnsblZone, TargetKind


@dataclass(frozen=True, slots=True)
class Target:
    """An IP address or domain to check, with the fleet domains it stands for."""

    value: str
    kind: TargetKind
    domains: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DnsblQuery:
    """One lookup to make: a target in a zone, and the RFC 5782 name to ask."""

    target: Target
    zone: DnsblZone
    name: str


def fleet_targets(fleet: Fleet) -> tuple[Target, ...]:
    """Every domain of the fleet, then every distinct sending IP with the domains that use it."""
    by_ip: dict[str, list[str]] = {}
    for domain in fleet.domains:
        for ip in domain.sending_ips:
            by_ip.setdefault(str(ip), []).append(domain.name)
    domains = tuple(Target(d.name, TargetKind.DOMAIN, (d.name,)) for d in fleet.domains)
    ips = tuple(Target(ip, target_kind(ip), tuple(names)) for ip, names in by_ip.items())
    return domains + ips


def plan_queries(targets: Iterable[Target], zones: Iterable[DnsblZone]) -> tuple[DnsblQuery, ...]:
    """Each target in each zone that lists its kind (IPv4, IPv6 or domain)."""
    zone_list = tuple(zones)
    return tuple(
        DnsblQuery(target, zone, query_name(target.value, zone.zone))
        for target in targets
        for zone in zone_list
        if zone.covers(target.kind)
    )


@dataclass(frozen=True, slots=True)
class BlocklistReport:
    """One check run: when, and every (target, zone) result."""

    checked_at: datetime
    results: tuple[CheckResult, ...]
    targets: tuple[Target, ...]

    def with_verdict(self, verdict: Verdict) -> tuple[CheckResult, ...]:
        """The results with ``verdict``."""
        return tuple(r for r in self.results if r.verdict == verdict)

    def listings_by_domain(self) -> Mapping[str, tuple[CheckResult, ...]]:
        """For each fleet domain, the listings of itself or of one of its sending IPs."""
        owners = {t.value: t.domains for t in self.targets}
        found: dict[str, list[CheckResult]] = {}
        for result in self.with_verdict(Verdict.LISTED):
            for domain in owners.get(result.target, ()):
                found.setdefault(domain, []).append(result)
        return {domain: tuple(results) for domain, results in found.items()}

    def counts(self) -> dict[str, int]:
        """How many results of each verdict."""
        return {v.value: len(self.with_verdict(v)) for v in Verdict}

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "checked_at": self.checked_at.isoformat(),
            "counts": self.counts(),
            "targets": len(self.targets),
            "results": [r.as_dict() for r in self.results],
        }
