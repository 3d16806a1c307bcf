"""A real aiosmtpd sink on a free loopback port, stopped after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mailfleet.adapters.sending.smtp_sink import RecordingSink, start_sink

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
