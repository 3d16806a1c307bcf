"""The pipelined transaction against Postfix's smtp-sink (a C server that offers PIPELINING and
reads commands as a real MTA does); skipped where Postfix's tools are not installed."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

from mailfleet.adapters.sending.smtp_relay import SmtpRelay, SmtpRelayConfig
from mailfleet.adapters.sending.smtp_sink import free_port
from mailfleet.core.sending.outcomes import SendOutcome
from mailfleet.core.sending.ports import Envelope

SMTP_SINK = "/usr/sbin/smtp-sink"
pytestmark = pytest.mark.skipif(not shutil.which(SMTP_SINK), reason="smtp-sink not installed")


def _start(*options: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    process = subprocess.Popen([SMTP_SINK, *user, *options, f"127.0.0.1:{port}", "64"])
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)


@pytest.fixture
def smtp_sink() -> Iterator[int]:
    """smtp-sink on a free loopback port."""
    process, port = _start()
    yield port
    process.terminate()
    process.wait()


@pytest.fixture
def hanging_up_sink() -> Iterator[int]:
    """smtp-sink that hangs up, without a reply, when it gets DATA."""
    process, port = _start("-q", "DATA")
    yield port
    process.terminate()
    process.wait()


def _envelope(n: int, *recipients: str) -> Envelope:
    data = f"From: a@example.com\r\nMessage-ID: <{n}@example.com>\r\n\r\n.dot\r\nhi\r\n".encode()
    return Envelope("b@example.com", recipients or (f"u{n}@example.org",), data)


def test_many_messages_over_pipelined_connections(smtp_sink: int) -> None:
    """Forty messages, two with three recipients, over four pipelined connections: all sent."""

    async def run() -> tuple[list[SendOutcome], bool]:
        relay = SmtpRelay(SmtpRelayConfig("127.0.0.1", smtp_sink, pool_size=4))
        envelopes = [_envelope(i) for i in range(38)]
        envelopes += [_envelope(100 + i, "a@x.org", "b@x.org", "c@x.org") for i in range(2)]
        results = await asyncio.gather(*(relay.send(e) for e in envelopes))
        piped = all(c.pipe is not None for c in relay._idle)
        await relay.close()
        return [r.outcome for rs in results for r in rs], piped

    outcomes, piped = asyncio.run(run())
    assert outcomes == [SendOutcome.SENT] * 44
    assert piped


def test_hang_up_mid_transaction_defers(hanging_up_sink: int) -> None:
    """A server that hangs up after the pipelined commands defers the message as a lost
    connection, and the next message gets a fresh connection (and is deferred the same way)."""

    async def run() -> list[tuple[SendOutcome, str]]:
        relay = SmtpRelay(SmtpRelayConfig("127.0.0.1", hanging_up_sink, pool_size=1, timeout=5))
        first = await relay.send(_envelope(1))
        second = await relay.send(_envelope(2))
        await relay.close()
        return [(r[0].outcome, r[0].text.split(":")[0]) for r in (first, second)]

    assert asyncio.run(run()) == [(SendOutcome.DEFERRED, "connection to smtp lost")] * 2
