"""Fixtures for the wiring tests: an aiosmtpd sink on a free port and a DKIM key."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
import redis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from wiring_kit import REDIS_URL

from mailfleet.adapters.sending.smtp_sink import RecordingSink, start_sink
from mailfleet.core.fleet import Fleet
from mailfleet.core.sending.dkim import DkimAlgorithm, DkimKey
from mailfleet.spec import load_fleet


@pytest.fixture(scope="session")
def init_fleet() -> Fleet:
    """The example fleet from the packaged template."""
    path = Path(str(resources.files("mailfleet.spec").joinpath("template.yaml")))
    return load_fleet(path)


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A random Redis key prefix for one test, its keys deleted afterwards."""
    value = f"mailfleet-wiring-test:{uuid.uuid4().hex}:"
    yield value
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=value + "*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def sink() -> Iterator[tuple[RecordingSink, int]]:
    """A sink that accepts everything but ``refused*`` (550 5.1.1); yields (sink, port)."""
    recorder = RecordingSink(rules={"refused": "550 5.1.1 No such user here"})
    controller = start_sink(recorder)
    try:
        yield recorder, controller.port
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def dkim_keys() -> dict[str, list[DkimKey]]:
    """One RSA-2048 key (selector s1) for each of the test sending domains."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    domains = ("example.com", "example.net", "acme.example", "acme-outreach.example")
    return {d: [DkimKey(d, "s1", DkimAlgorithm.RSA_SHA256, pem)] for d in domains}
