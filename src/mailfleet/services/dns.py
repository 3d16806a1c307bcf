"""DNS use cases: plan the fleet's records against the providers, and apply the plan.

``plan_dns`` reads every domain's zone from its provider, builds the desired records from the
templates (generating missing DKIM keys into the vault first) and diffs them. ``apply_dns``
re-plans against the providers' live state and writes zone by zone, so an apply interrupted by
a provider error is resumed by simply running it again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from mailfleet.core.dns.checks import JournalEntry
from mailfleet.core.dns.errors import DnsProviderError
from mailfleet.core.dns.plan import (
    ChangeKind,
    SafetyVerdict,
    ZonePlan,
    check_safety,
    plan_zone,
)
from mailfleet.core.dns.ports import AnswerStatus, DnsJournal, DnsProvider, DnsResolver
from mailfleet.core.dns.records import InvalidRecord, RecordType
from mailfleet.core.dns.spf import SpfBudget, TxtLookup, check_budget, flatten_spf
from mailfleet.core.dns.templates import (
    DesiredZone,
    DkimPublicKey,
    DnsTemplate,
    desired_zone,
    uses_managed_dkim,
)
from mailfleet.core.fleet import Domain, Fleet
from mailfleet.core.ports import Clock, SecretVault
from mailfleet.services.dkim_keys import ensure_keys

ProviderFactory = Callable[[str], DnsProvider]


@dataclass(frozen=True, slots=True)
class DomainPlan:
    """One domain: its desired zone, the plan against its provider, SPF budget, problems."""

    domain: str
    provider: str
    desired: DesiredZone | None
    plan: ZonePlan | None
    spf_budget: SpfBudget | None = None
    flattened_spf: str | None = None
    problems: tuple[str, ...] = ()
    unsupported: frozenset[RecordType] = frozenset()
    read_failed: bool = False  # the provider could not list the zone

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "domain": self.domain,
            "provider": self.provider,
            "changes": [c.as_dict() for c in self.plan.changes] if self.plan else [],
            "zone_exists": self.plan.zone_exists if self.plan else None,
            "spf": self.desired.spf if self.desired else None,
            "spf_lookups": self.spf_budget.dns_terms if self.spf_budget else None,
            "spf_void_lookups": self.spf_budget.void_lookups if self.spf_budget else None,
            "flattened_spf": self.flattened_spf,
            "problems": list(self.problems),
        }


@dataclass(frozen=True, slots=True)
class FleetDnsPlan:
    """Every domain's plan and whether the whole may be applied without ``force``."""

    domains: tuple[DomainPlan, ...]
    safety: SafetyVerdict

    def totals(self) -> dict[str, int]:
        """How many creates, updates and deletes, fleet-wide."""
        plans = [d.plan for d in self.domains if d.plan]
        return {kind.value: sum(p.count(kind) for p in plans) for kind in ChangeKind}

    @property
    def is_empty(self) -> bool:
        """True when every zone already matches (problems aside)."""
        return all(d.plan is None or d.plan.is_empty for d in self.domains)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "totals": self.totals(),
            "safe": self.safety.safe,
            "unsafe_reasons": list(self.safety.reasons),
            "domains": [d.as_dict() for d in self.domains],
        }


def txt_lookup(resolver: DnsResolver) -> TxtLookup:
    """A cached TXT lookup over a resolver, as the SPF budget checker wants it."""
    cache: dict[str, Sequence[str] | None] = {}

    def lookup(name: str) -> Sequence[str] | None:
        if name not in cache:
            answer = resolver.query(name, RecordType.TXT)
            cache[name] = None if answer.status is AnswerStatus.NXDOMAIN else answer.values
        return cache[name]

    return lookup


def desired_for(
    fleet: Fleet,
    domain: Domain,
    template: DnsTemplate,
    vault: SecretVault,
    *,
    create_keys: bool = True,
    spf_override: str | None = None,
) -> DesiredZone:
    """The desired zone of ``domain``; raise ``InvalidRecord`` when it cannot be built."""
    keys: tuple[DkimPublicKey, ...] = ()
    if not uses_managed_dkim(fleet, domain):
        keys = ensure_keys(
            vault,
            domain.name,
            template.selectors,
            template.key_algorithm,
            template.rsa_bits,
            create=create_keys,
        )
    return desired_zone(fleet, domain, template, keys, spf_override=spf_override)


def _plan_domain(
    fleet: Fleet,
    domain: Domain,
    template: DnsTemplate,
    vault: SecretVault,
    provider: DnsProvider,
    lookup: TxtLookup | None,
    flatten: bool,
) -> DomainPlan:
    problems: list[str] = []
    try:
        desired = desired_for(fleet, domain, template, vault)
    except InvalidRecord as exc:
        return DomainPlan(domain.name, provider.name, None, None, problems=(str(exc),))
    budget = flattened = None
    if lookup is not None:
        budget = check_budget(desired.spf, lookup)
        problems += [f"SPF: {p}" for p in budget.problems]
        if not budget.within:
            flattened = flatten_spf(desired.spf, lookup)
            problems.append(
                f"SPF needs {budget.dns_terms} lookups ({budget.void_lookups} void); "
                + ("a flattened record is offered" if flattened else "it cannot be flattened")
            )
            if flatten and flattened:
                desired = desired_for(fleet, domain, template, vault, spf_override=flattened)
    unsupported = {r.type for r in desired.records} - provider.supported_types
    if unsupported:
        problems.append(f"provider {provider.name} does not support {sorted(unsupported)}")
    try:
        current = provider.list_records(domain.name)
    except DnsProviderError as exc:
        problems.append(str(exc))
        return DomainPlan(
            domain.name,
            provider.name,
            desired,
            None,
            budget,
            flattened,
            tuple(problems),
            read_failed=True,
        )
    plan = plan_zone(desired, current or (), zone_exists=current is not None)
    return DomainPlan(domain.name, provider.name, desired, plan, budget, flattened, tuple(problems))


