"""A domain's sending plan for one local day, and the caps one send must pass under it.

The plan gathers everything the warmup decided for the day (the cap, its hourly slots, the
audience, the fair shares for mailboxes and sending IPs) so that a sender asks one question
per batch: which caps apply now? The limiter then answers atomically.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from mailfleet.core.fleet import Audience, Fleet
from mailfleet.core.warmup.limits import CapCheck, send_checks
from mailfleet.core.warmup.members import ip_shares, ip_subject, mailbox_shares
from mailfleet.core.warmup.pacing import HourSlot, pace_day, slot_at
from mailfleet.core.warmup.schedule import audience_for, ramp_cap
from mailfleet.core.warmup.state import WarmupState


@dataclass(frozen=True, slots=True)
class DayPlan:
    """What one domain may send on one local day."""

    domain: str
    timezone: str
    day: date
    cap: int
    audience: Audience
    slots: tuple[HourSlot, ...]
    mailbox_caps: Mapping[str, int] = field(default_factory=dict)
    ip_caps: Mapping[str, int] = field(default_factory=dict)

    def slot(self, now: datetime) -> HourSlot | None:
        """The hour slot ``now`` falls in, or ``None`` outside business hours."""
        return slot_at(self.slots, now)

    def checks(
        self,
        now: datetime,
        *,
        mailbox: str | None = None,
        ip: str | None = None,
        provider: tuple[str, int] | None = None,
    ) -> tuple[CapCheck, ...] | None:
        """The caps a send at ``now`` must pass, or ``None`` when nothing may be sent now."""
        current = self.slot(now)
        if self.cap <= 0 or current is None or current.ceiling <= 0:
            return None
        return send_checks(
            domain=self.domain,
            timezone=self.timezone,
            at=now,
            domain_daily=self.cap,
            domain_hourly=current.ceiling,
            mailbox=(mailbox, self.mailbox_caps.get(mailbox, 0)) if mailbox else None,
            ip=(ip, self.ip_caps.get(ip, 0)) if ip else None,
            provider=provider,
        )


def _cap(fleet: Fleet, state: WarmupState | None, domain_name: str, day: date) -> int:
    segment = fleet.segments[fleet.domain(domain_name).segment]
    if state is None or not state.started(day) or state.paused:
        return 0
    return ramp_cap(segment.schedule, segment.daily_target, state.ramp_day)


def plan_fleet_day(
    fleet: Fleet, states: Mapping[str, WarmupState], day: date
) -> dict[str, DayPlan]:
    """Every domain's plan for ``day``.

    Paused members (``states`` keyed ``ip:...`` or ``mailbox:...``) get no share and the
    others take it over; a domain whose every sending IP is paused sends nothing. A sending
    IP's cap sums the shares of every domain that uses it, so an IP shared by two domains is
    capped once, for both.
    """
    paused = {subject for subject, state in states.items() if state.paused}
    caps = {}
    for domain in fleet.domains:
        subjects = [ip_subject(str(ip)) for ip in domain.sending_ips]
        blocked = bool(subjects) and all(s in paused for s in subjects)
        caps[domain.name] = 0 if blocked else _cap(fleet, states.get(domain.name), domain.name, day)
    ips = ip_shares(fleet, caps, paused)
    plans = {}
    for domain in fleet.domains:
        segment = fleet.segments[domain.segment]
        state = states.get(domain.name)
        cap = caps[domain.name]
        plans[domain.name] = DayPlan(
            domain=domain.name,
            timezone=domain.timezone,
            day=day,
            cap=cap,
            audience=audience_for(segment.schedule, state.ramp_day if state else 0),
            slots=pace_day(cap, day, domain.business_hours, domain.timezone, seed=domain.name),
            mailbox_caps=mailbox_shares(domain, cap, paused),
            ip_caps={str(ip): ips[str(ip)] for ip in domain.sending_ips},
        )
    return plans
