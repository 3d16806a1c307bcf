"""In-memory twins of the dashboard's sources.

``MemoryDashboardSources`` answers from dicts that tests (or a capability not yet stored in
the database) fill in; empty, it is what the web app uses until each capability is wired,
so every page shows "not measured yet" rather than a made-up number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from mailfleet.core.dashboard.access import Role
from mailfleet.core.dashboard.accounts import StoredCredentials, User
from mailfleet.core.dashboard.ports import ActionOutcome, ControlOutcome, DomainAction
from mailfleet.core.dashboard.values import (
    AlertItem,
    BlocklistResult,
    BlocklistStatus,
    DeliveryRates,
    DnsAuthStatus,
    DomainExtras,
    MailboxProvisioning,
    SuppressionItem,
    WarmupFigures,
)
from mailfleet.core.state import DomainState


@dataclass
class MemoryDashboardSources:
    """Implements every read port of ``mailfleet.core.dashboard.ports`` over plain dicts."""

    warmup_figures: dict[str, WarmupFigures] = field(default_factory=dict)
    rate_figures: dict[str, DeliveryRates] = field(default_factory=dict)
    auth_figures: dict[str, DnsAuthStatus] = field(default_factory=dict)
    blocklist_figures: dict[str, BlocklistStatus] = field(default_factory=dict)
    blocklist_results: list[BlocklistResult] = field(default_factory=list)
    domain_extras: dict[str, DomainExtras] = field(default_factory=dict)
    alert_items: list[AlertItem] = field(default_factory=list)
    suppressed: list[SuppressionItem] = field(default_factory=list)
    suppression_editable: bool = False  # the empty twin is read-only: edits would be lost
    ledger: dict[str, MailboxProvisioning] = field(default_factory=dict)

    def provisioning(self, addresses: Sequence[str]) -> Mapping[str, MailboxProvisioning]:
        """Known ledger entries."""
        return {a: self.ledger[a] for a in addresses if a in self.ledger}

    def warmup(self, domains: Sequence[str]) -> Mapping[str, WarmupFigures]:
        """Known warmup figures."""
        return {d: self.warmup_figures[d] for d in domains if d in self.warmup_figures}

    def rates(self, domains: Sequence[str]) -> Mapping[str, DeliveryRates]:
        """Known rates."""
        return {d: self.rate_figures[d] for d in domains if d in self.rate_figures}

    def dns_auth(self, domains: Sequence[str]) -> Mapping[str, DnsAuthStatus]:
        """Known DNS checks."""
        return {d: self.auth_figures[d] for d in domains if d in self.auth_figures}

    def blocklist(self, domains: Sequence[str]) -> Mapping[str, BlocklistStatus]:
        """Known blocklist states."""
        return {d: self.blocklist_figures[d] for d in domains if d in self.blocklist_figures}

    def results(self, limit: int) -> Sequence[BlocklistResult]:
        """Latest lookups."""
        return sorted(self.blocklist_results, key=lambda r: r.checked_at, reverse=True)[:limit]

    def extras(self, domain: str, days: int) -> DomainExtras:
        """The domain's extras, history cut to ``days``."""
        found = self.domain_extras.get(domain, DomainExtras())
        return DomainExtras(
            found.history[-days:],
            found.decisions,
            found.dns_records,
            found.events,
            found.dkim_selectors,
        )

    def alerts(self, *, open_only: bool, limit: int) -> Sequence[AlertItem]:
        """Alerts, newest first."""
        chosen = [a for a in self.alert_items if a.is_open or not open_only]
        return sorted(chosen, key=lambda a: a.at, reverse=True)[:limit]

    def search(self, text: str, limit: int) -> Sequence[SuppressionItem]:
        """Suppressed addresses containing ``text``."""
        needle = text.lower()
        chosen = [i for i in self.suppressed if needle in i.address.lower()]
        return sorted(chosen, key=lambda i: i.at, reverse=True)[:limit]

    def editable(self) -> bool:
        """Whether edits are accepted."""
        return self.suppression_editable

    def suppress(self, address: str, reason: str, by: str, now: datetime) -> bool:
        """Add an address once."""
        if any(i.address == address for i in self.suppressed):
            return False
        self.suppressed.append(SuppressionItem(address, reason, now))
        return True

    def unsuppress(self, address: str, by: str) -> bool:
        """Remove an address."""
        kept = [i for i in self.suppressed if i.address != address]
        removed = len(kept) != len(self.suppressed)
        self.suppressed[:] = kept
        return removed


