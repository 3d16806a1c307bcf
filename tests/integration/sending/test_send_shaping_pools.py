"""Send-time shaping and the spec's IP pools, against real aiosmtpd sinks and a real Redis.

- per-provider and per-sending-IP bounds on sends in flight, watched from the sink;
- backoffs one dispatcher learns are held to by another through Redis (domain and IP scope);
- each segment's pool built from the spec: messages leave from their own domain's IPs,
  in proportion to the pool's weights (the sink sees the peer address).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.sending.memory import (
    InMemoryDkimKeys,
    InMemoryMessageQueue,
    InMemorySendGate,
    InMemorySuppressions,
)
from mailfleet.adapters.sending.policy_files import load_shaping
from mailfleet.adapters.sending.pool_factory import build_segment_pool, smtp_relay_factory
from mailfleet.adapters.sending.shaping_memory import InMemoryShapingStore
from mailfleet.adapters.sending.shaping_redis import RedisShapingStore
from mailfleet.adapters.sending.smtp_relay import SmtpRelay, SmtpRelayConfig
from mailfleet.adapters.sending.smtp_sink import RecordingSink, start_sink
from mailfleet.bootstrap import build
from mailfleet.core.errors import ConfigError
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.dkim import DkimKey
from mailfleet.core.sending.model import MessageDraft, MessageState
from mailfleet.core.sending.ports import Relay, ShapingStore
from mailfleet.core.sending.shaping import ShapingPolicy, parse_shaping
from mailfleet.services.dispatcher import Dispatcher, DispatchSettings
from mailfleet.settings import load_settings
from mailfleet.spec import load_fleet

REDIS_URL = os.environ.get("MAILFLEET_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class SlowSink(RecordingSink):
    """Holds each DATA for a moment and records how many were in flight at once, per
    recipient domain and per peer IP."""

    def __init__(self, rules: dict[str, str] | None = None) -> None:
        super().__init__(rules=rules or {})
        self.in_flight: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Count, wait 30 ms, record."""
        keys = [
            "to:" + envelope.rcpt_tos[0].rpartition("@")[2],
            "ip:" + session.peer[0],
            "all",
        ]
        for key in keys:
            self.in_flight[key] += 1
            self.peak[key] = max(self.peak[key], self.in_flight[key])
        await asyncio.sleep(0.03)
        for key in keys:
            self.in_flight[key] -= 1
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_sink() -> Iterator[tuple[SlowSink, int]]:
    """A slow recording sink; ``later*`` recipients get Gmail's 4.7.28, ``ms*`` Microsoft's
    4.7.650 (about the sending IP)."""
    recorder = SlowSink(
        {
            "later": "421 4.7.28 Our system has detected an unusual rate of unsolicited mail",
            "ms": "451 4.7.650 The mail server has been temporarily rate limited due to IP "
            "reputation",
        }
    )
    controller = start_sink(recorder)
    try:
        yield recorder, controller.port
    finally:
        controller.stop()


@pytest.fixture
def redis_key() -> Iterator[str]:
    """A Redis key of this test's own, deleted afterwards."""
    key = f"mailfleet-test:shaping:{uuid.uuid4().hex}"
    yield key
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(key)
    client.close()


def _policy(gmail_connections: int = 2, ip_connections: int = 0) -> ShapingPolicy:
    shipped = load_shaping()
    data: dict[str, Any] = {
        "sending_ip": {"connections": ip_connections},
        "default": {"connections": 10, "messages_per_minute": 600},
        "providers": {
            p.name: {
                "connections": gmail_connections if p.name == "gmail" else p.connections,
                "domains": list(p.domains),
                "mx_suffixes": list(p.mx_suffixes),
                "rules": [
                    {
                        "code": r.code,
                        "enhanced": r.enhanced,
                        "text": r.text,
                        "action": r.action.value,
                        "minutes": r.minutes,
                        "factor": r.factor,
                        "scope": r.scope.value,
                    }
                    for r in p.rules
                ],
            }
            for p in shipped.providers
        },
    }
    return parse_shaping(data)


