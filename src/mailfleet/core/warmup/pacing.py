"""Pacing: a day's cap spread over the domain's business hours, in its own time zone.

Each local hour inside the business hours gets a ceiling in proportion to the minutes it
covers, nudged by a seeded jitter so that every domain does not peak at the same moment, and
apportioned in whole messages that sum exactly to the daily cap (the sketch's ``daily // 12``
turned 50 into 48). Inside an hour, sends are released evenly, never in a burst at its top.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mailfleet.core.fleet import BusinessHours
from mailfleet.core.warmup.schedule import split_fairly


@dataclass(frozen=True, slots=True)
class HourSlot:
    """One local hour (or part of one) of sending, in UTC, and how many it may send."""

    start: datetime
    end: datetime
    ceiling: int

    def release_at(self, index: int) -> datetime:
        """When the ``index``-th send (0-based) of this slot may go: evenly spaced."""
        if self.ceiling <= 0:
            return self.start
        step = (self.end - self.start) / self.ceiling
        return self.start + step * index

    def contains(self, moment: datetime) -> bool:
        """True when ``moment`` falls inside the slot."""
        return self.start <= moment < self.end


def _local_segments(day: date, hours: BusinessHours) -> list[tuple[time, time]]:
    """The day's business windows cut at local hour boundaries, in order."""
    pieces: list[tuple[time, time]] = []
    for window in sorted(hours.windows, key=lambda w: w.start):
        if day.weekday() not in window.days:
            continue
        start = window.start.hour * 60 + window.start.minute
        end = window.end.hour * 60 + window.end.minute
        while start < end:
            stop = min(end, (start // 60 + 1) * 60)
            pieces.append((_minute(start), _minute(stop)))
            start = stop
    return pieces


def _minute(total: int) -> time:
    return time.max if total >= 24 * 60 else time(total // 60, total % 60)


def _to_utc(day: date, moment: time, zone: ZoneInfo) -> datetime:
    if moment == time.max:
        return datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    return datetime.combine(day, moment, zone).astimezone(UTC)


def pace_day(
    daily_cap: int,
    day: date,
    hours: BusinessHours,
    timezone: str,
    *,
    seed: str = "",
    jitter: float = 0.2,
) -> tuple[HourSlot, ...]:
    """Hourly ceilings for ``day`` (a local date) that sum exactly to ``daily_cap``.

    ``jitter`` (0 to 1) varies each hour's weight by up to that fraction, drawn from a
    generator seeded with ``seed`` and the day, so a plan is the same every time it is made.
    A day without business hours gets no slots: nothing is sent that day.
    """
    zone = ZoneInfo(timezone)
    # a local hour that a spring-forward skips does not exist: it gets no slot and no share
    pieces = [
        (start, end)
        for start, end in _local_segments(day, hours)
        if _to_utc(day, start, zone) < _to_utc(day, end, zone)
    ]
    if not pieces:
        return ()
    rng = random.Random(f"{seed}:{day.isoformat()}")  # noqa: S311 - spreading load, not secrecy
    weights = []
    for start, end in pieces:
        minutes = (end.hour * 60 + end.minute if end != time.max else 24 * 60) - (
            start.hour * 60 + start.minute
        )
        weights.append(minutes * (1 + jitter * rng.uniform(-1.0, 1.0)))
    ceilings = split_fairly(max(daily_cap, 0), weights)
    return tuple(
        HourSlot(_to_utc(day, start, zone), _to_utc(day, end, zone), ceiling)
        for (start, end), ceiling in zip(pieces, ceilings, strict=True)
    )


def slot_at(slots: tuple[HourSlot, ...], moment: datetime) -> HourSlot | None:
    """The slot ``moment`` falls in, or ``None`` outside business hours."""
    for slot in slots:
        if slot.contains(moment):
            return slot
    return None


def local_day(moment: datetime, timezone: str) -> date:
    """The calendar date of ``moment`` in ``timezone``."""
    return moment.astimezone(ZoneInfo(timezone)).date()