def plan_dns(
    fleet: Fleet,
    template: DnsTemplate,
    vault: SecretVault,
    providers: ProviderFactory,
    *,
    resolver: DnsResolver | None = None,
    only: Sequence[str] = (),
    flatten: bool = False,
) -> FleetDnsPlan:
    """Plan every domain (or ``only`` those); DKIM keys missing from the vault are made now."""
    lookup = txt_lookup(resolver) if resolver is not None else None
    plans = []
    for domain in fleet.domains:
        if only and domain.name not in only:
            continue
        provider = providers(domain.dns_provider)
        plans.append(_plan_domain(fleet, domain, template, vault, provider, lookup, flatten))
    zone_plans = [p.plan for p in plans if p.plan is not None]
    return FleetDnsPlan(tuple(plans), check_safety(zone_plans, template.safety))


class ZoneOutcome(StrEnum):
    """How applying one zone ended."""

    UNCHANGED = "unchanged"
    APPLIED = "applied"
    FAILED = "failed"
    SKIPPED = "skipped"  # the plan had problems (no desired records, unsupported types)


@dataclass(frozen=True, slots=True)
class ZoneResult:
    """One zone's apply result: what was written, or the provider's error."""

    domain: str
    outcome: ZoneOutcome
    changes: int = 0
    error: str = ""


@dataclass(frozen=True, slots=True)
class ApplyReport:
    """The whole apply: refused as unsafe, or a result per zone."""

    refused: bool
    plan: FleetDnsPlan
    results: tuple[ZoneResult, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when nothing was refused and every zone was applied or already matched."""
        done = (ZoneOutcome.APPLIED, ZoneOutcome.UNCHANGED)
        return not self.refused and all(r.outcome in done for r in self.results)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "ok": self.ok,
            "refused": self.refused,
            "unsafe_reasons": list(self.plan.safety.reasons),
            "totals": self.plan.totals(),
            "zones": [
                {
                    "domain": r.domain,
                    "outcome": str(r.outcome),
                    "changes": r.changes,
                    "error": r.error,
                }
                for r in self.results
            ],
        }


def apply_dns(
    fleet: Fleet,
    template: DnsTemplate,
    vault: SecretVault,
    providers: ProviderFactory,
    *,
    resolver: DnsResolver | None = None,
    force: bool = False,
    only: Sequence[str] = (),
    flatten: bool = False,
    journal: DnsJournal | None = None,
    clock: Clock | None = None,
) -> ApplyReport:
    """Plan against the live state and write it, zone by zone; one zone's failure stops no other.

    With a ``journal`` (and ``clock``), each zone that was written or failed is recorded as
    soon as it finishes, so what an interrupted run applied stays on record.
    """
    plan = plan_dns(
        fleet, template, vault, providers, resolver=resolver, only=only, flatten=flatten
    )
    if not plan.safety.safe and not force:
        return ApplyReport(refused=True, plan=plan)
    results = []
    for domain in plan.domains:
        result = _apply_zone(domain, providers)
        if journal is not None and clock is not None and result.outcome in _JOURNALED:
            changes = tuple(c.as_dict() for c in domain.plan.changes) if domain.plan else ()
            entry = JournalEntry(domain.domain, clock.now(), result.outcome, changes, result.error)
            journal.record(entry)
        results.append(result)
    return ApplyReport(False, plan, tuple(results))


_JOURNALED = (ZoneOutcome.APPLIED, ZoneOutcome.FAILED)


def _apply_zone(domain: DomainPlan, providers: ProviderFactory) -> ZoneResult:
    plan = domain.plan
    if domain.read_failed:
        return ZoneResult(domain.domain, ZoneOutcome.FAILED, error="; ".join(domain.problems))
    if plan is None or domain.unsupported:
        return ZoneResult(domain.domain, ZoneOutcome.SKIPPED, error="; ".join(domain.problems))
    if plan.is_empty:
        return ZoneResult(domain.domain, ZoneOutcome.UNCHANGED)
    provider = providers(domain.provider)
    try:
        if not plan.zone_exists:
            provider.ensure_zone(plan.zone)
        if plan.changes:
            provider.apply(plan.zone, plan.changes)
    except DnsProviderError as exc:
        return ZoneResult(domain.domain, ZoneOutcome.FAILED, len(plan.changes), str(exc))
    return ZoneResult(domain.domain, ZoneOutcome.APPLIED, len(plan.changes))
