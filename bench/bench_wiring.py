"""What the wiring adds to each dispatched batch, on the embedded default (SQLite).

Prints, per batch of 200 messages: the suppression check against the feedback store (with
10,000 suppressions stored) next to the in-memory set it replaced; the delivery log (200
events in one transaction); and the warmup gate's acquire per message (plan + in-process
limiter) next to the in-memory per-process gate it replaced.

    .venv/bin/python bench/bench_wiring.py
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.feedback_store import SqlFeedbackStore
from mailfleet.adapters.db.feedback_tables import SuppressionRow
from mailfleet.adapters.db.warmup_store import SqlWarmupStore
from mailfleet.adapters.limiter.memory import InProcessLimiter
from mailfleet.adapters.sending.feedback_links import FeedbackDeliveryLog, FeedbackSuppressions
from mailfleet.adapters.sending.memory import InMemorySendGate, InMemorySuppressions
from mailfleet.adapters.sending.warmup_gate import WarmupSendGate
from mailfleet.core.sending.model import MessageDraft, QueuedMessage
from mailfleet.core.sending.outcomes import RecipientResult, SendOutcome
from mailfleet.core.sending.ports import Attempt, GateRequest
from mailfleet.core.warmup.state import WarmupState
from mailfleet.policy.rules import bounce_rules, suppression_policy
from mailfleet.spec import load_fleet

BATCH = 200
ROUNDS = 20


def _best(work: Callable[[], object], rounds: int = ROUNDS) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Measure and print."""
    clock = FakeClock(datetime(2026, 1, 5, 15, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        database.prepare(auto_upgrade=True)
        store = SqlFeedbackStore(database, suppression_policy().hard_reasons)
        with database.session() as s:  # 10,000 suppressions in one go
            s.add_all(
                SuppressionRow(
                    address=f"s{i}@example.org",
                    scope="global",
                    reason="manual",
                    source="bench",
                    created_at=clock.now(),
                    expires_at=None,
                )
                for i in range(10_000)
            )
        batch = [f"s{i * 37}@example.org" for i in range(BATCH)]
        sql = FeedbackSuppressions(store, clock)
        memory = InMemorySuppressions({f"s{i}@example.org" for i in range(10_000)})
        t_sql = _best(lambda: sql.suppressed(batch, "acme.example"))
        t_mem = _best(lambda: memory.suppressed(batch, "acme.example"))

        log = FeedbackDeliveryLog(store, bounce_rules(), suppression_policy())
        draft = MessageDraft("hello@acme.example", "x@example.org", "Hi", "Hello")
        attempts = [
            Attempt(
                QueuedMessage(i, f"<m{i}@acme.example>", draft, 1, clock.now()),
                RecipientResult(f"r{i}@example.org", SendOutcome.SENT, 250, "2.0.0", "ok"),
            )
            for i in range(BATCH)
        ]
        t_log = _best(lambda: log.record(attempts, clock.now()), rounds=5)

        path = Path(str(resources.files("mailfleet.spec").joinpath("template.yaml")))
        fleet = load_fleet(path)
        warmup = SqlWarmupStore(database, clock)
        warmup.record(WarmupState("acme.example", clock.now().date(), ramp_day=40), None)
        gate = WarmupSendGate(fleet, warmup, InProcessLimiter(clock), clock)
        old = InMemorySendGate(mailbox_caps={"hello@acme.example": 10**9})
        request = GateRequest("acme.example", "hello@acme.example", "example.org")
        gate.acquire(request, clock.now())  # the plan is read once a minute, not per send
        t_gate = _best(lambda: [gate.acquire(request, clock.now()) for _ in range(BATCH)])
        t_old = _best(lambda: [old.acquire(request, clock.now()) for _ in range(BATCH)])
        database.dispose()
    ms = 1000.0
    print(f"suppression check, {BATCH} addresses vs 10,000 stored:")
    print(f"  feedback store (SQLite)  {t_sql * ms:7.2f} ms/batch")
    print(f"  baseline in-memory set   {t_mem * ms:7.2f} ms/batch")
    print(f"delivery log, {BATCH} events in one transaction: {t_log * ms:7.2f} ms/batch")
    print(f"send gate, {BATCH} acquires:")
    print(f"  warmup plan + limiter    {t_gate * ms:7.2f} ms/batch")
    print(f"  baseline in-memory gate  {t_old * ms:7.2f} ms/batch")


if __name__ == "__main__":
    main()
