"""Pacing: hourly ceilings over business hours in the domain's zone, exact and seeded."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from mailfleet.core.fleet import BusinessHours, HoursWindow
from mailfleet.core.warmup.pacing import local_day, pace_day, slot_at

WEEKDAYS = BusinessHours(
    "default", (HoursWindow(frozenset({0, 1, 2, 3, 4}), time(8, 0), time(20, 0)),)
)
MONDAY = date(2026, 1, 5)


def test_fifty_a_day_is_fifty_across_twelve_hours() -> None:
    """Twelve hourly ceilings sum to exactly 50 (the sketch lost two to ``50 // 12``)."""
    slots = pace_day(50, MONDAY, WEEKDAYS, "America/New_York", seed="acme.example")
    assert len(slots) == 12
    assert sum(s.ceiling for s in slots) == 50


def test_hours_are_local_to_the_domain_zone() -> None:
    """08:00 in New York in January is 13:00 UTC; the last slot ends at 20:00 local."""
    slots = pace_day(100, MONDAY, WEEKDAYS, "America/New_York")
    assert slots[0].start == datetime(2026, 1, 5, 13, 0, tzinfo=UTC)
    assert slots[-1].end == datetime(2026, 1, 6, 1, 0, tzinfo=UTC)
    summer = pace_day(100, date(2026, 7, 6), WEEKDAYS, "America/New_York")
    assert summer[0].start == datetime(2026, 7, 6, 12, 0, tzinfo=UTC)


def test_weekend_has_no_slots() -> None:
    """A day outside the business hours gets no slots: nothing is sent."""
    assert pace_day(500, MONDAY + timedelta(days=5), WEEKDAYS, "UTC") == ()


def test_jitter_is_seeded_and_varies_by_domain() -> None:
    """The same seed gives the same plan; another domain peaks in other hours."""
    one = pace_day(1_000, MONDAY, WEEKDAYS, "UTC", seed="a.example")
    again = pace_day(1_000, MONDAY, WEEKDAYS, "UTC", seed="a.example")
    other = pace_day(1_000, MONDAY, WEEKDAYS, "UTC", seed="b.example")
    assert one == again
    assert [s.ceiling for s in one] != [s.ceiling for s in other]
    assert sum(s.ceiling for s in other) == 1_000


def test_jitter_is_bounded() -> None:
    """With 20 % jitter no hour gets more than 1.2/0.8 of another's share, plus rounding."""
    slots = pace_day(12_000, MONDAY, WEEKDAYS, "UTC", seed="x", jitter=0.2)
    ceilings = [s.ceiling for s in slots]
    assert max(ceilings) <= min(ceilings) * 1.5 + 1


def test_partial_hours_get_a_proportional_share() -> None:
    """A window from 08:30 gives its first half hour about half an hour's ceiling."""
    hours = BusinessHours("half", (HoursWindow(frozenset({0}), time(8, 30), time(10, 0)),))
    slots = pace_day(300, MONDAY, hours, "UTC", jitter=0.0)
    assert [s.ceiling for s in slots] == [100, 200]
    assert slots[0].start == datetime(2026, 1, 5, 8, 30, tzinfo=UTC)


def test_sends_are_spread_inside_an_hour() -> None:
    """Releases inside a slot are evenly spaced: no burst at the top of the hour."""
    slot = pace_day(120, MONDAY, WEEKDAYS, "UTC", jitter=0.0)[0]
    assert slot.ceiling == 10
    assert slot.release_at(0) == slot.start
    assert slot.release_at(1) - slot.release_at(0) == timedelta(minutes=6)
    assert slot.release_at(9) < slot.end


def test_slot_lookup_and_local_day() -> None:
    """The slot for a moment is found; outside hours there is none; the local date is right."""
    slots = pace_day(120, MONDAY, WEEKDAYS, "America/New_York")
    assert slot_at(slots, datetime(2026, 1, 5, 14, 30, tzinfo=UTC)) == slots[1]
    assert slot_at(slots, datetime(2026, 1, 5, 3, 0, tzinfo=UTC)) is None
    late = datetime(2026, 1, 6, 0, 30, tzinfo=UTC)
    assert local_day(late, "America/New_York") == MONDAY


def test_daylight_saving_day_keeps_local_hours() -> None:
    """On the Monday after clocks go forward, 08:00 New York is 12:00 UTC and the cap holds."""
    monday = date(2026, 3, 9)
    slots = pace_day(77, monday, WEEKDAYS, "America/New_York")
    assert slots[0].start == datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    assert sum(s.ceiling for s in slots) == 77


def test_the_hour_a_spring_forward_skips_gets_no_slot() -> None:
    """On the DST start day in New York, 02:00-03:00 does not exist: no empty slot, full cap."""
    hours = BusinessHours("night", (HoursWindow(frozenset(range(7)), time(1), time(4)),))
    slots = pace_day(90, date(2026, 3, 8), hours, "America/New_York")
    assert all(s.start < s.end for s in slots)
    assert len(slots) == 2
    assert sum(s.ceiling for s in slots) == 90
