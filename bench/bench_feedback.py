"""Feedback throughput and accuracy: parse + classify (+ store) over the corpus.

Prints messages per second through ``parse_feedback`` next to the baseline of bare
``email.message_from_bytes`` over the same messages, the rate through the whole intake
(``ingest_message``: events stored and suppressions made in SQLite, one transaction per
write, or one per batch), and the corpus accuracy (kind, recipients and permanence all right).

    .venv/bin/python bench/bench_feedback.py
"""

from __future__ import annotations

import email
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

from mailfleet.core.feedback.parse import parse_feedback
from mailfleet.policy.rules import bounce_rules
from mailfleet.services.feedback_parallel import default_workers

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus" / "feedback"
ROUNDS = 5


def _messages(folder: str = "") -> list[bytes]:
    return [
        p.read_bytes()
        for p in sorted((CORPUS / "messages" / folder).rglob("*"))
        if p.suffix in (".txt", ".eml")
    ]


def _rate(messages: list[bytes], work: Callable[[bytes], object]) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for raw in messages:
            work(raw)
        best = min(best, time.perf_counter() - start)
    return len(messages) / best


def _cpu_rate(messages: list[bytes], work: Callable[[bytes], object]) -> float:
    """Messages per second of this process's CPU time: steadier than wall time when other
    processes share the cores (they still slow it through shared caches)."""
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.process_time()
        for raw in messages:
            work(raw)
        best = min(best, time.process_time() - start)
    return len(messages) / best


def _batch_rate(messages: list[bytes], work: Callable[[list[bytes]], object]) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        work(messages)
        best = min(best, time.perf_counter() - start)
    return len(messages) / best


def _accuracy() -> tuple[int, int, list[str]]:
    rules = bounce_rules()
    right, wrong = 0, []
    cases = []
    for name in ("flufl_expected.toml", "expected.toml"):
        cases += tomllib.loads((CORPUS / name).read_text("utf-8"))["case"]
    for case in cases:
        report = parse_feedback((CORPUS / "messages" / case["file"]).read_bytes(), rules)
        got = {r.address.lower(): r.permanent for r in report.recipients}
        ok = report.kind.value == case["kind"] and set(got) == {
            a.lower() for a in case["addresses"]
        }
        if "permanent" in case:
            ok = ok and all(p is case["permanent"] for p in got.values())
        if ok:
            right += 1
        else:
            wrong.append(case["file"])
    return right, len(cases), wrong


def _store_rate(messages: list[bytes], *, batched: bool, workers: int = 1) -> float:
    """Messages per second through ingest: parse, classify, store events, suppress.

    One transaction per message (``ingest_message``), or per pass over the corpus
    (``ingest_batch``, what ``feedback ingest`` and the IMAP poller use), parsed in this
    process or in ``workers`` processes (started before the clock starts, as a long-running
    intake keeps its pool).
    """
    from mailfleet.adapters.clock import SystemClock
    from mailfleet.adapters.db.database import Database
    from mailfleet.adapters.db.feedback_store import SqlFeedbackStore
    from mailfleet.policy.rules import suppression_policy
    from mailfleet.services.feedback_ingest import ingest_batch, ingest_message
    from mailfleet.services.feedback_parallel import ParallelParser

    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{folder}/bench.db")
        database.prepare(auto_upgrade=True)
        store = SqlFeedbackStore(database, suppression_policy().hard_reasons)
        clock = SystemClock()
        if batched and workers > 1:
            with ParallelParser(workers) as parser:
                parser.parse_many(messages)  # the workers are up and warm
                rate = _batch_rate(
                    messages,
                    lambda raws: ingest_batch(raws, store=store, clock=clock, parser=parser),
                )
        elif batched:
            rate = _batch_rate(messages, lambda raws: ingest_batch(raws, store=store, clock=clock))
        else:
            rate = _rate(messages, lambda raw: ingest_message(raw, store=store, clock=clock))
        database.dispose()
    return rate


def main() -> None:
    """Run the benchmark and print its figures."""
    messages = _messages()
    rules = bounce_rules()
    baseline = _rate(messages, email.message_from_bytes)
    parsed = _rate(messages, lambda raw: parse_feedback(raw, rules))
    right, total, wrong = _accuracy()
    print(f"corpus: {len(messages)} messages, {sum(map(len, messages)) // 1024} KiB")
    print(f"baseline email.message_from_bytes: {baseline:,.0f} messages/s")
    print(f"parse + classify:                  {parsed:,.0f} messages/s")
    cpu_base = _cpu_rate(messages, email.message_from_bytes)
    cpu_parsed = _cpu_rate(messages, lambda raw: parse_feedback(raw, rules))
    print(
        f"  per CPU second: baseline {cpu_base:,.0f}, parse + classify {cpu_parsed:,.0f} "
        f"({cpu_parsed / cpu_base:.0%} of the baseline)"
    )
    modern = _messages("mta") + _messages("complaint") + _messages("other")
    print(
        f"  today's formats only ({len(modern)} messages, mostly DSNs): "
        f"{_rate(modern, email.message_from_bytes):,.0f} baseline, "
        f"{_rate(modern, lambda raw: parse_feedback(raw, rules)):,.0f} parse + classify"
    )
    single = _store_rate(messages, batched=False)
    print(f"parse + classify + store (SQLite), a transaction per message: {single:,.0f} msg/s")
    batched = _store_rate(messages, batched=True)
    print(f"parse + classify + store (SQLite), one transaction per batch: {batched:,.0f} msg/s")
    modern_batched = _store_rate(modern, batched=True)
    print(f"  today's formats only, batched: {modern_batched:,.0f} msg/s")
    workers = default_workers()
    parallel = _store_rate(messages, batched=True, workers=workers)
    print(f"parse in {workers} worker processes, + store (SQLite), batched: {parallel:,.0f} msg/s")
    modern_parallel = _store_rate(modern, batched=True, workers=workers)
    print(f"  today's formats only, {workers} workers, batched: {modern_parallel:,.0f} msg/s")
    print(
        f"accuracy on this corpus (kind, recipients, permanence): "
        f"{right}/{total} = {right / total:.1%}"
    )
    for name in wrong:
        print(f"  wrong: {name}")


if __name__ == "__main__":
    main()
