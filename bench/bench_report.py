"""Benchmark: ``mailfleet report`` over a long feedback history.

Writes a fleet's history through the real stores (feedback events, a warmup decision a day per
domain, a DNSBL run a day), then times the report's feedback read (totals grouped by UTC day
in SQL) next to the baseline measured in the same run: the feedback store's own
``daily_counts``, which reads every event and groups in Python. Then the whole report.

Run: .venv/bin/python bench/bench_report.py [--domains 20] [--days 30] [--per-day 500]
     [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/NAME]   (default: SQLite)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.results_reads import SqlResultsHistory
from mailfleet.bootstrap import build
from mailfleet.core.feedback.events import EventKind, FeedbackEvent
from mailfleet.core.warmup.decision import Action, Decision
from mailfleet.core.warmup.evidence import Evidence
from mailfleet.core.warmup.state import WarmupState
from mailfleet.services.fleet import sync_fleet
from mailfleet.settings import Settings
from mailfleet.spec import load_fleet
from web_support import write_fleet_spec

T = TypeVar("T")
ROUNDS = 3


def _best(action: Callable[[], T]) -> tuple[T, float]:
    """The result and the best wall time of ``ROUNDS`` runs."""
    best, result = float("inf"), None
    for _ in range(ROUNDS):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return result, best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--domains", type=int, default=20)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mailfleet-bench-report-"))
    spec = write_fleet_spec(folder, args.domains, mailboxes=2)
    now = datetime.now(UTC).replace(microsecond=0)
    first = now - timedelta(days=args.days)
    clock = FakeClock(first)
    settings = Settings(data_dir=folder / "state", database_url=args.database_url, spec=spec)
    app = build(settings, clock=clock)
    database = app.database(migrate=True)
    fleet = load_fleet(spec)
    sync_fleet(fleet, app.fleet_store(), clock, str(spec))
    feedback = app.feedback_store()
    warmup = app.warmup_ports(fleet).store

    started = time.perf_counter()
    for n in range(args.days):
        day = first + timedelta(days=n)
        events = []
        for domain in fleet.domains:
            for i in range(args.per_day):
                kind = EventKind.BOUNCE if i % 100 == 0 else EventKind.DELIVERY
                at = day + timedelta(seconds=i * 86_000 // args.per_day)
                events.append(
                    FeedbackEvent(kind, f"r{i}@x.example", at, sending_domain=domain.name)
                )
            warmup.record(
                WarmupState(domain.name, first.date()),
                Decision(
                    domain.name,
                    day.date(),
                    Action.ADVANCE,
                    n,
                    n + 1,
                    50 * (n + 1),
                    None,
                    Evidence((), 0, 0, 0, 0, ()),
                    (),
                    "bench",
                ),
            )
        feedback.add_events(events)
    total = args.days * args.domains * args.per_day
    print(f"{database.dialect}: {total:,} events written in {time.perf_counter() - started:.1f} s")
    clock.set(now)

    since, until = first - timedelta(days=1), now + timedelta(days=1)
    history = SqlResultsHistory(database)
    grouped, sql_time = _best(lambda: history.domain_days(since, until))
    counted, python_time = _best(lambda: feedback.daily_counts(since, until))
    assert sum(d.deliveries for d in grouped) == sum(c.deliveries for c in counted)
    report, report_time = _best(lambda: app.results_report(fleet))
    print(f"  {'feedback totals, grouped in SQL (report)':<48} {sql_time * 1000:9.1f} ms")
    print(f"  {'baseline: daily_counts, grouped in Python':<48} {python_time * 1000:9.1f} ms")
    print(f"  {'whole report (every store, 8 rows)':<48} {report_time * 1000:9.1f} ms")
    print(f"  rows: {', '.join(f'{r.key}={r.status}' for r in report.rows)}")
    app.close()


if __name__ == "__main__":
    main()
