"""View models of the dashboard and the REST API, read through ports.

Each function joins the foundation's rows (``FleetReadModel``) with whatever the other
capabilities provide (``DashboardSources``); a figure nobody provides stays ``None`` and the
page prints "—". Thresholds come from the spec when it loads, else from the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mailfleet.core.dashboard.grading import Level, grade_bounce, grade_complaint
from mailfleet.core.dashboard.ports import (
    AlertSource,
    BlocklistSource,
    DnsAuthSource,
    DomainActions,
    DomainDetailSource,
    FleetReadModel,
    ProvisioningSource,
    RatesSource,
    SuppressionSource,
    WarmupSource,
)
from mailfleet.core.dashboard.values import (
    AlertItem,
    BlocklistResult,
    BlocklistStatus,
    DeliveryRates,
    DnsAuthStatus,
    DomainExtras,
    DomainQuery,
    DomainSummary,
    MailboxProvisioning,
    MailboxQuery,
    MailboxSummary,
    Page,
    SegmentSummary,
    SuppressionItem,
    WarmupFigures,
)
from mailfleet.core.fleet import Domain, Fleet, Thresholds
from mailfleet.core.state import domain_fields


@dataclass(frozen=True)
class DashboardSources:
    """The ports the dashboard reads beyond the foundation; one field per capability."""

    warmup: WarmupSource
    rates: RatesSource
    dns_auth: DnsAuthSource
    blocklist: BlocklistSource
    details: DomainDetailSource
    alerts: AlertSource
    suppression: SuppressionSource
    actions: DomainActions
    provisioning: ProvisioningSource | None = None  # None: the ledger is not wired


@dataclass(frozen=True, slots=True)
class DomainLine:
    """One row of the overview: the stored domain and each capability's figures."""

    domain: DomainSummary
    thresholds: Thresholds
    warmup: WarmupFigures | None
    rates: DeliveryRates | None
    dns_auth: DnsAuthStatus | None
    blocklist: BlocklistStatus | None
    drift: tuple[str, ...] = ()  # spec fields that differ from the database

    @property
    def bounce_level(self) -> Level:
        """The bounce rate against its segment's thresholds."""
        return grade_bounce(self.rates.bounce_rate if self.rates else None, self.thresholds)

    @property
    def complaint_level(self) -> Level:
        """The complaint rate against its segment's thresholds."""
        return grade_complaint(self.rates.complaint_rate if self.rates else None, self.thresholds)


@dataclass(frozen=True, slots=True)
class SegmentBlock:
    """A segment's heading in the overview with the lines of this page and its totals."""

    segment: SegmentSummary | None
    name: str
    lines: tuple[DomainLine, ...]
    thresholds: Thresholds
    sent_today: int | None
    cap_today: int | None


@dataclass(frozen=True, slots=True)
class Overview:
    """The fleet overview page."""

    fleet: str | None
    segments: tuple[SegmentSummary, ...]
    blocks: tuple[SegmentBlock, ...]
    page: Page[DomainSummary]
    state_counts: Mapping[str, Mapping[str, int]]
    thresholds: Thresholds


@dataclass(frozen=True, slots=True)
class DomainDetail:
    """The domain page."""

    line: DomainLine
    mailboxes: Page[MailboxSummary]
    extras: DomainExtras
    drift: tuple[str, ...]
    in_current_spec: bool | None  # None when the spec could not be read
    segment: SegmentSummary | None
    actions_wired: frozenset[str] = field(default_factory=frozenset)


def thresholds_for(fleet: Fleet | None, segment: str) -> Thresholds:
    """The segment's thresholds from the spec, else the fleet's, else the defaults."""
    if fleet is None:
        return Thresholds()
    found = fleet.segments.get(segment)
    return found.thresholds if found else fleet.thresholds


def drift_of(stored: DomainSummary, declared: Domain) -> tuple[str, ...]:
    """The spec fields of a domain that the database does not match (run ``mailfleet sync``)."""
    wanted = domain_fields(declared)
    held = {
        "segment": stored.segment,
        "dns_provider": stored.dns_provider,
        "mailbox_provider": stored.mailbox_provider,
        "relay": stored.relay,
        "timezone": stored.timezone,
        "business_hours": stored.business_hours,
        "sending_ips": list(stored.sending_ips),
    }
    return tuple(sorted(k for k, v in wanted.items() if held.get(k) != v))