def _dispatcher(
    queue: InMemoryMessageQueue,
    relay: Relay,
    key: DkimKey,
    *,
    policy: ShapingPolicy,
    store: ShapingStore | None = None,
    worker: str = "w1",
    concurrency: int = 8,
    domains: tuple[str, ...] = ("example.com",),
) -> Dispatcher:
    keys = {d: [DkimKey(d, key.selector, key.algorithm, key.private_pem)] for d in domains}
    return Dispatcher(
        queue=queue,
        relay=relay,
        gate=InMemorySendGate(),
        suppressions=InMemorySuppressions(),
        keys=InMemoryDkimKeys(keys),
        clock=FakeClock(NOW),
        settings=DispatchSettings(
            verp_key=Secret("v" * 32), batch_size=100, concurrency=concurrency
        ),
        worker=worker,
        unit_random=lambda: 0.5,
        shaping=policy,
        shaping_store=store,
    )


def _queue(*pairs: tuple[str, str]) -> InMemoryMessageQueue:
    queue = InMemoryMessageQueue()
    queue.enqueue([MessageDraft(s, r, "Hi", "Hello\n") for s, r in pairs], NOW)
    return queue


def _states(queue: InMemoryMessageQueue) -> dict[str, MessageState]:
    return {row.message.draft.recipient: row.state for row in queue.rows.values()}


def _drain(dispatcher: Dispatcher) -> None:
    async def run() -> None:
        await dispatcher.drain()
        await dispatcher.relay.close()

    asyncio.run(run())


def test_provider_connections_bound_sends_in_flight(
    slow_sink: tuple[SlowSink, int], rsa_key: DkimKey
) -> None:
    """Gmail allows 2 connections: never more than 2 Gmail sends at once, while the other
    receivers use the rest of the worker's 8."""
    recorder, port = slow_sink
    pairs = [("news@example.com", f"u{i}@gmail.com") for i in range(12)]
    pairs += [("news@example.com", f"u{i}@example.org") for i in range(12)]
    queue = _queue(*pairs)
    relay = SmtpRelay(SmtpRelayConfig("127.0.0.1", port, pool_size=8))
    _drain(_dispatcher(queue, relay, rsa_key, policy=_policy(gmail_connections=2)))
    assert set(_states(queue).values()) == {MessageState.SENT}
    assert recorder.peak["to:gmail.com"] == 2
    assert recorder.peak["to:example.org"] > 2
    assert recorder.peak["all"] <= 8


def _spec(tmp_path: Path, port: int, domains: dict[str, list[str]]) -> Path:
    lines = [
        "version: 1",
        "name: pools",
        "defaults: {dns: local, mailbox: local, relay: sinkrelay}",
        "providers:",
        "  dns: {local: {kind: memory}}",
        "  mailbox: {local: {kind: memory}}",
        "  relay:",
        f"    sinkrelay: {{kind: smtp, host: 127.0.0.1, port: {port}, tls: none}}",
        "segments:",
        "  outreach:",
        "    purpose: test",
        "    volume: {profile: high, daily_target: 1000}",
        "    warmup: {priority: first}",
        "domains:",
    ]
    for name, ips in domains.items():
        lines += [
            f"  - name: {name}",
            "    segment: outreach",
            f"    sending_ips: [{', '.join(ips)}]",
            "    mailboxes:",
            "      - {username: news, display_name: News}",
        ]
    path = tmp_path / "fleet.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_sending_ip_connections_bound_each_ip(
    tmp_path: Path, slow_sink: tuple[SlowSink, int], rsa_key: DkimKey
) -> None:
    """With 3 connections per sending IP, each IP carries at most 3 sends at once, and the
    two IPs of the pool together more than 3."""
    recorder, port = slow_sink
    fleet = load_fleet(_spec(tmp_path, port, {"one.example": ["127.0.0.2", "127.0.0.3"]}))
    spread = itertools.cycle([0.1, 0.9])
    pool = build_segment_pool(
        fleet, smtp_relay_factory(pool_size=8), unit_random=lambda: next(spread)
    )
    queue = _queue(*[("news@one.example", f"u{i}@example.org") for i in range(24)])
    dispatcher = _dispatcher(
        queue, pool, rsa_key, policy=_policy(ip_connections=3), domains=("one.example",)
    )
    _drain(dispatcher)
    assert set(_states(queue).values()) == {MessageState.SENT}
    assert recorder.peak["ip:127.0.0.2"] == 3
    assert recorder.peak["ip:127.0.0.3"] == 3
    assert recorder.peak["all"] > 3


