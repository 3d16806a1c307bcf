"""Ports the dashboard reads through. Each capability plugs its store in behind one of these.

Until a capability is wired, ``mailfleet.adapters.dashboard_twins`` answers with nothing (an
empty mapping, an empty tuple) and the pages say "not measured yet"; no figure is invented.
Lookups take a batch of domain names so that a page of 100 domains costs one query per source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from mailfleet.core.dashboard.values import (
    AlertItem,
    BlocklistResult,
    BlocklistStatus,
    DeliveryRates,
    DnsAuthStatus,
    DomainExtras,
    DomainQuery,
    DomainSummary,
    EventItem,
    MailboxProvisioning,
    MailboxQuery,
    MailboxSummary,
    Page,
    SegmentSummary,
    SuppressionItem,
    WarmupFigures,
)


class FleetReadModel(Protocol):
    """The foundation's rows, filtered and paged in the database."""

    def segments(self) -> Sequence[SegmentSummary]:
        """Every stored segment with its domain and mailbox totals."""
        ...

    def domains(self, query: DomainQuery) -> Page[DomainSummary]:
        """One page of domains matching ``query``."""
        ...

    def domain(self, name: str) -> DomainSummary | None:
        """One domain, or ``None`` when it is not stored."""
        ...

    def mailboxes(self, query: MailboxQuery) -> Page[MailboxSummary]:
        """One page of mailboxes matching ``query``."""
        ...

    def state_counts(self) -> Mapping[str, Mapping[str, int]]:
        """How many domains and mailboxes are in each state: ``{"domain": {"active": 3}}``."""
        ...


class WarmupSource(Protocol):
    """Warmup stage, day, today's cap and sent (issue: warmup engine)."""

    def warmup(self, domains: Sequence[str]) -> Mapping[str, WarmupFigures]:
        """Figures for the domains that have them."""
        ...


class ProvisioningSource(Protocol):
    """Mailbox provisioning state and provider-reported logins (issue: mailbox provisioning)."""

    def provisioning(self, addresses: Sequence[str]) -> Mapping[str, MailboxProvisioning]:
        """The ledger's entries of the addresses that have one."""
        ...


class RatesSource(Protocol):
    """Recent bounce and complaint rates (issue: feedback and suppression)."""

    def rates(self, domains: Sequence[str]) -> Mapping[str, DeliveryRates]:
        """Rates for the domains that have been measured."""
        ...


class DnsAuthSource(Protocol):
    """SPF/DKIM/DMARC verification (issue: DNS verification)."""

    def dns_auth(self, domains: Sequence[str]) -> Mapping[str, DnsAuthStatus]:
        """Status for the domains that have been checked."""
        ...


class BlocklistSource(Protocol):
    """Blocklist lookups (issue: reputation and alerts)."""

    def blocklist(self, domains: Sequence[str]) -> Mapping[str, BlocklistStatus]:
        """The latest status of the domains that have been checked."""
        ...

    def results(self, limit: int) -> Sequence[BlocklistResult]:
        """The latest lookups, newest first."""
        ...


class DomainDetailSource(Protocol):
    """History, decisions, DNS records and events of one domain."""

    def extras(self, domain: str, days: int) -> DomainExtras:
        """Everything known beyond the foundation about ``domain``."""
        ...


class FeedbackEventLog(Protocol):
    """A domain's recent feedback events (issue: feedback and suppression)."""

    def recent(self, domain: str, limit: int) -> Sequence[EventItem]:
        """The domain's latest bounces, complaints and deferrals, newest first."""
        ...


class AlertSource(Protocol):
    """Alerts (issue: reputation and alerts)."""

    def alerts(self, *, open_only: bool, limit: int) -> Sequence[AlertItem]:
        """Alerts, newest first."""
        ...


class SuppressionSource(Protocol):
    """The suppression list (issue: feedback and suppression)."""

    def search(self, text: str, limit: int) -> Sequence[SuppressionItem]:
        """Suppressed addresses containing ``text``, newest first."""
        ...

    def editable(self) -> bool:
        """True when addresses can be added and removed from the dashboard."""
        ...

    def suppress(self, address: str, reason: str, by: str, now: datetime) -> bool:
        """Add ``address``; ``False`` when it was already suppressed."""
        ...

    def unsuppress(self, address: str, by: str) -> bool:
        """Remove ``address``; ``False`` when it was not suppressed."""
        ...


class ControlOutcome(StrEnum):
    """What a pause or resume did."""

    PAUSED = "paused"
    RESUMED = "resumed"
    ALREADY_PAUSED = "already-paused"
    NOT_PAUSED = "not-paused"
    UNKNOWN_DOMAIN = "unknown-domain"


class DomainControl(Protocol):
    """Hold a domain (``paused``) and give it back its previous state."""

    def pause(self, domain: str, by: str, now: datetime) -> ControlOutcome:
        """Set the domain to ``paused``, remembering its state."""
        ...

    def resume(self, domain: str, by: str, now: datetime) -> ControlOutcome:
        """Restore the state the domain had before it was paused."""
        ...


class DomainAction(StrEnum):
    """Operations the dashboard offers whose engines come from other capabilities."""

    ROTATE_OUT = "rotate-out"
    REVERIFY_DNS = "reverify-dns"
    ROTATE_DKIM = "rotate-dkim"


class ActionOutcome(StrEnum):
    """What an action request did."""

    DONE = "done"
    QUEUED = "queued"
    NOT_WIRED = "not-wired"
    FAILED = "failed"


class DomainActions(Protocol):
    """Runs the actions of ``DomainAction``; ``wired`` tells the pages which are available."""

    def wired(self) -> frozenset[DomainAction]:
        """The actions that have an implementation."""
        ...

    def run(self, action: DomainAction, domain: str, by: str) -> ActionOutcome:
        """Run ``action`` on ``domain`` on behalf of ``by``."""
        ...
