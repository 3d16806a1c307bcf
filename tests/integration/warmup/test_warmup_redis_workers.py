"""Eight worker processes against the real Redis: not one send over the cap."""

from __future__ import annotations

import multiprocessing
import os

import pytest
import redis

from mailfleet.adapters.limiter.redis import RedisLimiter
from mailfleet.core.warmup.errors import LimiterUnavailable
from mailfleet.core.warmup.limits import CapCheck, Scope, Window

REDIS_URL = os.environ.get("MAILFLEET_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Windows far longer than the test, so no boundary can pass while the workers run.
LONG = Window("test", 10**9)


def _caps() -> tuple[CapCheck, ...]:
    return (
        CapCheck(Scope.DOMAIN, "pool.example", 500, LONG),
        CapCheck(Scope.IP, "198.51.100.20", 2_000, LONG),
        CapCheck(Scope.PROVIDER, "gmail", 10_000, LONG),
    )


def _hammer(prefix: str, attempts: int, results: multiprocessing.Queue[int]) -> None:
    limiter = RedisLimiter.from_url(REDIS_URL, prefix=prefix)  # Redis TIME as time base
    results.put(sum(1 for _ in range(attempts) if limiter.acquire(_caps())))


def test_eight_processes_get_exactly_the_cap(prefix: str) -> None:
    """8 processes x 150 attempts on a 500 cap: exactly 500 granted, every counter at 500."""
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[int] = context.Queue()
    workers = [context.Process(target=_hammer, args=(prefix, 150, results)) for _ in range(8)]
    for worker in workers:
        worker.start()
    granted = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert sum(granted) == 500
    limiter = RedisLimiter.from_url(REDIS_URL, prefix=prefix)
    assert [limiter.used(c) for c in _caps()] == [500, 500, 500]


def test_keys_expire_with_their_window(prefix: str) -> None:
    """Each counter carries a TTL that ends shortly after its window, so nothing piles up."""
    limiter = RedisLimiter.from_url(REDIS_URL, prefix=prefix)
    hour = CapCheck(Scope.DOMAIN, "ttl.example", 10, Window("hour", 3_600))
    assert limiter.acquire((hour,))
    ttl = redis.Redis.from_url(REDIS_URL).ttl(prefix + hour.key)
    assert 0 < ttl <= 3_600 + 60


def test_unreachable_redis_is_a_limiter_error() -> None:
    """A dead Redis raises ``LimiterUnavailable`` (retryable), not a redis-py exception."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    limiter = RedisLimiter.from_url(f"redis://127.0.0.1:{port}/0")
    with pytest.raises(LimiterUnavailable) as caught:
        limiter.acquire(_caps())
    assert caught.value.retryable
