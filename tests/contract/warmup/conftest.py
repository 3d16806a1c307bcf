"""Limiter backends for the contract suite: in-process, and Redis at 127.0.0.1:6379."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.limiter.memory import InProcessLimiter
from mailfleet.adapters.limiter.redis import RedisLimiter
from mailfleet.core.warmup.ports import Limiter

REDIS_URL = os.environ.get("MAILFLEET_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

LimiterFactory = Callable[[FakeClock], Limiter]


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A random key prefix for this test; every key under it is deleted afterwards."""
    prefix = f"mailfleet-test:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(params=["in-process", "redis"])
def make_limiter(request: pytest.FixtureRequest) -> LimiterFactory:
    """Build a limiter of each backend on a fake clock."""
    if request.param == "in-process":
        return InProcessLimiter
    prefix: str = request.getfixturevalue("redis_prefix")
    return lambda clock: RedisLimiter.from_url(REDIS_URL, prefix=prefix, clock=clock)