def test_spec_pool_keeps_each_domain_on_its_own_ips_by_weight(
    tmp_path: Path, slow_sink: tuple[SlowSink, int], rsa_key: DkimKey
) -> None:
    """one.example sends from .2 and .3, two.example from .3 and .4; the segment's pool weighs
    .3 twice (two domains use it), so one.example splits 1:2 and two.example 2:1."""
    recorder, port = slow_sink
    fleet = load_fleet(
        _spec(
            tmp_path,
            port,
            {"one.example": ["127.0.0.2", "127.0.0.3"], "two.example": ["127.0.0.3", "127.0.0.4"]},
        )
    )
    spread = itertools.cycle([i / 6 for i in range(6)])
    pool = build_segment_pool(fleet, smtp_relay_factory(), unit_random=lambda: next(spread))
    pairs = [("news@one.example", f"a{i}@example.org") for i in range(12)]
    pairs += [("news@two.example", f"b{i}@example.org") for i in range(12)]
    queue = _queue(*pairs)
    dispatcher = _dispatcher(
        queue, pool, rsa_key, policy=_policy(), domains=("one.example", "two.example"),
        concurrency=1,
    )  # fmt: skip
    _drain(dispatcher)
    assert set(_states(queue).values()) == {MessageState.SENT}
    peers: dict[str, Counter[str]] = {"a": Counter(), "b": Counter()}
    for received in recorder.received:
        peers[received.recipients[0][0]][received.peer.split("'")[1]] += 1
    assert peers["a"] == {"127.0.0.2": 4, "127.0.0.3": 8}
    assert peers["b"] == {"127.0.0.3": 8, "127.0.0.4": 4}


def test_app_builds_the_segment_pool_from_the_spec(
    tmp_path: Path, slow_sink: tuple[SlowSink, int], rsa_key: DkimKey
) -> None:
    """The composition root's pool sends each domain's mail from that domain's only IP."""
    recorder, port = slow_sink
    fleet = load_fleet(
        _spec(tmp_path, port, {"one.example": ["127.0.0.2"], "two.example": ["127.0.0.4"]})
    )
    app = build(load_settings(overrides={"data_dir": tmp_path}), env={})
    pool = app.segment_relay_pool(fleet)
    queue = _queue(
        *[(f"news@{d}.example", f"{d}{i}@example.org") for d in ("one", "two") for i in range(4)]
    )
    dispatcher = _dispatcher(
        queue, pool, rsa_key, policy=_policy(), domains=("one.example", "two.example")
    )
    _drain(dispatcher)
    app.close()
    by_peer = {(r.recipients[0][:3], r.peer.split("'")[1]) for r in recorder.received}
    assert by_peer == {("one", "127.0.0.2"), ("two", "127.0.0.4")}
    assert len(recorder.received) == 8


def test_spec_pool_refuses_a_relay_it_cannot_build(tmp_path: Path) -> None:
    """A relay provider that is not SMTP (the template's memory relay) is a ConfigError that
    names it."""
    path = _spec(tmp_path, 25, {"one.example": ["127.0.0.2"]})
    path.write_text(path.read_text().replace("kind: smtp, host", "kind: memory, host"))
    with pytest.raises(ConfigError, match="'sinkrelay' is of kind 'memory'"):
        build_segment_pool(load_fleet(path), smtp_relay_factory())


@pytest.mark.parametrize("backend", ["in-process", "redis"])
def test_backoff_learnt_by_one_worker_holds_the_other(
    backend: str, slow_sink: tuple[SlowSink, int], rsa_key: DkimKey, redis_key: str
) -> None:
    """Gmail's 4.7.28 to worker 1 suspends Gmail for example.com; worker 2, sharing the store,
    holds its Gmail mail from example.com (scheduled, no attempt used) and sends the rest."""
    _, port = slow_sink

    def store() -> ShapingStore:
        if backend == "redis":
            return RedisShapingStore(redis.Redis.from_url(REDIS_URL), key=redis_key)
        return shared

    shared = InMemoryShapingStore()
    domains = ("example.com", "other.com")
    first = _queue(("news@example.com", "later@gmail.com"))
    relay = SmtpRelay(SmtpRelayConfig("127.0.0.1", port))
    _drain(_dispatcher(first, relay, rsa_key, policy=_policy(), store=store(), domains=domains))
    assert _states(first) == {"later@gmail.com": MessageState.DEFERRED}

    second = _queue(
        ("news@example.com", "u1@gmail.com"),
        ("news@other.com", "u2@gmail.com"),
        ("news@example.com", "u3@example.org"),
    )
    relay = SmtpRelay(SmtpRelayConfig("127.0.0.1", port))
    worker2 = _dispatcher(
        second, relay, rsa_key, policy=_policy(), store=store(), worker="w2", domains=domains
    )
    _drain(worker2)
    assert _states(second) == {
        "u1@gmail.com": MessageState.SCHEDULED,
        "u2@gmail.com": MessageState.SENT,
        "u3@example.org": MessageState.SENT,
    }
    held = next(r for r in second.rows.values() if r.state is MessageState.SCHEDULED)
    assert "gmail suspended for example.com" in held.reply
    assert held.message.attempts == 0


