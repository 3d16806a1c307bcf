"""The dispatcher's ``SendGate`` over the warmup plan and the shared limiter.

Every send asks the limiter for one slot under today's plan of its domain: the domain's day
cap and the current hour's ceiling (the pacing), and its mailbox's fair share when the
mailbox is one of the fleet's. The limiter is the shared one (in-process on the embedded
default, Redis when ``redis_url`` is set), so any number of dispatch processes together never
exceed a cap. A refusal is a ``WAIT`` until the window that refused ends, so held mail stays
scheduled for later and is never failed.

Domains outside the fleet are not under warmup and pass; a domain whose runtime state is
paused, isolated or retired, or whose warmup is paused or not started, sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mailfleet.core.fleet import Fleet
from mailfleet.core.ports import Clock
from mailfleet.core.sending.ports import GateDecision, GateRequest, GateVerdict
from mailfleet.core.state import DomainState
from mailfleet.core.warmup.plan import DayPlan, plan_fleet_day
from mailfleet.core.warmup.ports import Limiter, WarmupStore

# Runtime states that stop a domain's mail whatever its plan says.
STOPPED_STATES = frozenset({DomainState.PAUSED, DomainState.ISOLATED, DomainState.RETIRED})
# How long plans and domain states are trusted before they are read again: a pause or an
# isolation reaches a running dispatcher within this time.
REFRESH = timedelta(seconds=60)
# When a stopped domain is asked about again.
STOPPED_RETRY = timedelta(minutes=15)


class WarmupSendGate:
    """``SendGate``: today's warmup caps, taken atomically from the shared limiter."""

    def __init__(
        self,
        fleet: Fleet,
        store: WarmupStore,
        limiter: Limiter,
        clock: Clock,
        domain_states: Callable[[], Mapping[str, str]] = dict,
    ) -> None:
        self._fleet = fleet
        self._store = store
        self._limiter = limiter
        self._clock = clock
        self._domain_states = domain_states
        self._managed = {d.name: d.timezone for d in fleet.domains}
        self._plans: dict[date, dict[str, DayPlan]] = {}
        self._stopped: frozenset[str] = frozenset()
        self._read_at: datetime | None = None

    def acquire(self, request: GateRequest, now: datetime) -> GateDecision:
        """Take one slot for ``request`` under its domain's plan, or say when to come back."""
        domain = request.domain.lower()
        timezone = self._managed.get(domain)
        if timezone is None:
            return GateDecision(GateVerdict.ALLOW, reason=f"{domain} is not in the fleet")
        self._refresh()
        if domain in self._stopped:
            return GateDecision(GateVerdict.WAIT, now + STOPPED_RETRY, f"{domain} is stopped")
        plan = self._plan(domain, timezone, now)
        mailbox = request.mailbox.lower()
        checks = plan.checks(
            now,
            mailbox=mailbox if mailbox in plan.mailbox_caps else None,
            ip=request.ip if request.ip in plan.ip_caps else None,
        )
        if checks is None:
            reason = f"{domain}: no sending now (cap {plan.cap} today, outside its slots)"
            return GateDecision(GateVerdict.WAIT, _next_slot(plan, timezone, now), reason)
        grant = self._limiter.acquire(checks)
        if grant:
            return GateDecision(GateVerdict.ALLOW)
        full = next(c for c in checks if c.key == grant.blocked_by)
        retry_at = now + timedelta(seconds=full.window.remaining(now.timestamp()))
        return GateDecision(GateVerdict.WAIT, retry_at, f"{full.key}: {full.limit} reached")

    def _refresh(self) -> None:
        now = self._clock.now()
        if self._read_at is not None and now - self._read_at < REFRESH:
            return
        states = self._domain_states()
        self._stopped = frozenset(name for name, s in states.items() if s in STOPPED_STATES)
        self._plans.clear()
        self._read_at = now

    def _plan(self, domain: str, timezone: str, now: datetime) -> DayPlan:
        day = now.astimezone(ZoneInfo(timezone)).date()
        if day not in self._plans:
            self._plans[day] = plan_fleet_day(self._fleet, self._store.states(), day)
        return self._plans[day][domain]


def _next_slot(plan: DayPlan, timezone: str, now: datetime) -> datetime:
    """The start of the plan's next slot with room, else the next local midnight."""
    upcoming = [s.start for s in plan.slots if s.ceiling > 0 and s.start > now]
    if upcoming:
        return min(upcoming)
    zone = ZoneInfo(timezone)
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(), zone).astimezone(UTC)
