"""The clock port's implementations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mailfleet.adapters.clock import FakeClock, SystemClock


def test_fake_clock_moves_only_when_told() -> None:
    """A fake clock stays put until advanced, and sleep advances it without waiting."""
    clock = FakeClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    assert clock.now() == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    clock.sleep(90)
    assert clock.now() == datetime(2026, 3, 1, 12, 1, 30, tzinfo=UTC)
    clock.advance(timedelta(days=1))
    assert clock.now().day == 2


def test_fake_clock_refuses_to_go_back() -> None:
    """Time never runs backwards, even on a fake clock."""
    clock = FakeClock()
    with pytest.raises(ValueError, match="never goes back"):
        clock.set(clock.now() - timedelta(seconds=1))


def test_system_clock_is_aware_utc() -> None:
    """The system clock returns timezone-aware UTC times."""
    now = SystemClock().now()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)
