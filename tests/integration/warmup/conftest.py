"""Fixtures for the warmup integration tests: the example fleet, and a Redis key prefix."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
import redis

from mailfleet.core.fleet import Fleet
from mailfleet.spec import load_fleet

REDIS_URL = os.environ.get("MAILFLEET_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def init_fleet() -> Fleet:
    """The example fleet from the packaged template."""
    path = Path(str(resources.files("mailfleet.spec").joinpath("template.yaml")))
    return load_fleet(path)


@pytest.fixture
def prefix() -> Iterator[str]:
    """A random key prefix, cleaned up after the test."""
    value = f"mailfleet-test:{uuid.uuid4().hex}:"
    yield value
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=value + "*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