def test_ip_scoped_backoff_is_shared_through_redis(
    tmp_path: Path, slow_sink: tuple[SlowSink, int], rsa_key: DkimKey, redis_key: str
) -> None:
    """Microsoft's 4.7.650 is about the IP: after it reaches one.example's IP (.2), a second
    worker holds Microsoft mail of two.example sending from .2 too, but not of three.example
    (.3), nor two.example's mail to other receivers."""
    _, port = slow_sink
    fleet = load_fleet(
        _spec(
            tmp_path,
            port,
            {
                "one.example": ["127.0.0.2"],
                "two.example": ["127.0.0.2"],
                "three.example": ["127.0.0.3"],
            },
        )
    )
    domains = ("one.example", "two.example", "three.example")

    def worker(queue: InMemoryMessageQueue, name: str) -> Dispatcher:
        store = RedisShapingStore(redis.Redis.from_url(REDIS_URL), key=redis_key)
        pool = build_segment_pool(fleet, smtp_relay_factory())
        return _dispatcher(
            queue, pool, rsa_key, policy=_policy(), store=store, worker=name, domains=domains
        )

    first = _queue(("news@one.example", "ms1@outlook.com"))
    _drain(worker(first, "w1"))
    assert _states(first) == {"ms1@outlook.com": MessageState.DEFERRED}
    second = _queue(
        ("news@two.example", "u1@outlook.com"),
        ("news@three.example", "u2@outlook.com"),
        ("news@two.example", "u3@gmail.com"),
    )
    _drain(worker(second, "w2"))
    assert _states(second) == {
        "u1@outlook.com": MessageState.SCHEDULED,
        "u2@outlook.com": MessageState.SENT,
        "u3@gmail.com": MessageState.SENT,
    }
    held = next(r for r in second.rows.values() if r.state is MessageState.SCHEDULED)
    assert "via 127.0.0.2" in held.reply


def test_redis_store_keeps_the_longer_backoff(redis_key: str) -> None:
    """Two workers recording at once cannot shorten a backoff; run-out ones disappear."""
    from datetime import timedelta

    from mailfleet.core.sending.shaping import Backoff, BackoffAction

    store = RedisShapingStore(redis.Redis.from_url(REDIS_URL), key=redis_key)
    long = Backoff(BackoffAction.SUSPEND, NOW + timedelta(hours=4), 1.0, "TS03 | from 1.2.3.4")
    short = Backoff(BackoffAction.THROTTLE, NOW + timedelta(minutes=30), 0.25, "TS01")
    assert store.put("yahoo", "ip:192.0.2.1", long, NOW) == long
    assert store.put("yahoo", "ip:192.0.2.1", short, NOW) == long
    assert store.current(NOW) == {("yahoo", "ip:192.0.2.1"): long}
    later = NOW + timedelta(hours=5)
    assert store.current(later) == {}
    assert store.put("yahoo", "ip:192.0.2.1", short, later) == short


def test_redis_out_of_reach_does_not_stop_sending() -> None:
    """With Redis down, reads see no shared backoff and writes keep the local one."""
    from datetime import timedelta

    from mailfleet.adapters.sending.smtp_sink import free_port
    from mailfleet.core.sending.shaping import Backoff, BackoffAction

    client = redis.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.5)
    store = RedisShapingStore(client, key="unused")
    backoff = Backoff(BackoffAction.SUSPEND, NOW + timedelta(hours=1), 1.0, "4.7.28")
    assert store.current(NOW) == {}
    assert store.put("gmail", "domain:example.com", backoff, NOW) == backoff


def test_shaping_store_follows_redis_url(tmp_path: Path, redis_key: str) -> None:
    """With ``redis_url`` set the App's store is Redis; without, in-process."""
    with_redis = build(
        load_settings(overrides={"data_dir": tmp_path, "redis_url": REDIS_URL}), env={}
    )
    assert isinstance(with_redis.shaping_store(), RedisShapingStore)
    without = build(load_settings(overrides={"data_dir": tmp_path}), env={})
    assert isinstance(without.shaping_store(), InMemoryShapingStore)
