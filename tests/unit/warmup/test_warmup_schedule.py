"""Warmup curves, start offsets, fair splits and engagement tiers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mailfleet.core.fleet import Audience, Fleet
from mailfleet.core.warmup.members import ip_shares, mailbox_shares
from mailfleet.core.warmup.schedule import (
    audience_for,
    may_reach,
    ramp_cap,
    sending_day_after,
    split_fairly,
    start_days,
    start_offsets,
    target_day,
    week_of,
)


def test_each_week_stays_inside_its_range(init_fleet: Fleet) -> None:
    """Every day of weeks 1-5 has a cap inside that week's range from the schedule."""
    schedule = init_fleet.schedules["six-weeks"]
    for day in range(35):
        step = schedule.steps[day // 7]
        assert step.low is not None
        assert step.high is not None
        assert step.low <= ramp_cap(schedule, 100_000, day) <= step.high


def test_week_starts_at_low_and_ends_at_high(init_fleet: Fleet) -> None:
    """A week opens at its range's low and reaches its high only on its last day."""
    schedule = init_fleet.schedules["six-weeks"]
    assert ramp_cap(schedule, 100_000, 0) == 20
    assert ramp_cap(schedule, 100_000, 6) == 50
    assert ramp_cap(schedule, 100_000, 7) == 100
    assert ramp_cap(schedule, 100_000, 13) == 200


def test_caps_never_fall_and_grow_smoothly_inside_a_week(init_fleet: Fleet) -> None:
    """Caps are non-decreasing, and inside a week each day grows by the same bounded factor."""
    schedule = init_fleet.schedules["six-weeks"]
    caps = [ramp_cap(schedule, 12_000, d) for d in range(50)]
    assert caps == sorted(caps)
    for day in range(34):
        if day % 7 != 6:
            assert caps[day + 1] <= caps[day] * 1.35 + 1


def test_no_overnight_jump_to_the_top_of_the_next_range(init_fleet: Fleet) -> None:
    """The first day of a week is its range's low, never the high the sketch jumped to."""
    schedule = init_fleet.schedules["six-weeks"]
    for week in range(1, 5):
        first = ramp_cap(schedule, 100_000, week * 7)
        step = schedule.steps[week]
        assert first == step.low
        assert first != step.high


def test_week_six_is_the_target_and_target_bounds_every_cap(init_fleet: Fleet) -> None:
    """The target week sends the target, and a small target caps earlier weeks too."""
    schedule = init_fleet.schedules["six-weeks"]
    assert target_day(schedule) == 35
    assert ramp_cap(schedule, 12_000, 35) == 12_000
    assert ramp_cap(schedule, 12_000, 400) == 12_000
    assert all(ramp_cap(schedule, 2_000, d) <= 2_000 for d in range(60))
    assert ramp_cap(schedule, 2_000, 21) == 2_000


def test_minimal_schedule_is_a_short_ramp(init_fleet: Fleet) -> None:
    """The monitoring segment's short schedule reaches its small target in week two."""
    monitoring = init_fleet.segments["monitoring"]
    assert target_day(monitoring.schedule) == 7
    assert ramp_cap(monitoring.schedule, monitoring.daily_target, 0) == 10
    assert ramp_cap(monitoring.schedule, monitoring.daily_target, 7) == 200


def test_before_the_ramp_the_cap_is_zero(init_fleet: Fleet) -> None:
    """A negative ramp day (not started) allows nothing."""
    assert ramp_cap(init_fleet.schedules["six-weeks"], 5_000, -1) == 0


def test_priorities_set_start_offsets(init_fleet: Fleet) -> None:
    """First, parallel and minimal start on day 0; progressive pools are staggered evenly."""
    offsets = start_offsets(init_fleet)
    assert offsets["acme.example"] == 0
    assert offsets["acme-notify.example"] == 0
    assert offsets["acme-ops.example"] == 0
    pools = [offsets[n] for n in ("acme-outreach.example", "acme-reach.example")]
    pools.append(offsets["acme-connect.example"])
    assert pools == [1, 3, 4]


@pytest.mark.parametrize(
    ("total", "weights"),
    [(50, [1.0] * 12), (7, [1.0, 1.0, 1.0]), (12_000, [3.0, 1.0, 0.5]), (1, [1.0] * 20)],
)
def test_split_fairly_sums_exactly(total: int, weights: list[float]) -> None:
    """Shares add up to the total exactly and differ from their exact value by under one."""
    shares = split_fairly(total, weights)
    assert sum(shares) == total
    for share, weight in zip(shares, weights, strict=True):
        assert abs(share - total * weight / sum(weights)) < 1


def test_fifty_over_twelve_hours_loses_nothing() -> None:
    """The sketch's 50 // 12 lost two a day; the fair split keeps all fifty."""
    shares = split_fairly(50, [1.0] * 12)
    assert sum(shares) == 50
    assert set(shares) == {4, 5}


def test_mailbox_caps_share_the_domain_cap_within_limits(init_fleet: Fleet) -> None:
    """A domain cap is split across its mailboxes, each bounded by its own daily limit."""
    pool = init_fleet.domain("acme-outreach.example")
    caps = mailbox_shares(pool, 200, ())
    assert sum(caps.values()) == 200
    assert set(caps.values()) == {10}
    big = mailbox_shares(pool, 12_000, ())
    assert all(cap == 40 for cap in big.values())


def test_ip_caps_split_a_domain_across_its_ips(init_fleet: Fleet) -> None:
    """A domain with two IPs gives each half of its cap; the totals match the domain caps."""
    caps = ip_shares(init_fleet, {"acme-outreach.example": 101, "acme.example": 40}, ())
    assert caps["198.51.100.20"] + caps["2001:db8::20"] == 101
    assert caps["192.0.2.10"] == 40


def test_early_weeks_reach_only_engaged_recipients(init_fleet: Fleet) -> None:
    """Weeks 1-2 reach the most engaged only; the audience broadens to all by week 5."""
    schedule = init_fleet.schedules["six-weeks"]
    assert audience_for(schedule, 0) is Audience.MOST_ENGAGED
    assert not may_reach(audience_for(schedule, 10), Audience.ENGAGED)
    assert may_reach(audience_for(schedule, 14), Audience.ENGAGED)
    assert not may_reach(audience_for(schedule, 14), Audience.BROAD)
    assert may_reach(audience_for(schedule, 21), Audience.BROAD)
    assert may_reach(audience_for(schedule, 100), Audience.ALL)
    assert week_of(0) == 1
    assert week_of(35) == 6


def test_start_days_count_sending_days(init_fleet: Fleet) -> None:
    """From a Monday, pools start Tuesday, Thursday and Friday; a Saturday start moves to Monday."""
    monday = date(2026, 1, 5)
    starts = start_days(init_fleet, monday)
    assert starts["acme.example"] == monday
    pools = ("acme-outreach.example", "acme-reach.example", "acme-connect.example")
    assert [(starts[p] - monday).days for p in pools] == [1, 3, 4]
    saturday = start_days(init_fleet, monday + timedelta(days=5))
    assert saturday["acme.example"] == monday + timedelta(days=7)
    assert saturday["acme-notify.example"] == monday + timedelta(days=5)  # works Saturdays
    assert sending_day_after(monday, 5, init_fleet.domain("acme.example").business_hours) == (
        monday + timedelta(days=7)
    )
