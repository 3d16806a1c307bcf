"""A real aiosmtpd sink on a free loopback port, stopped after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mailfleet.adapters.sending.smtp_sink import RecordingSink, start_sink
from mailfleet.core.sending.dkim import DkimAlgorithm, DkimKey

SINK_RULES = {
    "bad": "550 5.1.1 The email account that you tried to reach does not exist",
    "later": "421 4.7.0 Try again later, closing connection",
    "full": "452 4.2.2 Mailbox full",
}


@pytest.fixture
def sink() -> Iterator[tuple[RecordingSink, int]]:
    """A recording sink that refuses bad*, defers later* and full*; yields (sink, port)."""
    recorder = RecordingSink(rules=dict(SINK_RULES))
    controller = start_sink(recorder)
    try:
        yield recorder, controller.port
    finally:
        controller.stop()


@pytest.fixture(params=["one command at a time", "pipelining"])
def relay_sink(request: pytest.FixtureRequest) -> Iterator[tuple[RecordingSink, int]]:
    """The conftest's sink rules, on a server that does or does not offer PIPELINING."""
    recorder = RecordingSink(rules=dict(SINK_RULES), pipelining=request.param == "pipelining")
    controller = start_sink(recorder)
    try:
        yield recorder, controller.port
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def rsa_key() -> DkimKey:
    """An RSA-2048 DKIM key for example.com, selector s1."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return DkimKey("example.com", "s1", DkimAlgorithm.RSA_SHA256, pem)