def _lines(
    domains: Sequence[DomainSummary], sources: DashboardSources, fleet: Fleet | None
) -> list[DomainLine]:
    names = [d.name for d in domains]
    # one dict per page, so that each row's drift is a lookup, not a scan of the spec
    declared = {d.name: d for d in fleet.domains} if fleet is not None else {}
    warmup = sources.warmup.warmup(names)
    rates = sources.rates.rates(names)
    auth = sources.dns_auth.dns_auth(names)
    listed = sources.blocklist.blocklist(names)
    return [
        DomainLine(
            d,
            thresholds_for(fleet, d.segment),
            warmup.get(d.name),
            rates.get(d.name),
            auth.get(d.name),
            listed.get(d.name),
            drift_of(d, declared[d.name]) if d.name in declared else (),
        )
        for d in domains
    ]


def _sum(values: Sequence[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def overview(
    model: FleetReadModel, sources: DashboardSources, fleet: Fleet | None, query: DomainQuery
) -> Overview:
    """The overview: one page of domains grouped by segment, with totals per segment."""
    segments = tuple(model.segments())
    by_name = {s.name: s for s in segments}
    page = model.domains(query)
    lines = _lines(page.rows, sources, fleet)
    order: list[str] = []
    grouped: dict[str, list[DomainLine]] = {}
    for line in lines:
        if line.domain.segment not in grouped:
            order.append(line.domain.segment)
        grouped.setdefault(line.domain.segment, []).append(line)
    blocks = tuple(
        SegmentBlock(
            by_name.get(name),
            name,
            tuple(grouped[name]),
            thresholds_for(fleet, name),
            _sum([ln.warmup.sent_today if ln.warmup else None for ln in grouped[name]]),
            _sum([ln.warmup.cap_today if ln.warmup else None for ln in grouped[name]]),
        )
        for name in order
    )
    return Overview(
        fleet.name if fleet else None,
        segments,
        blocks,
        page,
        model.state_counts(),
        fleet.thresholds if fleet else Thresholds(),
    )


def domain_detail(
    model: FleetReadModel,
    sources: DashboardSources,
    fleet: Fleet | None,
    name: str,
    *,
    days: int = 30,
    mailbox_page: int = 1,
) -> DomainDetail | None:
    """The domain page, or ``None`` when the domain is not stored."""
    found = model.domain(name)
    if found is None:
        return None
    line = _lines([found], sources, fleet)[0]
    mailboxes = model.mailboxes(MailboxQuery(domain=name, page=mailbox_page, per_page=200))
    in_spec = None if fleet is None else any(d.name == name for d in fleet.domains)
    segment = next((s for s in model.segments() if s.name == found.segment), None)
    return DomainDetail(
        line,
        mailboxes,
        sources.details.extras(name, days),
        line.drift,
        in_spec,
        segment,
        frozenset(a.value for a in sources.actions.wired()),
    )


def mailbox_inventory(
    model: FleetReadModel, query: MailboxQuery
) -> tuple[Page[MailboxSummary], tuple[SegmentSummary, ...]]:
    """One page of the mailbox inventory and the segments for the filter."""
    return model.mailboxes(query), tuple(model.segments())


def idle_cutoff(now: datetime, idle_days: int | None) -> datetime | None:
    """The time before which a mailbox counts as idle for ``idle_days``."""
    return now - timedelta(days=idle_days) if idle_days else None


def alerts(sources: DashboardSources, *, open_only: bool, limit: int = 200) -> Sequence[AlertItem]:
    """Alerts for the alerts page."""
    return sources.alerts.alerts(open_only=open_only, limit=limit)


def blocklist_results(sources: DashboardSources, limit: int = 200) -> Sequence[BlocklistResult]:
    """The latest blocklist lookups."""
    return sources.blocklist.results(limit)


def suppressions(
    sources: DashboardSources, text: str, limit: int = 200
) -> Sequence[SuppressionItem]:
    """Suppressed addresses matching ``text``."""
    return sources.suppression.search(text, limit)


def provisioning_of(
    sources: DashboardSources, rows: Sequence[MailboxSummary]
) -> Mapping[str, MailboxProvisioning]:
    """The ledger's view of the mailboxes of one inventory page."""
    if sources.provisioning is None:
        return {}
    return sources.provisioning.provisioning([m.address for m in rows])
