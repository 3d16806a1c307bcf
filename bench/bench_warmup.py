"""Limiter decisions per second, both backends, five caps per decision, beside baselines.

Each decision checks and charges five caps at once (domain day, domain hour, mailbox day,
sending IP day, receiving provider hour). Baselines, measured in the same run: a bare dict
increment (in-process) and a single Redis INCR round trip (Redis), i.e. the cost of counting
one thing with no atomicity across caps and no windows.

    .venv/bin/python bench/bench_warmup.py [--redis redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event

import redis

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.limiter.memory import InProcessLimiter
from mailfleet.adapters.limiter.redis import RedisLimiter
from mailfleet.core.warmup.limits import CapCheck, send_checks

BIG = 10**12  # caps that never fill: the benchmark measures the granting path


def five_caps(worker: int = 0) -> tuple[CapCheck, ...]:
    return send_checks(
        domain="bench.example",
        timezone="America/New_York",
        at=datetime.now(UTC),
        domain_daily=BIG,
        domain_hourly=BIG,
        mailbox=(f"sdr{worker:02}@bench.example", BIG),
        ip=("198.51.100.20", BIG),
        provider=("gmail", BIG),
    )


def rate(action: Callable[[], object], count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        action()
    return count / (time.perf_counter() - started)


def show(label: str, value: float, unit: str) -> None:
    print(f"{label:<46} {value:>12,.0f} {unit}")


def _redis_worker(
    url: str, prefix: str, count: int, kind: str, go: Event, out: Queue[tuple[float, float]]
) -> None:
    if kind == "script":
        limiter = RedisLimiter.from_url(url, prefix=prefix)
        caps = five_caps()
        limiter.acquire(caps)

        def action() -> object:
            return limiter.acquire(caps)
    else:
        client = redis.Redis.from_url(url)
        client.ping()

        def action() -> object:
            return client.incr(prefix + "baseline")

    go.wait()
    started = time.time()
    for _ in range(count):
        action()
    out.put((started, time.time()))


def parallel(url: str, prefix: str, count: int, kind: str, workers: int) -> float:
    """Aggregate rate of ``workers`` processes started together, connections made first."""
    context = multiprocessing.get_context("spawn")
    out: Queue[tuple[float, float]] = context.Queue()
    go = context.Event()
    procs = [
        context.Process(target=_redis_worker, args=(url, prefix, count, kind, go, out))
        for _ in range(workers)
    ]
    for proc in procs:
        proc.start()
    time.sleep(2.0)  # let every worker connect and load the script
    go.set()
    spans = [out.get() for _ in procs]
    for proc in procs:
        proc.join()
    return workers * count / (max(e for _, e in spans) - min(s for s, _ in spans))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    caps = five_caps()
    memory = InProcessLimiter(SystemClock())
    counters: dict[str, int] = {}

    def bare() -> None:
        counters["k"] = counters.get("k", 0) + 1

    local = args.count * 10
    show(
        "in-process limiter, 5 caps/decision",
        rate(lambda: memory.acquire(caps), local),
        "decisions/s",
    )
    show("baseline: bare dict increment", rate(bare, local), "ops/s")

    prefix = f"mailfleet-bench:{uuid.uuid4().hex}:"
    client = redis.Redis.from_url(args.redis)
    limiter = RedisLimiter.from_url(args.redis, prefix=prefix)
    try:
        limiter.acquire(caps)  # load the script once
        show(
            "redis limiter, 5 caps/decision, 1 client",
            rate(lambda: limiter.acquire(caps), args.count),
            "decisions/s",
        )
        show(
            "baseline: one INCR per decision, 1 client",
            rate(lambda: client.incr(prefix + "b"), args.count),
            "ops/s",
        )
        n = args.workers
        per_worker = args.count // n
        show(
            f"redis limiter, 5 caps/decision, {n} processes",
            parallel(args.redis, prefix, per_worker, "script", n),
            "decisions/s",
        )
        show(
            f"baseline: one INCR per decision, {n} processes",
            parallel(args.redis, prefix, per_worker, "incr", n),
            "ops/s",
        )
    finally:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)


if __name__ == "__main__":
    main()
