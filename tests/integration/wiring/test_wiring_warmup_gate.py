"""The dispatcher under the warmup gate: today's cap through the shared limiter, no more."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from wiring_kit import REDIS_URL, dispatcher, draft, drain

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.warmup_store import SqlWarmupStore
from mailfleet.adapters.limiter.memory import InProcessLimiter
from mailfleet.adapters.limiter.redis import RedisLimiter
from mailfleet.adapters.sending.smtp_sink import RecordingSink
from mailfleet.adapters.sending.sql_queue import SqlMessageQueue
from mailfleet.adapters.sending.warmup_gate import WarmupSendGate
from mailfleet.core.fleet import Fleet
from mailfleet.core.sending.dkim import DkimKey
from mailfleet.core.sending.model import MessageState
from mailfleet.core.warmup.plan import plan_fleet_day
from mailfleet.core.warmup.ports import Limiter
from mailfleet.core.warmup.state import WarmupState

DOMAIN = "acme.example"
LOCAL_MIDNIGHT_UTC_HOUR = 5  # America/New_York in January is UTC-5


def _start(database: Database, clock: FakeClock, fleet: Fleet) -> tuple[SqlWarmupStore, int]:
    """Warmup started today for the domain; its cap today."""
    store = SqlWarmupStore(database, clock)
    today = clock.now().date()
    store.record(WarmupState(DOMAIN, today), None)
    cap = plan_fleet_day(fleet, store.states(), today)[DOMAIN].cap
    assert cap > 0
    return store, cap


def _enqueue(database: Database, clock: FakeClock, fleet: Fleet, count: int) -> None:
    """``count`` messages from the domain's mailboxes in turn."""
    boxes = [m.address for m in fleet.domain(DOMAIN).mailboxes]
    drafts = [draft(f"r{i}@example.org", sender=boxes[i % len(boxes)]) for i in range(count)]
    SqlMessageQueue(database).enqueue(drafts, clock.now())


def _run_day(
    database: Database,
    port: int,
    keys: dict[str, list[DkimKey]],
    clock: FakeClock,
    gates: list[WarmupSendGate],
) -> None:
    """Dispatch every 20 minutes until just before local midnight, workers taking turns."""
    end = clock.now().replace(hour=LOCAL_MIDNIGHT_UTC_HOUR, minute=0) + timedelta(days=1)
    step, turn = timedelta(minutes=20), 0
    while True:
        drain(dispatcher(database, port, keys, clock, gate=gates[turn % len(gates)]))
        turn += 1
        if clock.now() + step >= end:
            return
        clock.advance(step)


def _gate(
    fleet: Fleet,
    store: SqlWarmupStore,
    limiter: Limiter,
    clock: FakeClock,
    states: Mapping[str, str],
) -> WarmupSendGate:
    return WarmupSendGate(fleet, store, limiter, clock, lambda: states)


def test_a_day_sends_exactly_the_cap_and_holds_the_rest(
    database: Database,
    sink: tuple[RecordingSink, int],
    dkim_keys: dict[str, list[DkimKey]],
    clock: FakeClock,
    init_fleet: Fleet,
) -> None:
    """With cap K, 3K queued: K go out over the day's slots, 2K wait for tomorrow, none fail."""
    recorder, port = sink
    store, cap = _start(database, clock, init_fleet)
    _enqueue(database, clock, init_fleet, 3 * cap)
    gate = _gate(init_fleet, store, InProcessLimiter(clock), clock, {})
    _run_day(database, port, dkim_keys, clock, [gate])
    counts = SqlMessageQueue(database).counts()
    assert len(recorder.received) == cap
    assert counts[MessageState.SENT] == cap
    assert counts[MessageState.SCHEDULED] == 2 * cap
    assert counts[MessageState.FAILED] == 0
    assert drain(dispatcher(database, port, dkim_keys, clock, gate=gate)).claimed == 0


def test_two_workers_share_the_cap_through_redis(
    database: Database,
    sink: tuple[RecordingSink, int],
    dkim_keys: dict[str, list[DkimKey]],
    clock: FakeClock,
    init_fleet: Fleet,
    redis_prefix: str,
) -> None:
    """Two gates with their own Redis connections, taking turns, together send only K."""
    recorder, port = sink
    store, cap = _start(database, clock, init_fleet)
    _enqueue(database, clock, init_fleet, 3 * cap)
    gates = [
        _gate(
            init_fleet,
            store,
            RedisLimiter.from_url(REDIS_URL, prefix=redis_prefix, clock=clock),
            clock,
            {},
        )
        for _ in range(2)
    ]
    _run_day(database, port, dkim_keys, clock, gates)
    assert len(recorder.received) == cap
    assert SqlMessageQueue(database).counts()[MessageState.SENT] == cap


def test_isolated_and_paused_domains_send_nothing(
    database: Database,
    sink: tuple[RecordingSink, int],
    dkim_keys: dict[str, list[DkimKey]],
    clock: FakeClock,
    init_fleet: Fleet,
) -> None:
    """An isolated domain and a domain whose warmup is paused hold their mail, unfailed."""
    recorder, port = sink
    store, _ = _start(database, clock, init_fleet)
    _enqueue(database, clock, init_fleet, 5)
    clock.advance(timedelta(hours=6))  # 10:00 in New York, inside business hours
    limiter = InProcessLimiter(clock)
    isolated = _gate(init_fleet, store, limiter, clock, {DOMAIN: "isolated"})
    report = drain(dispatcher(database, port, dkim_keys, clock, gate=isolated))
    assert report.states == {"scheduled": 5}

    clock.advance(timedelta(minutes=20))
    store.record(WarmupState(DOMAIN, clock.now().date(), paused_until=date(2026, 1, 9)), None)
    paused = _gate(init_fleet, store, limiter, clock, {DOMAIN: "warming"})
    again = drain(dispatcher(database, port, dkim_keys, clock, gate=paused))
    assert again.states == {"scheduled": 5}
    assert recorder.received == []
    assert SqlMessageQueue(database).counts()[MessageState.SCHEDULED] == 5


def test_mail_from_outside_the_fleet_is_not_gated(
    database: Database,
    sink: tuple[RecordingSink, int],
    dkim_keys: dict[str, list[DkimKey]],
    clock: FakeClock,
    init_fleet: Fleet,
) -> None:
    """A sender domain the spec does not declare is not under warmup and goes out."""
    recorder, port = sink
    store = SqlWarmupStore(database, clock)
    SqlMessageQueue(database).enqueue([draft(f"x{i}@example.org") for i in range(3)], clock.now())
    gate = _gate(init_fleet, store, InProcessLimiter(clock), clock, {})
    assert drain(dispatcher(database, port, dkim_keys, clock, gate=gate)).states == {"sent": 3}
    assert len(recorder.received) == 3
