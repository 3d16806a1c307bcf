"""Relay pools: per-segment weighted routing over SMTP relays bound to different source IPs."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter

from mailfleet.adapters.sending.relay_pool import RelayPool
from mailfleet.adapters.sending.smtp_relay import SmtpRelay, SmtpRelayConfig
from mailfleet.adapters.sending.smtp_sink import RecordingSink
from mailfleet.core.sending.outcomes import SendOutcome
from mailfleet.core.sending.ports import Envelope


def _pool(port: int) -> RelayPool:
    spread = itertools.cycle([i / 8 for i in range(8)])
    relays = {
        "ip1": SmtpRelay(SmtpRelayConfig("127.0.0.1", port, source_address="127.0.0.1")),
        "ip2": SmtpRelay(SmtpRelayConfig("127.0.0.1", port, source_address="127.0.0.2")),
    }
    pools = {"default": [("ip1", 3), ("ip2", 1)], "transactional": [("ip2", 1)]}
    return RelayPool(relays, pools, unit_random=lambda: next(spread))


def _send(pool: RelayPool, segment: str, n: int) -> list[SendOutcome]:
    async def run() -> list[SendOutcome]:
        outcomes = []
        for i in range(n):
            data = f"Message-ID: <{segment}{i}@x>\r\n\r\nhi\r\n".encode()
            envelope = Envelope("b@x.com", (f"u{i}@x.org",), data, segment=segment)
            outcomes += [r.outcome for r in await pool.send(envelope)]
        await pool.close()
        return outcomes

    return asyncio.run(run())


def test_segments_route_by_weight_and_source_ip(sink: tuple[RecordingSink, int]) -> None:
    """The default pool splits 3:1 over two source IPs; transactional uses only its own IP."""
    recorder, port = sink
    assert _send(_pool(port), "pool-a", 16) == [SendOutcome.SENT] * 16
    peers = Counter(r.peer.split("'")[1] for r in recorder.received)
    assert peers == {"127.0.0.1": 12, "127.0.0.2": 4}
    recorder.received.clear()
    _send(_pool(port), "transactional", 4)
    assert {r.peer.split("'")[1] for r in recorder.received} == {"127.0.0.2"}


def test_member_with_open_breaker_is_skipped(sink: tuple[RecordingSink, int]) -> None:
    """When one member's breaker is open, the rest of the pool carries all the mail."""
    recorder, port = sink
    pool = _pool(port)
    breaker = pool._relays["ip1"].breaker  # type: ignore[attr-defined]
    for _ in range(breaker.threshold):
        breaker.failure(time.monotonic())
    assert _send(pool, "pool-a", 8) == [SendOutcome.SENT] * 8
    assert {r.peer.split("'")[1] for r in recorder.received} == {"127.0.0.2"}
