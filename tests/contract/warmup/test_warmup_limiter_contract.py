"""One contract, both limiter backends: atomic multi-cap acquire and windows that reset."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from mailfleet.adapters.clock import FakeClock
from mailfleet.core.warmup.limits import CapCheck, Scope, Window, send_checks
from mailfleet.core.warmup.ports import Limiter

LimiterFactory = Callable[[FakeClock], Limiter]

MONDAY_NOON = datetime(2026, 1, 5, 17, 0, tzinfo=UTC)  # 12:00 in New York


def checks(daily: int, hourly: int, mailbox: int = 1_000) -> tuple[CapCheck, ...]:
    return send_checks(
        domain="acme.example",
        timezone="America/New_York",
        at=MONDAY_NOON,
        domain_daily=daily,
        domain_hourly=hourly,
        mailbox=("hello@acme.example", mailbox),
    )


def test_grants_up_to_the_cap_and_no_more(make_limiter: LimiterFactory) -> None:
    """A cap of 5 grants five single sends, then refuses and names the full cap."""
    limiter = make_limiter(FakeClock(MONDAY_NOON))
    caps = checks(daily=5, hourly=100)
    assert all(limiter.acquire(caps) for _ in range(5))
    refused = limiter.acquire(caps)
    assert not refused
    assert refused.blocked_by == "domain:acme.example:day"
    assert refused.used == 5


def test_acquire_is_all_or_nothing(make_limiter: LimiterFactory) -> None:
    """When one cap is full, none of the others is charged."""
    limiter = make_limiter(FakeClock(MONDAY_NOON))
    caps = checks(daily=100, hourly=100, mailbox=2)
    assert limiter.acquire(caps, 2)
    assert not limiter.acquire(caps)
    assert [limiter.used(c) for c in caps] == [2, 2, 2]


def test_a_batch_bigger_than_the_room_is_refused_whole(make_limiter: LimiterFactory) -> None:
    """Asking for 4 with 3 left grants nothing; asking for 3 then fits exactly."""
    limiter = make_limiter(FakeClock(MONDAY_NOON))
    caps = checks(daily=10, hourly=100)
    assert limiter.acquire(caps, 7)
    assert not limiter.acquire(caps, 4)
    assert limiter.acquire(caps, 3)
    assert limiter.used(caps[0]) == 10


def test_hourly_window_resets_at_the_next_local_hour(make_limiter: LimiterFactory) -> None:
    """A full hour refuses until the clock reaches the next hour, then grants again."""
    clock = FakeClock(MONDAY_NOON + timedelta(minutes=10))
    limiter = make_limiter(clock)
    caps = checks(daily=100, hourly=3)
    assert limiter.acquire(caps, 3)
    assert not limiter.acquire(caps)
    clock.advance(timedelta(minutes=49))
    assert not limiter.acquire(caps)
    clock.advance(timedelta(minutes=1))
    assert limiter.acquire(caps)
    assert limiter.used(caps[1]) == 1
    assert limiter.used(caps[0]) == 4


def test_daily_window_resets_at_local_midnight(make_limiter: LimiterFactory) -> None:
    """A full day refuses until midnight in the domain's zone (05:00 UTC in winter)."""
    clock = FakeClock(MONDAY_NOON)
    limiter = make_limiter(clock)
    caps = checks(daily=2, hourly=100)
    assert limiter.acquire(caps, 2)
    clock.set(datetime(2026, 1, 6, 4, 59, tzinfo=UTC))
    assert not limiter.acquire(caps)
    clock.set(datetime(2026, 1, 6, 5, 0, tzinfo=UTC))
    assert limiter.acquire(caps, 2)


def test_caps_are_independent_per_key(make_limiter: LimiterFactory) -> None:
    """Another domain's counter is untouched by this one's sends."""
    limiter = make_limiter(FakeClock(MONDAY_NOON))
    day = Window("day", 86_400)
    one = (CapCheck(Scope.DOMAIN, "one.example", 1, day),)
    two = (CapCheck(Scope.DOMAIN, "two.example", 1, day),)
    assert limiter.acquire(one)
    assert not limiter.acquire(one)
    assert limiter.acquire(two)


def test_threads_never_exceed_the_cap(make_limiter: LimiterFactory) -> None:
    """Eight threads racing for 100 sends get exactly 100 between them."""
    limiter = make_limiter(FakeClock(MONDAY_NOON))
    caps = checks(daily=100, hourly=1_000)
    granted: list[int] = []

    def worker() -> None:
        granted.append(sum(1 for _ in range(40) if limiter.acquire(caps)))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(granted) == 100
