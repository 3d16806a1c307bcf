"""Stored feedback: events (what happened to one recipient) and suppressions (whom not to mail).

Also the pure decisions made from them: which events suppress at once, when soft bounces add
up to a suppression, and per-domain daily counts and rates for the warmup gate and alerts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

GLOBAL_SCOPE = "global"


class EventKind(StrEnum):
    """What happened to a message for one recipient."""

    DELIVERY = "delivery"
    DEFERRAL = "deferral"  # a transient failure: the message is still being retried
    BOUNCE = "bounce"  # a final failure
    COMPLAINT = "complaint"


@dataclass(frozen=True, slots=True)
class FeedbackEvent:
    """One event for one recipient, tied to its message, mailbox, sending domain and IP."""

    kind: EventKind
    recipient: str
    occurred_at: datetime
    reason: str = ""
    status: str | None = None
    permanent: bool = False
    message_id: str | None = None
    sending_domain: str | None = None
    mailbox: str | None = None
    ip: str | None = None
    source: str = "smtp"  # smtp, imap, webhook:ses, manual, ...

    @property
    def recipient_domain(self) -> str:
        """The recipient's domain, lower case."""
        return self.recipient.rpartition("@")[2].lower()


@dataclass(frozen=True, slots=True)
class Suppression:
    """An address mailfleet must not send to, globally or from one sending domain."""

    address: str
    scope: str  # GLOBAL_SCOPE or a sending domain
    reason: str
    source: str
    created_at: datetime
    expires_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        """Whether the suppression still applies at ``now``."""
        return self.expires_at is None or self.expires_at > now

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "address": self.address,
            "scope": self.scope,
            "reason": self.reason,
            "source": self.source,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
        }


@dataclass(frozen=True, slots=True)
class SuppressionPolicy:
    """When feedback suppresses a recipient (loaded from ``policy/suppression.toml``)."""

    hard_reasons: frozenset[str]  # a final bounce for one of these suppresses at once
    complaint_types: frozenset[str]  # ARF feedback types that suppress at once
    soft_reasons: frozenset[str]  # bounces that count towards the soft threshold
    soft_threshold: int
    soft_window: timedelta
    soft_expiry: timedelta | None  # how long a soft-bounce suppression lasts
    complaint_scope: str = GLOBAL_SCOPE
    hard_scope: str = GLOBAL_SCOPE


@dataclass(frozen=True, slots=True)
class DailyCounts:
    """One sending domain's feedback on one day (UTC)."""

    day: date
    domain: str
    deliveries: int = 0
    deferrals: int = 0
    bounces: int = 0
    hard_bounces: int = 0
    complaints: int = 0

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "day": self.day.isoformat(),
            "domain": self.domain,
            "deliveries": self.deliveries,
            "deferrals": self.deferrals,
            "bounces": self.bounces,
            "hard_bounces": self.hard_bounces,
            "complaints": self.complaints,
        }


@dataclass(frozen=True, slots=True)
class Rates:
    """Rolling rates over a window: each count divided by the messages sent."""

    domain: str
    sent: int
    bounce_rate: float
    complaint_rate: float
    deferral_rate: float
    counts: Mapping[str, int] = field(default_factory=dict)


def _scope(configured: str, event: FeedbackEvent) -> str:
    if configured == GLOBAL_SCOPE or not event.sending_domain:
        return GLOBAL_SCOPE
    return event.sending_domain.lower()


def suppress_at_once(event: FeedbackEvent, policy: SuppressionPolicy) -> Suppression | None:
    """The suppression an event calls for immediately: hard bounces and complaints."""
    if event.kind is EventKind.COMPLAINT and event.reason in policy.complaint_types:
        return Suppression(
            event.recipient.lower(),
            _scope(policy.complaint_scope, event),
            "complaint",
            event.source,
            event.occurred_at,
        )
    if event.kind is EventKind.BOUNCE and event.permanent and event.reason in policy.hard_reasons:
        return Suppression(
            event.recipient.lower(),
            _scope(policy.hard_scope, event),
            event.reason,
            event.source,
            event.occurred_at,
        )
    return None


def counts_towards_soft(event: FeedbackEvent, policy: SuppressionPolicy) -> bool:
    """Whether an event is a soft bounce that adds up towards a suppression."""
    return event.kind in (EventKind.BOUNCE, EventKind.DEFERRAL) and (
        event.reason in policy.soft_reasons
    )


def soft_suppression(
    event: FeedbackEvent, recent_soft: int, policy: SuppressionPolicy
) -> Suppression | None:
    """A suppression once ``recent_soft`` soft bounces (this one included) reach the threshold."""
    if not counts_towards_soft(event, policy) or recent_soft < policy.soft_threshold:
        return None
    expires = event.occurred_at + policy.soft_expiry if policy.soft_expiry else None
    return Suppression(
        event.recipient.lower(),
        GLOBAL_SCOPE,
        f"soft_bounces:{event.reason}",
        event.source,
        event.occurred_at,
        expires,
    )


def daily_counts(events: Iterable[FeedbackEvent], hard: frozenset[str]) -> list[DailyCounts]:
    """Group events into per-domain, per-day counts (the in-memory twin of the SQL query)."""
    table: dict[tuple[date, str], dict[str, int]] = {}
    for event in events:
        key = (event.occurred_at.date(), event.sending_domain or "")
        row = table.setdefault(key, dict.fromkeys(_COUNT_FIELDS, 0))
        row[_FIELD_OF[event.kind]] += 1
        if event.kind is EventKind.BOUNCE and event.permanent and event.reason in hard:
            row["hard_bounces"] += 1
    return [DailyCounts(day, domain, **row) for (day, domain), row in sorted(table.items())]


_COUNT_FIELDS = ("deliveries", "deferrals", "bounces", "hard_bounces", "complaints")
_FIELD_OF = {
    EventKind.DELIVERY: "deliveries",
    EventKind.DEFERRAL: "deferrals",
    EventKind.BOUNCE: "bounces",
    EventKind.COMPLAINT: "complaints",
}


def rolling_rates(counts: Sequence[DailyCounts], domain: str, sent: int | None = None) -> Rates:
    """Bounce, complaint and deferral rates of ``domain`` over the given days.

    ``sent`` is the number of messages sent in the window when the caller knows it (the
    sending log); otherwise deliveries plus final bounces stand in for it.
    """
    mine = [c for c in counts if c.domain == domain]
    totals = {name: sum(getattr(c, name) for c in mine) for name in _COUNT_FIELDS}
    base = sent if sent is not None else totals["deliveries"] + totals["bounces"]

    def rate(value: int) -> float:
        return value / base if base else 0.0

    return Rates(
        domain=domain,
        sent=base,
        bounce_rate=rate(totals["bounces"]),
        complaint_rate=rate(totals["complaints"]),
        deferral_rate=rate(totals["deferrals"]),
        counts=totals,
    )
