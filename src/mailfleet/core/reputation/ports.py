"""The reputation capability's ports. Each has an in-memory twin in ``mailfleet.adapters``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from mailfleet.core.reputation.engine import AlertEvent, AlertKey, AlertState, Evaluation
from mailfleet.core.reputation.facts import DomainRates
from mailfleet.core.reputation.history import AlertRecord, IsolationRecord
from mailfleet.core.reputation.messages import Delivery
from mailfleet.core.reputation.targets import BlocklistReport
from mailfleet.core.reputation.verdict import CheckResult, DnsAnswer


class DnsblResolver(Protocol):
    """Asks a DNS resolver for the A records of one DNSBL query name."""

    async def lookup(self, name: str) -> DnsAnswer:
        """The outcome for ``name``: addresses, NXDOMAIN, or why there is no answer.

        Never raises for DNS trouble: a timeout or SERVFAIL is an outcome like any other.
        """
        ...


class Notifier(Protocol):
    """One alert channel (webhook, email, log)."""

    @property
    def name(self) -> str:
        """The channel's name in delivery records."""
        ...

    async def deliver(self, event: AlertEvent) -> Delivery:
        """Send ``event``; trouble is reported in the ``Delivery``, never raised."""
        ...


class DomainMetrics(Protocol):
    """Sending outcomes per domain over a window (the feedback capability implements it)."""

    def rates(self, since: datetime, until: datetime) -> Mapping[str, DomainRates]:
        """Counts of sent, bounced, complained and deferred messages, by domain."""
        ...


class BlocklistHistory(Protocol):
    """Where DNSBL check runs are kept."""

    def save_report(self, report: BlocklistReport) -> int:
        """Store a run with every result; return its id."""
        ...

    def latest_results(self) -> tuple[datetime, tuple[CheckResult, ...]] | None:
        """The newest run: when, and its results."""
        ...


class AlertStore(Protocol):
    """Where alert states and the alert history are kept."""

    def alert_states(self) -> Mapping[AlertKey, AlertState]:
        """Every stored (rule, subject) state."""
        ...

    def save_alerts(
        self, evaluation: Evaluation, deliveries: Mapping[int, Sequence[Delivery]]
    ) -> None:
        """Store new states and events; ``deliveries`` are by index into the events."""
        ...

    def alert_history(self, limit: int = 100) -> tuple[AlertRecord, ...]:
        """The newest events first."""
        ...


class DomainStateStore(Protocol):
    """Domains' runtime state (the ``domains.state`` column) and isolation history."""

    def domain_states(self) -> Mapping[str, str]:
        """Every stored domain's state, by name."""
        ...

    def set_domain_state(
        self, domain: str, state: str, *, at: datetime, reason: str, by: str
    ) -> str:
        """Set the state, record why and by whom; return the previous state.

        Raises ``KeyError`` when the domain is not stored (not synced yet).
        """
        ...

    def isolation_log(self, domain: str) -> tuple[IsolationRecord, ...]:
        """Isolations and restores of ``domain``, oldest first."""
        ...

    def last_restores(self) -> Mapping[str, datetime]:
        """When each domain was last restored by hand."""
        ...


class QueueRotation(Protocol):
    """Moves an isolated domain's waiting mail to healthy domains (the sending queue)."""

    def move_queued(self, domain: str, senders: Sequence[str], now: datetime) -> int:
        """Re-assign ``domain``'s queued, unclaimed messages to ``senders`` in turn (mailbox
        addresses of the domains the mail rotates to); how many moved."""
        ...