@dataclass
class UnwiredDomainActions:
    """Implements ``DomainActions`` with nothing wired, or with recorded calls in tests."""

    available: frozenset[DomainAction] = frozenset()
    calls: list[tuple[DomainAction, str, str]] = field(default_factory=list)

    def wired(self) -> frozenset[DomainAction]:
        """The actions that may run."""
        return self.available

    def run(self, action: DomainAction, domain: str, by: str) -> ActionOutcome:
        """Record the call; ``NOT_WIRED`` for an action without an implementation."""
        if action not in self.available:
            return ActionOutcome.NOT_WIRED
        self.calls.append((action, domain, by))
        return ActionOutcome.QUEUED


@dataclass
class MemoryUserStore:
    """Implements ``UserStore`` in memory."""

    users: dict[str, StoredCredentials] = field(default_factory=dict)
    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # digest -> (email, label)
    token_uses: dict[str, datetime] = field(default_factory=dict)

    def add_user(self, email: str, role: Role, password_hash: str, now: datetime) -> User:
        """Create a user."""
        if email in self.users:
            raise ValueError(f"a user {email} already exists")
        user = User(email, role, now)
        self.users[email] = StoredCredentials(user, password_hash)
        return user

    def set_password(self, email: str, password_hash: str, now: datetime) -> bool:
        """Replace a hash."""
        if email not in self.users:
            return False
        self.users[email] = StoredCredentials(self.users[email].user, password_hash)
        return True

    def credentials(self, email: str) -> StoredCredentials | None:
        """The user and hash."""
        return self.users.get(email)

    def add_token(self, email: str, digest: str, label: str, now: datetime) -> bool:
        """Keep a token digest."""
        if email not in self.users:
            return False
        self.tokens[digest] = (email, label)
        return True

    def user_for_token(self, digest: str, now: datetime) -> User | None:
        """The token's owner."""
        found = self.tokens.get(digest)
        if found is None:
            return None
        self.token_uses[digest] = now
        return self.users[found[0]].user

    def count_users(self) -> int:
        """How many users."""
        return len(self.users)


@dataclass
class MemoryDomainControl:
    """Implements ``DomainControl`` over a dict of domain states."""

    states: dict[str, str] = field(default_factory=dict)
    holds: dict[str, str] = field(default_factory=dict)

    def pause(self, domain: str, by: str, now: datetime) -> ControlOutcome:
        """Hold the domain, remembering its state."""
        if domain not in self.states:
            return ControlOutcome.UNKNOWN_DOMAIN
        if self.states[domain] == DomainState.PAUSED:
            return ControlOutcome.ALREADY_PAUSED
        self.holds[domain] = self.states[domain]
        self.states[domain] = DomainState.PAUSED.value
        return ControlOutcome.PAUSED

    def resume(self, domain: str, by: str, now: datetime) -> ControlOutcome:
        """Restore the remembered state (``pending`` when none was kept)."""
        if domain not in self.states:
            return ControlOutcome.UNKNOWN_DOMAIN
        if self.states[domain] != DomainState.PAUSED:
            return ControlOutcome.NOT_PAUSED
        self.states[domain] = self.holds.pop(domain, DomainState.PENDING.value)
        return ControlOutcome.RESUMED
