"""Properties that must hold for any input: exact splits, exact pacing, monotone ramps."""

from __future__ import annotations

from datetime import date, time, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from mailfleet.core.fleet import Audience, BusinessHours, HoursWindow, WarmupSchedule, WarmupStep
from mailfleet.core.warmup.pacing import pace_day
from mailfleet.core.warmup.schedule import ramp_cap, split_fairly

SIX_WEEKS = WarmupSchedule(
    "six-weeks",
    (
        WarmupStep(1, 20, 50, Audience.MOST_ENGAGED),
        WarmupStep(2, 100, 200, Audience.MOST_ENGAGED),
        WarmupStep(3, 500, 1000, Audience.ENGAGED),
        WarmupStep(4, 2000, 5000, Audience.BROAD),
        WarmupStep(5, 5000, 10000, Audience.ALL),
        WarmupStep(6, None, None, Audience.ALL),
    ),
)


@given(
    total=st.integers(min_value=0, max_value=1_000_000),
    weights=st.lists(st.floats(min_value=0.01, max_value=100), min_size=1, max_size=40),
)
def test_split_fairly_always_sums_exactly(total: int, weights: list[float]) -> None:
    """Whatever the weights, the shares are non-negative and add up to the total."""
    shares = split_fairly(total, weights)
    assert sum(shares) == total
    assert min(shares) >= 0


@settings(max_examples=60)
@given(
    cap=st.integers(min_value=0, max_value=50_000),
    start=st.integers(min_value=0, max_value=22 * 60),
    length=st.integers(min_value=1, max_value=12 * 60),
    offset=st.integers(min_value=0, max_value=400),
    zone=st.sampled_from(["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata"]),
    seed=st.text(max_size=8),
)
def test_pacing_is_exact_and_inside_hours(
    cap: int, start: int, length: int, offset: int, zone: str, seed: str
) -> None:
    """Hourly ceilings sum to the daily cap and every slot lies inside the business window."""
    end = min(start + length, 24 * 60 - 1)
    hours = BusinessHours(
        "h",
        (
            HoursWindow(
                frozenset(range(7)), time(start // 60, start % 60), time(end // 60, end % 60)
            ),
        ),
    )
    day = date(2026, 1, 1) + timedelta(days=offset)
    slots = pace_day(cap, day, hours, zone, seed=seed)
    assert sum(s.ceiling for s in slots) == cap
    assert all(s.start < s.end for s in slots)
    assert all(a.end <= b.start for a, b in pairwise(slots))
    assert (slots[-1].end - slots[0].start) <= timedelta(minutes=end - start, hours=1)


@given(
    target=st.integers(min_value=1, max_value=100_000),
    day=st.integers(min_value=0, max_value=80),
)
def test_ramp_is_monotone_and_bounded(target: int, day: int) -> None:
    """A cap never exceeds the target and never falls from one ramp day to the next."""
    today = ramp_cap(SIX_WEEKS, target, day)
    assert 0 < today <= target
    assert ramp_cap(SIX_WEEKS, target, day + 1) >= today
