"""Warmup curves: the daily cap of a domain on each day of its ramp, and how caps are shared.

A schedule (``WarmupSchedule``) is data: consecutive weeks with a daily range, ending at the
segment's target. Within a week the cap rises geometrically from the range's low to its high,
so each day grows by the same factor and no day jumps to the top of a range; between weeks it
moves from one range's high to the next range's low, the smallest step that stays inside the
schedule. Every cap is bounded by the segment's daily target.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from mailfleet.core.fleet import (
    Audience,
    BusinessHours,
    Fleet,
    WarmupPriority,
    WarmupSchedule,
)

DAYS_PER_WEEK = 7

# Audiences a stage may reach: each tier includes the more engaged ones before it.
_TIER_ORDER: tuple[Audience, ...] = (
    Audience.MOST_ENGAGED,
    Audience.ENGAGED,
    Audience.BROAD,
    Audience.ALL,
)


@dataclass(frozen=True, slots=True)
class StartPolicy:
    """When each priority starts, in sending days after the fleet's warmup begins."""

    # Progressive domains start one after another across this many sending days, so the
    # fleet's total volume grows smoothly instead of jumping when a whole segment starts.
    progressive_spread_days: int = 4


def target_day(schedule: WarmupSchedule) -> int:
    """The first ramp day that sends the full target (the first day of the target week)."""
    for index, step in enumerate(schedule.steps):
        if step.is_target:
            return index * DAYS_PER_WEEK
    return len(schedule.steps) * DAYS_PER_WEEK


def ramp_cap(schedule: WarmupSchedule, daily_target: int, ramp_day: int) -> int:
    """The daily cap on ``ramp_day`` (0-based) of ``schedule``, at most ``daily_target``."""
    if ramp_day < 0:
        return 0
    week, day_in_week = divmod(ramp_day, DAYS_PER_WEEK)
    if week >= len(schedule.steps):
        return daily_target
    step = schedule.steps[week]
    if step.is_target or step.low is None:
        return daily_target
    low = step.low
    high = step.high if step.high is not None else low
    if high <= low:
        return min(daily_target, low)
    # Geometric within the week: the same daily growth factor, low on day 0, high on day 6.
    value: float = low * math.pow(high / low, day_in_week / (DAYS_PER_WEEK - 1))
    return min(daily_target, round(value))


def week_of(ramp_day: int) -> int:
    """The 1-based schedule week that ``ramp_day`` falls in."""
    return max(ramp_day, 0) // DAYS_PER_WEEK + 1


def audience_for(schedule: WarmupSchedule, ramp_day: int) -> Audience:
    """The widest audience the stage at ``ramp_day`` may reach (the schedule's week)."""
    week = min(week_of(ramp_day), len(schedule.steps))
    return schedule.steps[week - 1].audience


def reachable_tiers(audience: Audience) -> tuple[Audience, ...]:
    """Every recipient tier a stage with ``audience`` may send to, most engaged first."""
    return _TIER_ORDER[: _TIER_ORDER.index(audience) + 1]


def may_reach(audience: Audience, recipient_tier: Audience) -> bool:
    """True when a recipient of ``recipient_tier`` is inside the stage's ``audience``."""
    return recipient_tier in reachable_tiers(audience)


def start_offsets(fleet: Fleet, policy: StartPolicy | None = None) -> Mapping[str, int]:
    """Sending days after the fleet's warmup start at which each domain begins its ramp.

    First, parallel and minimal segments start on the first day. Progressive domains are
    staggered evenly across ``progressive_spread_days`` in spec order, the last on the final
    day of the spread.
    """
    policy = policy or StartPolicy()
    progressive = [
        d.name
        for d in fleet.domains
        if fleet.segments[d.segment].priority is WarmupPriority.PROGRESSIVE
    ]
    offsets = {d.name: 0 for d in fleet.domains}
    count = len(progressive)
    for position, name in enumerate(progressive, start=1):
        offsets[name] = round(position * policy.progressive_spread_days / count)
    return offsets


def sending_day_after(first_day: date, offset: int, hours: BusinessHours) -> date:
    """The ``offset``-th day with business hours on or after ``first_day`` (0 is the first).

    A ramp that started on a rest day would spend its first day with nothing to judge, so
    start days are counted in sending days.
    """
    weekdays = {d for w in hours.windows for d in w.days}
    if not weekdays:
        return first_day + timedelta(days=offset)
    day = first_day
    while day.weekday() not in weekdays:
        day += timedelta(days=1)
    for _ in range(offset):
        day += timedelta(days=1)
        while day.weekday() not in weekdays:
            day += timedelta(days=1)
    return day


def start_days(fleet: Fleet, first_day: date, policy: StartPolicy | None = None) -> dict[str, date]:
    """Each domain's first sending day when the fleet's warmup begins on ``first_day``."""
    offsets = start_offsets(fleet, policy)
    return {
        d.name: sending_day_after(first_day, offsets[d.name], d.business_hours)
        for d in fleet.domains
    }


def split_fairly(total: int, weights: Sequence[float]) -> tuple[int, ...]:
    """Share ``total`` in proportion to ``weights`` in whole units that sum exactly to it.

    Largest-remainder apportionment: each share is floored, and the units left over go to the
    largest remainders (earliest first on ties), so nothing is lost to rounding.
    """
    if total <= 0 or not weights:
        return tuple(0 for _ in weights)
    weight_sum = sum(weights)
    if weight_sum <= 0:
        weights = [1.0] * len(weights)
        weight_sum = float(len(weights))
    exact = [total * w / weight_sum for w in weights]
    shares = [int(x) for x in exact]
    left = total - sum(shares)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += 1
    return tuple(shares)
