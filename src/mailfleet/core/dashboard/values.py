"""Frozen values read by the dashboard. A ``None`` figure means "not measured yet", never zero.

The foundation provides the fleet's rows (segments, domains, mailboxes, states, activity); the
other figures come from capabilities that plug in through ``mailfleet.core.dashboard.ports``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class SortKey(StrEnum):
    """Columns the overview and the inventory can be sorted by."""

    NAME = "name"
    SEGMENT = "segment"
    STATE = "state"
    ACTIVITY = "activity"
    MAILBOXES = "mailboxes"


@dataclass(frozen=True, slots=True)
class DomainQuery:
    """Filter, sort and page of the domain list."""

    segment: str | None = None
    state: str | None = None
    search: str | None = None
    sort: SortKey = SortKey.SEGMENT
    descending: bool = False
    page: int = 1
    per_page: int = 100

    @property
    def offset(self) -> int:
        """Rows skipped before this page."""
        return (max(self.page, 1) - 1) * self.per_page


@dataclass(frozen=True, slots=True)
class MailboxQuery:
    """Filter, search and page of the mailbox inventory."""

    domain: str | None = None
    segment: str | None = None
    state: str | None = None
    search: str | None = None
    idle_since: datetime | None = None  # only mailboxes with no activity since then
    page: int = 1
    per_page: int = 100

    @property
    def offset(self) -> int:
        """Rows skipped before this page."""
        return (max(self.page, 1) - 1) * self.per_page


@dataclass(frozen=True, slots=True)
class DomainSummary:
    """One domain as stored: what the foundation knows about it."""

    name: str
    segment: str
    state: str
    in_spec: bool
    mailboxes: int
    last_activity_at: datetime | None
    dns_provider: str = ""
    mailbox_provider: str = ""
    relay: str = ""
    timezone: str = ""
    business_hours: str = ""
    sending_ips: tuple[str, ...] = ()
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SegmentSummary:
    """One stored segment with its totals."""

    name: str
    purpose: str
    priority: str
    daily_target: int
    state: str
    domains: int
    mailboxes: int


@dataclass(frozen=True, slots=True)
class MailboxSummary:
    """One mailbox as stored."""

    address: str
    domain: str
    segment: str
    display_name: str
    daily_limit: int
    state: str
    in_spec: bool
    last_activity_at: datetime | None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of rows and the total that matched."""

    rows: tuple[T, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the total fills (at least one)."""
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True, slots=True)
class WarmupFigures:
    """Where a domain's warmup stands today (from the warmup engine)."""

    stage: str
    day: int | None = None
    cap_today: int | None = None
    sent_today: int | None = None


@dataclass(frozen=True, slots=True)
class MailboxProvisioning:
    """A mailbox's provisioning as the mailboxes ledger records it."""

    provider: str
    status: str
    provisioned_at: datetime | None = None
    last_login_at: datetime | None = None  # as the provider reports it
    pending: str | None = None  # an action begun and not finished
    last_error: str = ""


@dataclass(frozen=True, slots=True)
class DeliveryRates:
    """Bounce and complaint rates over the recent window (from feedback processing)."""

    bounce_rate: float | None
    complaint_rate: float | None
    sent: int = 0


class AuthState(StrEnum):
    """A DNS authentication check's outcome."""

    PASS = "pass"  # noqa: S105 - a check outcome, not a password
    FAIL = "fail"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class DnsAuthStatus:
    """SPF, DKIM and DMARC verification of a domain (from DNS verification)."""

    spf: AuthState
    dkim: AuthState
    dmarc: AuthState
    checked_at: datetime

    @property
    def all_pass(self) -> bool:
        """True when every record verified."""
        return self.spf == self.dkim == self.dmarc == AuthState.PASS


@dataclass(frozen=True, slots=True)
class BlocklistStatus:
    """The zones a domain or its IPs are listed on at the last check (from monitoring)."""

    listed_on: tuple[str, ...]
    checked_at: datetime


@dataclass(frozen=True, slots=True)
class DnsRecordItem:
    """One DNS record a domain needs, and whether it was verified."""

    name: str
    type: str
    value: str
    verified: bool | None = None


@dataclass(frozen=True, slots=True)
class DailyPoint:
    """One day of a domain's history."""

    day: date
    sent: int
    cap: int | None
    bounce_rate: float | None
    complaint_rate: float | None


@dataclass(frozen=True, slots=True)
class DecisionItem:
    """A warmup decision and the evidence behind it."""

    at: datetime
    decision: str
    evidence: str


@dataclass(frozen=True, slots=True)
class EventItem:
    """Something that happened to a domain."""

    at: datetime
    kind: str
    detail: str


@dataclass(frozen=True, slots=True)
class AlertItem:
    """An alert, open or closed."""

    at: datetime
    severity: str
    subject: str
    message: str
    is_open: bool = True


@dataclass(frozen=True, slots=True)
class SuppressionItem:
    """An address that must not be mailed again."""

    address: str
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class BlocklistResult:
    """One blocklist lookup."""

    subject: str
    zone: str
    listed: bool
    checked_at: datetime


@dataclass(frozen=True, slots=True)
class DomainExtras:
    """Everything beyond the foundation shown on a domain page; empty until wired."""

    history: tuple[DailyPoint, ...] = ()
    decisions: tuple[DecisionItem, ...] = ()
    dns_records: tuple[DnsRecordItem, ...] = ()
    events: tuple[EventItem, ...] = ()
    dkim_selectors: tuple[str, ...] = field(default=())
